// The addon's entry point: registers every native capability on the exports object.
#include <cstdlib>
#include <mutex>

#include "exports.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

// glibc's malloc serves an allocation above its mmap threshold with a fresh mapping and unmaps
// it on free; the threshold starts at 128 KiB and rises to the size of the largest such chunk
// freed so far. Freed memory at the top of a heap beyond the trim threshold goes back to the
// kernel too. Executing a block allocates and frees the same large arrays every time (receipts,
// outcomes, the state's tables, the result: megabytes for a block of 10,000 transactions), so
// whether they were page-faulted in again on every block (one fault per 4 KiB: up to 2,300 for
// 10,000 transfers on Block-STM, about 10% of the block's time in the kernel alone) depended on
// the history of the process (bench/README.md). Fixed
// thresholds make them reuse the memory of the previous block: freed memory stays in the
// process, up to the largest block's peak. PEVM_KEEP_MALLOC=1 leaves malloc's settings alone.
void tune_malloc() {
#if defined(__GLIBC__)
    static std::once_flag once;
    std::call_once(once, [] {
        if (std::getenv("PEVM_KEEP_MALLOC") != nullptr) return;
        mallopt(M_MMAP_THRESHOLD, 32 << 20);   // glibc's maximum on 64-bit
        mallopt(M_TRIM_THRESHOLD, 256 << 20);  // fixed: no dynamic adjustment either
    });
#endif
}

Napi::Object initAddon(Napi::Env env, Napi::Object exports) {
    tune_malloc();
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
