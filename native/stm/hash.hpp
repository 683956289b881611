// The engine's hash finalizer, shared with the state's address map.
#pragma once

#include <cstdint>

namespace pevm::stm {

/// Every bit of `h` stirred into every bit of the result (MurmurHash3's 64-bit finalizer). The
/// engine's tables index with it: a task's hash may carry its entropy in a few bits only (an
/// address's low bytes as a number, whose varying bytes for addresses that are not hashes, like
/// 0x80...0001, 0x80...0002, are its top bits), and a multiplication alone leaves the low and
/// middle bits of such a hash equal for all of them.
constexpr uint64_t mix_hash(uint64_t h) noexcept {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

}  // namespace pevm::stm
