#include "boundary.hpp"

#include <cstring>

namespace pevm::addon {

std::span<const uint8_t> bytesArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
    if (info.Length() <= i || !info[i].IsTypedArray())
        throw CodedError(code::kInvalidArgument, std::string(name) + " must be a Uint8Array");
    auto array = info[i].As<Napi::TypedArray>();
    if (array.TypedArrayType() != napi_uint8_array)
        throw CodedError(code::kInvalidArgument, std::string(name) + " must be a Uint8Array");
    Napi::ArrayBuffer buffer = array.ArrayBuffer();
    bool detached = false;
    if (napi_is_detached_arraybuffer(info.Env(), buffer, &detached) != napi_ok)
        throw CodedError(code::kInternal, "napi_is_detached_arraybuffer failed");
    if (detached)
        throw CodedError(code::kDetachedBuffer,
                         std::string(name) + " is backed by a detached ArrayBuffer");
    const size_t size = array.ByteLength();
    if (size == 0) return {};
    const auto* base = static_cast<const uint8_t*>(buffer.Data());
    return {base + array.ByteOffset(), size};
}

uint32_t uint32Arg(const Napi::CallbackInfo& info, size_t i, const char* name) {
    if (info.Length() <= i || !info[i].IsNumber())
        throw CodedError(code::kInvalidArgument, std::string(name) + " must be a number");
    const double d = info[i].As<Napi::Number>().DoubleValue();
    if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint32_t>(d)))
        throw CodedError(code::kInvalidArgument,
                         std::string(name) + " must be an integer from 0 to 2^32-1");
    return static_cast<uint32_t>(d);
}

Napi::Uint8Array toUint8Array(Napi::Env env, std::span<const uint8_t> bytes) {
    auto out = Napi::Uint8Array::New(env, bytes.size());
    if (!bytes.empty()) std::memcpy(out.Data(), bytes.data(), bytes.size());
    return out;
}

}  // namespace pevm::addon
