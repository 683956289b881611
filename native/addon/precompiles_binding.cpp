// runPrecompile(address, rev, input, gas) -> { status, gasLeft, output }: runs one precompile
// through the table, for tests and benchmarks. `address` is the precompile number (1..0x11,
// 0x100), `rev` an evmc_revision, `gas` a number or a bigint (gasLeft comes back as the same
// type); `status` is the evmc_status_code (0 success, 3 out of gas, 12 precompile failure,
// -2 not a precompile in that revision).
// benchPrecompile(address, rev, input, gas, calls) -> { wallNs, cpuNs } per call: runs the same
// call `calls` times natively (no JavaScript in the loop), for bench/precompiles.ts; the thread
// CPU time is the steadier number on a loaded machine.
#include "boundary.hpp"
#include "exports.hpp"
#include "precompiles/precompiles.hpp"

#include <chrono>
#include <ctime>
#include <string>

namespace pevm::addon {
namespace {

int64_t gasArg(const Napi::CallbackInfo& info, size_t i) {
    if (info.Length() > i && info[i].IsBigInt()) {
        bool lossless = false;
        const int64_t v = info[i].As<Napi::BigInt>().Int64Value(&lossless);
        if (!lossless || v < 0)
            throw CodedError(code::kInvalidArgument, "gas must be from 0 to 2^63-1");
        return v;
    }
    if (info.Length() <= i || !info[i].IsNumber())
        throw CodedError(code::kInvalidArgument, "gas must be a number or a bigint");
    const double d = info[i].As<Napi::Number>().DoubleValue();
    if (!(d >= 0 && d <= 9007199254740991.0) || d != static_cast<double>(static_cast<int64_t>(d)))
        throw CodedError(code::kInvalidArgument, "gas must be an integer from 0 to 2^53-1");
    return static_cast<int64_t>(d);
}

evmc_address precompileAddress(const Napi::CallbackInfo& info, evmc_revision* rev) {
    const uint32_t address = uint32Arg(info, 0, "address");
    const uint32_t r = uint32Arg(info, 1, "rev");
    if (address > 0xffff) throw CodedError(code::kInvalidArgument, "address must be below 0x10000");
    if (r > EVMC_MAX_REVISION)
        throw CodedError(code::kInvalidArgument, "rev must be an evmc_revision (0 to " +
                                                     std::to_string(EVMC_MAX_REVISION) + ")");
    *rev = static_cast<evmc_revision>(r);
    evmc_address addr{};
    addr.bytes[18] = static_cast<uint8_t>(address >> 8);
    addr.bytes[19] = static_cast<uint8_t>(address);
    return addr;
}

Napi::Value runPrecompile(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    evmc_revision rev;
    const evmc_address addr = precompileAddress(info, &rev);
    const auto input = bytesArg(info, 2, "input");
    const int64_t gas = gasArg(info, 3);
    const bool bigint = info[3].IsBigInt();

    const evmc_result r = precompiles::execute(addr, rev, input.data(), input.size(), gas);
    Napi::Object out = Napi::Object::New(env);
    out.Set("status", Napi::Number::New(env, r.status_code));
    if (bigint)
        out.Set("gasLeft", Napi::BigInt::New(env, r.gas_left));
    else
        out.Set("gasLeft", Napi::Number::New(env, static_cast<double>(r.gas_left)));
    Napi::Uint8Array output = Napi::Uint8Array::New(env, 0);
    try {
        output = toUint8Array(env, {r.output_data, r.output_size});
    } catch (...) {
        if (r.release != nullptr) r.release(&r);
        throw;
    }
    if (r.release != nullptr) r.release(&r);
    out.Set("output", output);
    return out;
}

Napi::Value benchPrecompile(const Napi::CallbackInfo& info) {
    evmc_revision rev;
    const evmc_address addr = precompileAddress(info, &rev);
    const auto input = bytesArg(info, 2, "input");
    const int64_t gas = gasArg(info, 3);
    const uint32_t calls = uint32Arg(info, 4, "calls");
    if (calls == 0) throw CodedError(code::kInvalidArgument, "calls must be at least 1");
    timespec cpu0{}, cpu1{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
    const auto start = std::chrono::steady_clock::now();
    for (uint32_t i = 0; i < calls; ++i) {
        const evmc_result r = precompiles::execute(addr, rev, input.data(), input.size(), gas);
        if (r.release != nullptr) r.release(&r);
    }
    const std::chrono::duration<double, std::nano> wall = std::chrono::steady_clock::now() - start;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
    const double cpu = (cpu1.tv_sec - cpu0.tv_sec) * 1e9 + (cpu1.tv_nsec - cpu0.tv_nsec);
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("wallNs", Napi::Number::New(info.Env(), wall.count() / calls));
    out.Set("cpuNs", Napi::Number::New(info.Env(), cpu / calls));
    return out;
}

}  // namespace

void registerPrecompiles(Napi::Env env, Napi::Object exports) {
    exports.Set("runPrecompile",
                Napi::Function::New<exported<runPrecompile>>(env, "runPrecompile"));
    exports.Set("benchPrecompile",
                Napi::Function::New<exported<benchPrecompile>>(env, "benchPrecompile"));
}

}  // namespace pevm::addon
