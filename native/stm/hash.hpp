// The engine's hash finalizer, shared with the state's address map; and the keyed hash of the
// keys a block's author chooses.
#pragma once

#include <cstdint>
#include <cstring>

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

/// The key of keyed_hash20/32: random per process. Storage keys and addresses are the block's
/// author's to choose (a contract's own slots, BALANCE of any address, CREATE2 salts, mapping
/// keys ground offline), and a hash that anyone can compute, or that ignores some of the bytes,
/// let a transaction put every key it reads in one bucket of the state's tables, each lookup
/// then walking all of them (test/state/hash-flooding.test.ts). Without the key, which keys
/// collide cannot be known in advance. Only where keys land depends on it, never a result: every
/// output that is ordered is sorted by the keys themselves.
struct HashKey {
    uint64_t k[4];
};
extern const HashKey kHashKey;  // hash.cpp

/// The 128-bit product of a and b folded to 64 bits (its halves XORed).
inline uint64_t fold_mul(uint64_t a, uint64_t b) noexcept {
    const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

/// A keyed hash of a 32-byte key (a storage key, a code hash): every byte counts, and every
/// bit of the result depends on the key (kHashKey).
inline uint64_t keyed_hash32(const uint8_t* p) noexcept {
    uint64_t w[4];
    std::memcpy(w, p, 32);
    const uint64_t* k = kHashKey.k;
    return fold_mul(w[0] ^ k[0], w[1] ^ k[1]) ^ fold_mul(w[2] ^ k[2], w[3] ^ k[3]);
}

/// keyed_hash32 for a 20-byte key (an address).
inline uint64_t keyed_hash20(const uint8_t* p) noexcept {
    uint64_t w[2];
    uint32_t t;
    std::memcpy(w, p, 16);
    std::memcpy(&t, p + 16, 4);
    const uint64_t* k = kHashKey.k;
    return fold_mul(w[0] ^ k[0], w[1] ^ k[1]) ^ fold_mul(uint64_t{t} ^ k[2], k[3]);
}

}  // namespace pevm::stm
