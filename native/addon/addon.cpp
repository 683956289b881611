// The addon's entry point: registers every native capability on the exports object.
#include "exports.hpp"

namespace {

Napi::Object initAddon(Napi::Env env, Napi::Object exports) {
    exports.Set("abiVersion", Napi::Number::New(env, 1));
    pevm::addon::registerKeccak(env, exports);
    pevm::addon::registerState(env, exports);
    pevm::addon::registerPrecompiles(env, exports);
    pevm::addon::registerStm(env, exports);
    pevm::addon::registerBlock(env, exports);
    return exports;
}

}  // namespace

NODE_API_MODULE(parallel_evm, initAddon)
