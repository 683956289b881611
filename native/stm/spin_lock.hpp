// A one-byte lock for the engine's short critical sections (a transaction's scheduler slot, its
// executor state): a few dozen instructions are held under it, so spinning briefly beats a
// pthread mutex (no call, no futex word, one byte in the slot). A waiter that spins too long
// yields, so a preempted holder (more threads than cores) still makes progress.
#pragma once

#include <atomic>
#include <thread>

namespace pevm::stm {

/// One step of a wait for another thread (a lock's holder, a writer of a sequence lock):
/// `spins` counts the steps; the first ones pause the core briefly, then the thread yields, so a
/// preempted thread (more threads than cores) still makes progress.
inline void spin_wait(unsigned& spins) noexcept {
    constexpr unsigned kSpins = 128;
    if (++spins < kSpins) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        asm volatile("yield");
#endif
    } else {
        std::this_thread::yield();
        spins = 0;
    }
}

class SpinLock {
public:
    void lock() noexcept {
        while (flag_.exchange(true, std::memory_order_acquire))
            for (unsigned spins = 0; flag_.load(std::memory_order_relaxed);) spin_wait(spins);
    }
    bool try_lock() noexcept {
        return !flag_.load(std::memory_order_relaxed) &&
               !flag_.exchange(true, std::memory_order_acquire);
    }
    void unlock() noexcept { flag_.store(false, std::memory_order_release); }

private:
    std::atomic<bool> flag_{false};
};

}  // namespace pevm::stm
