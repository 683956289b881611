// Keccak-f[1600], two rounds per loop iteration between two lane arrays; lanes are little-endian
// 64-bit words.
#include "keccak.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
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

// Force-inlined so that each dispatch target below compiles the whole permutation for its
// instruction set.
[[gnu::always_inline]] inline uint64_t rol(uint64_t x, unsigned n) noexcept {
    return (x << n) | (x >> ((64 - n) & 63));
}

// chi over one output row of the rho-pi lanes b0..b4.
[[gnu::always_inline]] inline void chi_row(uint64_t* out, uint64_t b0, uint64_t b1, uint64_t b2,
                                           uint64_t b3, uint64_t b4) noexcept {
    out[0] = b0 ^ (~b1 & b2);
    out[1] = b1 ^ (~b2 & b3);
    out[2] = b2 ^ (~b3 & b4);
    out[3] = b3 ^ (~b4 & b0);
    out[4] = b4 ^ (~b0 & b1);
}

// One round from the lanes `a` into `e`, an output row at a time. The five lanes of a row come
// from five input lanes (rho and pi), and chi needs only those five, so few values are live at
// once (computing all 25 before chi, so as to work in place, spills most of them to the stack).
[[gnu::always_inline]] inline void round(const uint64_t* a, uint64_t* e, uint64_t rc) noexcept {
    // theta
    const uint64_t c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
    const uint64_t c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    const uint64_t c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
    const uint64_t c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    const uint64_t c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
    const uint64_t d0 = c4 ^ rol(c1, 1);
    const uint64_t d1 = c0 ^ rol(c2, 1);
    const uint64_t d2 = c1 ^ rol(c3, 1);
    const uint64_t d3 = c2 ^ rol(c4, 1);
    const uint64_t d4 = c3 ^ rol(c0, 1);
    // rho and pi: output row j is chi of b_y = rol(lane (3j + y mod 5, y) ^ d, its offset), y =
    // 0..4
    chi_row(e + 0, a[0] ^ d0, rol(a[6] ^ d1, 44), rol(a[12] ^ d2, 43), rol(a[18] ^ d3, 21),
            rol(a[24] ^ d4, 14));
    e[0] ^= rc;  // iota
    chi_row(e + 5, rol(a[3] ^ d3, 28), rol(a[9] ^ d4, 20), rol(a[10] ^ d0, 3), rol(a[16] ^ d1, 45),
            rol(a[22] ^ d2, 61));
    chi_row(e + 10, rol(a[1] ^ d1, 1), rol(a[7] ^ d2, 6), rol(a[13] ^ d3, 25), rol(a[19] ^ d4, 8),
            rol(a[20] ^ d0, 18));
    chi_row(e + 15, rol(a[4] ^ d4, 27), rol(a[5] ^ d0, 36), rol(a[11] ^ d1, 10),
            rol(a[17] ^ d2, 15), rol(a[23] ^ d3, 56));
    chi_row(e + 20, rol(a[2] ^ d2, 62), rol(a[8] ^ d3, 55), rol(a[14] ^ d4, 39),
            rol(a[15] ^ d0, 41), rol(a[21] ^ d1, 2));
}

[[gnu::always_inline]] inline void permute(uint64_t a[25]) noexcept {
    uint64_t e[25];
    for (int r = 0; r < 24; r += 2) {
        round(a, e, kRoundConstants[r]);
        round(e, a, kRoundConstants[r + 1]);
    }
}

void keccakf_portable(uint64_t a[25]) noexcept {
    permute(a);
}

using Permutation = void (*)(uint64_t*) noexcept;

#if defined(__x86_64__) && defined(__GNUC__)
// With BMI1 and BMI2 (every x86-64 from 2013 on): chi's and-not is one instruction (andn) and a
// rotation need not copy its operand first (rorx): about a fifth fewer instructions. The
// prebuilt addon targets baseline x86-64, so the choice is made once, at load.
[[gnu::target("bmi,bmi2")]] void keccakf_bmi(uint64_t a[25]) noexcept {
    permute(a);
}

Permutation choose_permutation() noexcept {
    // PEVM_KECCAK=portable forces the baseline code (its test runs with it).
    const char* forced = std::getenv("PEVM_KECCAK");
    if (forced != nullptr && std::strcmp(forced, "portable") == 0) return keccakf_portable;
    __builtin_cpu_init();
    return __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") ? keccakf_bmi
                                                                           : keccakf_portable;
}
#else
Permutation choose_permutation() noexcept {
    return keccakf_portable;
}
#endif

// A function-local static, not a namespace-scope one: other files' static initializers may hash.
void keccakf(uint64_t a[25]) noexcept {
    static const Permutation chosen = choose_permutation();
    chosen(a);
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
