#include "stm/thread_pool.hpp"

#include <algorithm>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace pevm::stm {

namespace {

#if defined(__linux__)
// Restricts the calling thread to `cpu` (the kernel moves it there at once if it is elsewhere).
bool pin_to(int cpu) noexcept {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return sched_setaffinity(0, sizeof(one), &one) == 0;
}
#endif

// Moves the calling thread, which shares its CPU with another worker of the run, to an allowed CPU
// that no worker of the run is on (`taken`): pinned there for a moment (the kernel migrates it at
// once) and then given back its whole mask, so that the scheduler stays free to move it later.
// Returns the CPU it went to, or -1 when every allowed CPU is taken or the calls fail (it stays).
int move_off(const std::vector<int>& taken) noexcept {
#if defined(__linux__)
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return -1;
    for (int c = 0; c < CPU_SETSIZE; ++c) {
        if (!CPU_ISSET(c, &allowed) || std::find(taken.begin(), taken.end(), c) != taken.end())
            continue;
        if (!pin_to(c)) return -1;
        sched_setaffinity(0, sizeof(allowed), &allowed);
        return c;
    }
#else
    (void)taken;
#endif
    return -1;
}

// Restricts every pool thread to the CPUs the caller may use, except `cpu` (the caller's). Returns
// false when that leaves nothing or the calls fail.
bool exclude_cpu(std::vector<std::thread>& threads, int cpu) noexcept {
#if defined(__linux__)
    cpu_set_t mask;
    CPU_ZERO(&mask);
    if (sched_getaffinity(0, sizeof(mask), &mask) != 0) return false;
    CPU_CLR(cpu, &mask);
    if (CPU_COUNT(&mask) == 0) return false;
    bool ok = true;
    for (auto& t : threads)
        ok = pthread_setaffinity_np(t.native_handle(), sizeof(mask), &mask) == 0 && ok;
    return ok;
#else
    (void)threads;
    (void)cpu;
    return false;
#endif
}

// Holds the calling thread on its CPU for the duration of a run, then gives it back its mask: the
// pool threads are kept off that CPU, and without the pin the balancer moved the caller onto the
// pool thread's CPU when a third thread woke on the caller's.
class CallerPin {
public:
    explicit CallerPin(int cpu) noexcept {
#if defined(__linux__)
        if (cpu < 0) return;
        CPU_ZERO(&saved_);
        if (sched_getaffinity(0, sizeof(saved_), &saved_) != 0) return;
        pinned_ = pin_to(cpu);
#else
        (void)cpu;
#endif
    }
    ~CallerPin() {
#if defined(__linux__)
        if (pinned_) sched_setaffinity(0, sizeof(saved_), &saved_);
#endif
    }
    CallerPin(const CallerPin&) = delete;
    CallerPin& operator=(const CallerPin&) = delete;

private:
#if defined(__linux__)
    cpu_set_t saved_;
    bool pinned_ = false;
#endif
};

}  // namespace

ThreadPool& ThreadPool::global() {
    static ThreadPool pool;  // destroyed at exit: joins its threads before the code unloads
    return pool;
}

int ThreadPool::current_cpu() noexcept {
#if defined(__linux__)
    return sched_getcpu();
#else
    return -1;
#endif
}

unsigned ThreadPool::default_threads() noexcept {
    return std::max(1u, std::thread::hardware_concurrency());
}

unsigned ThreadPool::size() {
    std::lock_guard lock(mutex_);
    return static_cast<unsigned>(threads_.size());
}

void ThreadPool::worker_main(unsigned id) {
    uint64_t seen = 0;
    std::unique_lock lock(mutex_);
    for (;;) {
        work_cv_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        if (id >= job_threads_) continue;  // this run uses fewer threads than the pool has
        const auto* job = job_;
        // Woken onto a CPU another worker of this run is on (see run_cpus_): move.
        int cpu = current_cpu();
        const bool collided =
            cpu >= 0 && std::find(run_cpus_.begin(), run_cpus_.end(), cpu) != run_cpus_.end();
        if (collided) cpu = move_off(run_cpus_);
        if (cpu >= 0) run_cpus_.push_back(cpu);
        lock.unlock();
        std::exception_ptr error;
        try {
            (*job)(id);
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        if (error && !error_) error_ = error;
        if (--remaining_ == 0) done_cv_.notify_one();
    }
}

void ThreadPool::run(unsigned threads, const std::function<void(unsigned)>& fn) {
    threads = std::clamp(threads, 1u, kMaxThreads);
    std::lock_guard run_lock(run_mutex_);
    int pin_cpu = -1;  // the caller's CPU, kept from the pool threads
    {
        std::lock_guard lock(mutex_);
        while (threads_.size() + 1 < threads) {
            const unsigned id = static_cast<unsigned>(threads_.size()) + 1;
            threads_.emplace_back([this, id] { worker_main(id); });
            excluded_cpu_ = -1;  // the new thread may run anywhere
        }
        job_ = &fn;
        job_threads_ = threads;
        remaining_ = threads - 1;
        error_ = nullptr;
        run_cpus_.clear();
        if (threads > 1) {
            const int cpu = current_cpu();
            if (cpu >= 0) {
                run_cpus_.push_back(cpu);
                if (cpu != excluded_cpu_) excluded_cpu_ = exclude_cpu(threads_, cpu) ? cpu : -1;
                pin_cpu = excluded_cpu_;
            }
        }
        ++generation_;
    }
    const CallerPin pin(pin_cpu);
    if (threads > 1) work_cv_.notify_all();
    std::exception_ptr error;
    try {
        fn(0);
    } catch (...) {
        error = std::current_exception();
    }
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [&] { return remaining_ == 0; });
    job_ = nullptr;
    if (!error) error = error_;
    error_ = nullptr;
    lock.unlock();
    if (error) std::rethrow_exception(error);
}

void ThreadPool::shutdown() {
    std::lock_guard run_lock(run_mutex_);
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        threads.swap(threads_);
    }
    work_cv_.notify_all();
    for (auto& t : threads) t.join();
    std::lock_guard lock(mutex_);
    stopping_ = false;
}

}  // namespace pevm::stm
