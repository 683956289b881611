// Running the state transition on a thread with a large stack. A transaction may nest 1024 call
// frames, each a chain of native frames (interpreter, host call, create). Release builds need a
// few KB per EVM frame and fit the 8 MB of a main or pool thread; sanitizer builds need roughly
// 32 KB per frame, so there the work moves to a thread with a 64 MB stack (creating one costs
// tens of microseconds, too much to pay on every transaction of a release build).
#pragma once

#include <pthread.h>

#include <cstddef>
#include <exception>
#include <stdexcept>
#include <utility>

namespace pevm::state {

/// Stack for one transaction's worth of nested frames in any build flavour (reserved lazily).
inline constexpr size_t kDeepStackBytes = size_t{64} << 20;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kNeedsDeepStack = true;
#else
inline constexpr bool kNeedsDeepStack = false;
#endif

/// Runs `fn()` on a new thread with a kDeepStackBytes stack and waits for it (in sanitizer builds;
/// elsewhere directly); an exception thrown by `fn` is rethrown here.
template <typename Fn>
void run_with_deep_stack(Fn&& fn) {
    if constexpr (!kNeedsDeepStack) {
        fn();
        return;
    }
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
