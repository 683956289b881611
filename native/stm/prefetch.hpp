// Prefetch hints: start loading a cache line without waiting for it.
//
// Inline assembly on x86-64 rather than __builtin_prefetch: GCC 12 treats the builtin as free of
// side effects, so a function whose body is only a prefetch becomes `const`, and its calls are
// deleted as dead code once it is not inlined (the first Block-STM prefetch compiled to nothing).
// Elsewhere the builtin remains, so both hints are always inlined: the builtin then sits in the
// caller's body, where it is kept.
#pragma once

namespace pevm::stm {

/// For a line about to be read.
[[gnu::always_inline]] inline void prefetch_read(const void* p) noexcept {
#if defined(__x86_64__)
    asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
    __builtin_prefetch(p, 0);
#endif
}

/// For a line about to be written, or updated by an atomic read-modify-write: fetched for
/// ownership, so the write does not first wait for other caches to give it up. (PREFETCHW; on
/// x86-64 processors without it, the encoding is a no-op.)
[[gnu::always_inline]] inline void prefetch_write(const void* p) noexcept {
#if defined(__x86_64__)
    asm volatile("prefetchw %0" : : "m"(*static_cast<const char*>(p)));
#else
    __builtin_prefetch(p, 1);
#endif
}

}  // namespace pevm::stm
