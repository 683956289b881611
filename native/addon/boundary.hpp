// The Node-API boundary: every exported function runs inside `guarded`, so that no C++ exception
// and no failed check escapes to abort the process. Failures become JavaScript errors carrying a
// stable `code` string, which lib/errors.ts maps to typed error classes.
#pragma once

#include <napi.h>

#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

namespace pevm::addon {

/// Stable error codes shared with lib/errors.ts. Never rename one: callers match on them.
namespace code {
inline constexpr const char* kInvalidArgument = "ERR_INVALID_ARGUMENT";
inline constexpr const char* kDetachedBuffer = "ERR_DETACHED_BUFFER";
inline constexpr const char* kOutOfMemory = "ERR_OUT_OF_MEMORY";
inline constexpr const char* kInternal = "ERR_INTERNAL";
}  // namespace code

/// An error with a code, thrown anywhere below the boundary.
class CodedError : public std::runtime_error {
public:
    CodedError(const char* code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    const char* code() const noexcept { return code_; }

private:
    const char* code_;
};

inline Napi::Error makeError(Napi::Env env, const char* code, const std::string& message) {
    Napi::Error e = Napi::Error::New(env, message);
    e.Set("code", Napi::String::New(env, code));
    return e;
}

/// A C++ exception as JavaScript sees it: its stable code and message.
struct NativeFailure {
    const char* code;
    std::string message;
};

/// The exception being handled, as a NativeFailure. Call only from inside a catch block.
inline NativeFailure current_failure() {
    try {
        throw;
    } catch (const CodedError& e) {
        return {e.code(), e.what()};
    } catch (const std::bad_alloc&) {
        return {code::kOutOfMemory, "out of memory in native code"};
    } catch (const std::exception& e) {
        return {code::kInternal, std::string("internal error: ") + e.what()};
    } catch (...) {
        return {code::kInternal, "internal error: unknown native exception"};
    }
}

/// Wraps a plain function into a Node-API callback that converts anything it throws into a
/// coded JavaScript exception. The exception is raised here rather than by node-addon-api's
/// wrapper: in an environment being torn down (a worker thread terminated while it called us),
/// raising fails too, and node-addon-api lets that second failure escape into Node, which aborts
/// the whole process.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value exported(const Napi::CallbackInfo& info) {
    try {
        try {
            return F(info);
        } catch (const Napi::Error& e) {
            e.ThrowAsJavaScriptException();  // already a JavaScript exception
        } catch (...) {
            const NativeFailure f = current_failure();
            makeError(info.Env(), f.code, f.message).ThrowAsJavaScriptException();
        }
    } catch (const Napi::Error&) {
        // The environment is going away: there is no JavaScript left to tell.
    }
    return Napi::Value();
}

/// Borrows the bytes of argument `i`, which must be a Uint8Array (or Buffer) over a live
/// ArrayBuffer. The span is valid only until control returns to JavaScript.
std::span<const uint8_t> bytesArg(const Napi::CallbackInfo& info, size_t i, const char* name);

/// Argument `i` as an unsigned 32-bit integer.
uint32_t uint32Arg(const Napi::CallbackInfo& info, size_t i, const char* name);

/// A new Uint8Array holding a copy of `bytes`.
Napi::Uint8Array toUint8Array(Napi::Env env, std::span<const uint8_t> bytes);

/// The base of every asynchronous call: a Napi::AsyncWorker that settles a promise, keeps what
/// its Execute throws as a coded error (capture, rejected), and whose completion survives the
/// teardown of its environment. When a worker thread is terminated while a call runs, Node
/// completes the work during the environment's cleanup, where a promise can no longer be settled;
/// node-addon-api then rethrows from inside a C callback and the whole process aborts. Here that
/// failure ends the call quietly instead (nobody is left to see its result) and the worker is
/// still freed.
class PromiseWorker : public Napi::AsyncWorker {
public:
    explicit PromiseWorker(Napi::Env env)
        : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)) {}

    Napi::Promise promise() { return deferred_.Promise(); }

    void OnWorkComplete(Napi::Env env, napi_status status) override {
        try {
            Napi::AsyncWorker::OnWorkComplete(env, status);
        } catch (const Napi::Error&) {
            Destroy();  // the base threw before freeing the worker
        }
    }
    void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

protected:
    /// Runs `fn` (from Execute, off the JavaScript thread), keeping what it throws as a coded
    /// error for rejected().
    template <typename Fn>
    void capture(Fn&& fn) {
        try {
            fn();
        } catch (...) {
            failure_ = current_failure();
        }
    }
    /// From OnOK: rejects the promise with the error capture() kept, if there is one (true).
    bool rejected() {
        if (!failure_) return false;
        deferred_.Reject(makeError(Env(), failure_->code, failure_->message).Value());
        return true;
    }

    Napi::Promise::Deferred deferred_;

private:
    std::optional<NativeFailure> failure_;
};

}  // namespace pevm::addon
