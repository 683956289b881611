// keccak256(data) -> 32 bytes, synchronously; keccak256Async(data) -> Promise, off the event loop.
#include "boundary.hpp"
#include "exports.hpp"
#include "crypto/keccak.hpp"

#include <vector>

namespace pevm::addon {
namespace {

Napi::Value keccak256Sync(const Napi::CallbackInfo& info) {
    const auto data = bytesArg(info, 0, "data");
    uint8_t out[32];
    crypto::keccak256(data.data(), data.size(), out);
    return toUint8Array(info.Env(), out);
}

class KeccakWorker final : public PromiseWorker {
public:
    KeccakWorker(Napi::Env env, std::vector<uint8_t> input)
        : PromiseWorker(env), input_(std::move(input)) {}

    void Execute() override { crypto::keccak256(input_.data(), input_.size(), out_); }
    void OnOK() override { deferred_.Resolve(toUint8Array(Env(), out_)); }

private:
    std::vector<uint8_t> input_;  // a copy: JavaScript may mutate its buffer meanwhile
    uint8_t out_[32]{};
};

Napi::Value keccak256Async(const Napi::CallbackInfo& info) {
    const auto data = bytesArg(info, 0, "data");
    auto* worker = new KeccakWorker(info.Env(), std::vector<uint8_t>(data.begin(), data.end()));
    auto promise = worker->promise();
    worker->Queue();  // the worker deletes itself after OnOK/OnError
    return promise;
}

}  // namespace

void registerKeccak(Napi::Env env, Napi::Object exports) {
    exports.Set("keccak256", Napi::Function::New<exported<keccak256Sync>>(env, "keccak256"));
    exports.Set("keccak256Async",
                Napi::Function::New<exported<keccak256Async>>(env, "keccak256Async"));
}

}  // namespace pevm::addon
