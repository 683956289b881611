#include "stm/thread_pool.hpp"

#include <algorithm>

namespace pevm::stm {

ThreadPool& ThreadPool::global() {
    static ThreadPool pool;  // destroyed at exit: joins its threads before the code unloads
    return pool;
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
    {
        std::lock_guard lock(mutex_);
        while (threads_.size() + 1 < threads) {
            const unsigned id = static_cast<unsigned>(threads_.size()) + 1;
            threads_.emplace_back([this, id] { worker_main(id); });
        }
        job_ = &fn;
        job_threads_ = threads;
        remaining_ = threads - 1;
        error_ = nullptr;
        ++generation_;
    }
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
