// Running the state transition on a thread with a large stack. A transaction may nest 1024 call
// frames, each a chain of native frames (interpreter, host call, create); sanitizer builds need
// roughly 32 KB of stack per EVM frame, more than the 8 MB of a default main or pool thread.
#pragma once

#include <pthread.h>

#include <cstddef>
#include <exception>
#include <stdexcept>
#include <utility>

namespace pevm::state {

/// Stack for one transaction's worth of nested frames in any build flavour (reserved lazily).
inline constexpr size_t kDeepStackBytes = size_t{64} << 20;

/// Runs `fn()` on a new thread with a kDeepStackBytes stack and waits for it; an exception
/// thrown by `fn` is rethrown here.
template <typename Fn>
void run_with_deep_stack(Fn&& fn) {
    struct Job {
        Fn* fn;
        std::exception_ptr error;
    } job{&fn, nullptr};
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) throw std::runtime_error("pthread_attr_init failed");
    pthread_attr_setstacksize(&attr, kDeepStackBytes);
    pthread_t thread;
    const int rc = pthread_create(
        &thread, &attr,
        [](void* p) -> void* {
            auto* j = static_cast<Job*>(p);
            try {
                (*j->fn)();
            } catch (...) {
                j->error = std::current_exception();
            }
            return nullptr;
        },
        &job);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        fn();  // no thread available: run here, with the caller's stack
        return;
    }
    pthread_join(thread, nullptr);
    if (job.error) std::rethrow_exception(job.error);
}

}  // namespace pevm::state
