// SHA-256: the padding and the block loop are shared; the compression of whole 64-byte blocks
// has two implementations, chosen once per process.
#include "precompiles/sha256.hpp"

#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PEVM_SHA_NI 1
#endif

namespace pevm::precompiles {
namespace {

alignas(16) constexpr uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr uint32_t kInit[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

using BlocksFn = void (*)(uint32_t state[8], const uint8_t* data, size_t blocks) noexcept;

inline uint32_t rotr(uint32_t x, int n) noexcept {
    return (x >> n) | (x << (32 - n));
}

inline uint32_t load_be32(const uint8_t* p) noexcept {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

void blocks_portable(uint32_t state[8], const uint8_t* data, size_t blocks) noexcept {
    uint32_t w[64];
    for (; blocks != 0; --blocks, data += 64) {
        for (int i = 0; i < 16; ++i) w[i] = load_be32(data + 4 * i);
        for (int i = 16; i < 64; ++i) {
            const uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; ++i) {
            const uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
                                ((e & f) ^ (~e & g)) + kRound[i] + w[i];
            const uint32_t t2 =
                (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}

#ifdef PEVM_SHA_NI
// The SHA extensions keep the state as two vectors, ABEF and CDGH, and do two rounds per
// sha256rnds2; the message schedule runs four words ahead with sha256msg1/msg2.
__attribute__((target("sha,sse4.1,ssse3"))) void blocks_shani(uint32_t state[8],
                                                              const uint8_t* data,
                                                              size_t blocks) noexcept {
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));      // DCBA
    __m128i st1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));  // HGFE
    tmp = _mm_shuffle_epi32(tmp, 0xB1);
    st1 = _mm_shuffle_epi32(st1, 0x1B);
    __m128i st0 = _mm_alignr_epi8(tmp, st1, 8);  // ABEF
    st1 = _mm_blend_epi16(st1, tmp, 0xF0);       // CDGH

    for (; blocks != 0; --blocks, data += 64) {
        const __m128i save0 = st0;
        const __m128i save1 = st1;
        __m128i w[4];
        for (int g = 0; g < 16; ++g) {
            __m128i& cur = w[g & 3];  // holds W[g-4] until replaced by W[g]
            if (g < 4) {
                cur = _mm_shuffle_epi8(
                    _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * g)), byteswap);
            } else {
                const __m128i prev1 = w[(g + 3) & 3];  // W[g-1]
                const __m128i prev2 = w[(g + 2) & 3];  // W[g-2]
                __m128i t = _mm_sha256msg1_epu32(cur, w[(g + 1) & 3]);
                t = _mm_add_epi32(t, _mm_alignr_epi8(prev1, prev2, 4));
                cur = _mm_sha256msg2_epu32(t, prev1);
            }
            __m128i msg = _mm_add_epi32(
                cur, _mm_load_si128(reinterpret_cast<const __m128i*>(kRound + 4 * g)));
            st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
            msg = _mm_shuffle_epi32(msg, 0x0E);
            st0 = _mm_sha256rnds2_epu32(st0, st1, msg);
        }
        st0 = _mm_add_epi32(st0, save0);
        st1 = _mm_add_epi32(st1, save1);
    }

    tmp = _mm_shuffle_epi32(st0, 0x1B);     // FEBA
    st1 = _mm_shuffle_epi32(st1, 0xB1);     // DCHG
    st0 = _mm_blend_epi16(tmp, st1, 0xF0);  // DCBA
    st1 = _mm_alignr_epi8(st1, tmp, 8);     // HGFE
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state), st0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), st1);
}
#endif

BlocksFn choose_blocks() noexcept {
#ifdef PEVM_SHA_NI
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1")) return blocks_shani;
#endif
    return blocks_portable;
}

void hash(BlocksFn blocks_fn, const uint8_t* data, size_t size, uint8_t out[32]) noexcept {
    uint32_t state[8];
    std::memcpy(state, kInit, sizeof(state));
    const size_t full = size / 64;
    if (full != 0) blocks_fn(state, data, full);

    uint8_t tail[128]{};
    const size_t rest = size - full * 64;
    if (rest != 0) std::memcpy(tail, data + full * 64, rest);
    tail[rest] = 0x80;
    const size_t tail_len = rest < 56 ? 64 : 128;
    const uint64_t bits = static_cast<uint64_t>(size) * 8;
    for (int i = 0; i < 8; ++i) tail[tail_len - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
    blocks_fn(state, tail, tail_len / 64);

    for (int i = 0; i < 8; ++i) {
        out[4 * i] = static_cast<uint8_t>(state[i] >> 24);
        out[4 * i + 1] = static_cast<uint8_t>(state[i] >> 16);
        out[4 * i + 2] = static_cast<uint8_t>(state[i] >> 8);
        out[4 * i + 3] = static_cast<uint8_t>(state[i]);
    }
}

}  // namespace

void sha256(const uint8_t* data, size_t size, uint8_t out[32]) noexcept {
    static const BlocksFn blocks_fn = choose_blocks();  // thread-safe one-time initialisation
    hash(blocks_fn, data, size, out);
}

void sha256_portable(const uint8_t* data, size_t size, uint8_t out[32]) noexcept {
    hash(blocks_portable, data, size, out);
}

}  // namespace pevm::precompiles
