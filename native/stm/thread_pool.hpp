// The worker threads Block-STM runs on: created lazily once, kept for the life of the process (or
// of the addon: shutdown() is registered as an environment cleanup hook), and reused by every
// block, so that no block pays for thread creation. One block runs at a time.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pevm::stm {

class ThreadPool {
public:
    /// The process-wide pool. Its destructor (static storage) joins the threads at exit.
    static ThreadPool& global();

    ThreadPool() = default;
    ~ThreadPool() { shutdown(); }
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    /// The default thread count: the number of hardware threads (at least 1).
    static unsigned default_threads() noexcept;
    /// The CPU the calling thread runs on, or -1 where the platform does not say.
    static int current_cpu() noexcept;
    /// Upper bound on the threads of one run.
    static constexpr unsigned kMaxThreads = 256;

    /// Runs `fn(worker)` for worker = 0..threads-1 concurrently and returns when all have
    /// returned. Worker 0 is the calling thread; the others are pool threads (the pool grows to
    /// threads-1 on first need and keeps them). Runs are serialized. Rethrows the first exception
    /// a worker threw.
    void run(unsigned threads, const std::function<void(unsigned)>& fn);

    /// Joins every pool thread (waiting for a run in progress). The pool can be used again.
    void shutdown();

    /// Pool threads currently alive (excluding callers).
    unsigned size();

private:
    void worker_main(unsigned id);

    std::mutex run_mutex_;  // one run at a time; held by shutdown too
    std::mutex mutex_;      // guards everything below
    std::condition_variable work_cv_;
    std::condition_variable done_cv_;
    std::vector<std::thread> threads_;
    uint64_t generation_ = 0;
    unsigned job_threads_ = 0;
    unsigned remaining_ = 0;
    const std::function<void(unsigned)>* job_ = nullptr;
    std::exception_ptr error_;
    bool stopping_ = false;
    // CPU placement (Linux only). Linux may wake a thread on the waker's CPU, and on a 2-core VM
    // it woke the one pool thread onto the caller's CPU for about a third of the blocks: the two
    // then shared a core for most of the block (as slow as one thread, or slower), the balancer
    // separating them only after milliseconds. So the pool threads may not run on the CPU the
    // caller is on (set again when the caller turns up on another CPU: excluded_cpu_), and a pool
    // thread woken onto a CPU that another worker of the run already holds (run_cpus_: the
    // caller's, then each pool thread's as it wakes) moves to a free one (move_off).
    int excluded_cpu_ = -1;
    std::vector<int> run_cpus_;
};

}  // namespace pevm::stm
