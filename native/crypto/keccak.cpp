// Keccak-f[1600] with the 24 rounds unrolled per round; lanes are little-endian 64-bit words.
#include "keccak.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace pevm::crypto {
namespace {

constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

inline uint64_t rol(uint64_t x, unsigned n) noexcept {
    return (x << n) | (x >> ((64 - n) & 63));
}

void keccakf(uint64_t a[25]) noexcept {
    for (int round = 0; round < 24; ++round) {
        // theta
        uint64_t c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
        uint64_t c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
        uint64_t c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
        uint64_t c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
        uint64_t c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
        uint64_t d0 = c4 ^ rol(c1, 1);
        uint64_t d1 = c0 ^ rol(c2, 1);
        uint64_t d2 = c1 ^ rol(c3, 1);
        uint64_t d3 = c2 ^ rol(c4, 1);
        uint64_t d4 = c3 ^ rol(c0, 1);

        // rho and pi: b[y][2x+3y] = rol(a[x][y] ^ d[x], r[x][y])
        uint64_t b00 = a[0] ^ d0;
        uint64_t b10 = rol(a[6] ^ d1, 44);
        uint64_t b20 = rol(a[12] ^ d2, 43);
        uint64_t b30 = rol(a[18] ^ d3, 21);
        uint64_t b40 = rol(a[24] ^ d4, 14);
        uint64_t b01 = rol(a[3] ^ d3, 28);
        uint64_t b11 = rol(a[9] ^ d4, 20);
        uint64_t b21 = rol(a[10] ^ d0, 3);
        uint64_t b31 = rol(a[16] ^ d1, 45);
        uint64_t b41 = rol(a[22] ^ d2, 61);
        uint64_t b02 = rol(a[1] ^ d1, 1);
        uint64_t b12 = rol(a[7] ^ d2, 6);
        uint64_t b22 = rol(a[13] ^ d3, 25);
        uint64_t b32 = rol(a[19] ^ d4, 8);
        uint64_t b42 = rol(a[20] ^ d0, 18);
        uint64_t b03 = rol(a[4] ^ d4, 27);
        uint64_t b13 = rol(a[5] ^ d0, 36);
        uint64_t b23 = rol(a[11] ^ d1, 10);
        uint64_t b33 = rol(a[17] ^ d2, 15);
        uint64_t b43 = rol(a[23] ^ d3, 56);
        uint64_t b04 = rol(a[2] ^ d2, 62);
        uint64_t b14 = rol(a[8] ^ d3, 55);
        uint64_t b24 = rol(a[14] ^ d4, 39);
        uint64_t b34 = rol(a[15] ^ d0, 41);
        uint64_t b44 = rol(a[21] ^ d1, 2);

        // chi, row by row; iota on lane 0
        a[0] = b00 ^ (~b10 & b20) ^ kRoundConstants[round];
        a[1] = b10 ^ (~b20 & b30);
        a[2] = b20 ^ (~b30 & b40);
        a[3] = b30 ^ (~b40 & b00);
        a[4] = b40 ^ (~b00 & b10);
        a[5] = b01 ^ (~b11 & b21);
        a[6] = b11 ^ (~b21 & b31);
        a[7] = b21 ^ (~b31 & b41);
        a[8] = b31 ^ (~b41 & b01);
        a[9] = b41 ^ (~b01 & b11);
        a[10] = b02 ^ (~b12 & b22);
        a[11] = b12 ^ (~b22 & b32);
        a[12] = b22 ^ (~b32 & b42);
        a[13] = b32 ^ (~b42 & b02);
        a[14] = b42 ^ (~b02 & b12);
        a[15] = b03 ^ (~b13 & b23);
        a[16] = b13 ^ (~b23 & b33);
        a[17] = b23 ^ (~b33 & b43);
        a[18] = b33 ^ (~b43 & b03);
        a[19] = b43 ^ (~b03 & b13);
        a[20] = b04 ^ (~b14 & b24);
        a[21] = b14 ^ (~b24 & b34);
        a[22] = b24 ^ (~b34 & b44);
        a[23] = b34 ^ (~b44 & b04);
        a[24] = b44 ^ (~b04 & b14);
    }
}

inline uint64_t load_le64(const uint8_t* p) noexcept {
    uint64_t v;
    std::memcpy(&v, p, 8);  // x86-64 and aarch64 builds are little-endian
    return v;
}

}  // namespace

void Keccak256::update(const uint8_t* data, size_t size) noexcept {
    if (size == 0) return;
    if (buffered_ != 0) {
        size_t take = kRate - buffered_;
        if (take > size) take = size;
        std::memcpy(buffer_ + buffered_, data, take);
        buffered_ += take;
        data += take;
        size -= take;
        if (buffered_ < kRate) return;
        for (size_t i = 0; i < kRate / 8; ++i) state_[i] ^= load_le64(buffer_ + 8 * i);
        keccakf(state_);
        buffered_ = 0;
    }
    while (size >= kRate) {
        for (size_t i = 0; i < kRate / 8; ++i) state_[i] ^= load_le64(data + 8 * i);
        keccakf(state_);
        data += kRate;
        size -= kRate;
    }
    if (size != 0) {
        std::memcpy(buffer_, data, size);
        buffered_ = size;
    }
}

void Keccak256::finish(uint8_t out[32]) noexcept {
    std::memset(buffer_ + buffered_, 0, kRate - buffered_);
    buffer_[buffered_] ^= 0x01;  // Keccak padding: 0x01 ... 0x80
    buffer_[kRate - 1] ^= 0x80;
    for (size_t i = 0; i < kRate / 8; ++i) state_[i] ^= load_le64(buffer_ + 8 * i);
    keccakf(state_);
    std::memcpy(out, state_, 32);
}

void keccak256(const uint8_t* data, size_t size, uint8_t out[32]) noexcept {
    Keccak256 k;
    if (size != 0) k.update(data, size);
    k.finish(out);
}

void keccak256_cached(const uint8_t* data, size_t size, uint8_t out[32]) noexcept {
    if (size < 8 || size > 64) {
        keccak256(data, size, out);
        return;
    }
    struct Entry {
        uint8_t size = 0;  // 0: empty
        uint8_t in[64];
        uint8_t hash[32];
    };
    // 1,024 entries (~100 KB): room for the values a block hashes many times. A pure function of
    // the bytes: entries never go stale.
    thread_local std::array<Entry, 1024> cache{};
    // The last word and the one ending halfway: a mapping slot's key and index, an address's or a
    // topic's varying bytes.
    uint64_t tail, mid;
    std::memcpy(&tail, data + size - 8, 8);
    std::memcpy(&mid, data + std::max<size_t>(size / 2, 8) - 8, 8);
    // SAFETY: the index is below 1024.
    Entry& e = cache[((tail ^ (mid << 1) ^ size) * 0x9e3779b97f4a7c15ull) >> 54];
    if (e.size == size && std::memcmp(e.in, data, size) == 0) {
        std::memcpy(out, e.hash, 32);
        return;
    }
    keccak256(data, size, e.hash);
    std::memcpy(e.in, data, size);
    e.size = static_cast<uint8_t>(size);
    std::memcpy(out, e.hash, 32);
}

}  // namespace pevm::crypto
