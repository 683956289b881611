// A one-byte lock for the engine's short critical sections (a multi-version cell's entries, a
// transaction's scheduler slot): a few dozen instructions are held under it, so spinning briefly
// beats a pthread mutex (no call, no futex word, one byte in the cell). A waiter that spins too
// long yields, so a preempted holder (more threads than cores) still makes progress.
#pragma once

#include <atomic>
#include <thread>

namespace pevm::stm {

class SpinLock {
public:
    void lock() noexcept {
        while (flag_.exchange(true, std::memory_order_acquire)) {
            for (unsigned spins = 0; flag_.load(std::memory_order_relaxed);) {
                if (++spins < kSpins) {
                    pause();
                } else {
                    std::this_thread::yield();
                    spins = 0;
                }
            }
        }
    }
    bool try_lock() noexcept {
        return !flag_.load(std::memory_order_relaxed) &&
               !flag_.exchange(true, std::memory_order_acquire);
    }
    void unlock() noexcept { flag_.store(false, std::memory_order_release); }

private:
    static constexpr unsigned kSpins = 128;
    static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        asm volatile("yield");
#endif
    }

    std::atomic<bool> flag_{false};
};

}  // namespace pevm::stm
