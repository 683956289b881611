// BLAKE2b F (RFC 7693 section 3.2), with the round count free as EIP-152 requires: round i uses
// the message permutation SIGMA[i mod 10].
#include "precompiles/blake2f.hpp"

namespace pevm::precompiles {
namespace {

constexpr uint64_t kIv[8] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b,
                             0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                             0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};

constexpr uint8_t kSigma[10][16] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
                                    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
                                    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
                                    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
                                    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
                                    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
                                    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
                                    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
                                    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
                                    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0}};

inline uint64_t rotr(uint64_t x, int n) noexcept {
    return (x >> n) | (x << (64 - n));
}

inline void mix(uint64_t v[16], int a, int b, int c, int d, uint64_t x, uint64_t y) noexcept {
    v[a] = v[a] + v[b] + x;
    v[d] = rotr(v[d] ^ v[a], 32);
    v[c] = v[c] + v[d];
    v[b] = rotr(v[b] ^ v[c], 24);
    v[a] = v[a] + v[b] + y;
    v[d] = rotr(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = rotr(v[b] ^ v[c], 63);
}

}  // namespace

void blake2b_compress(uint32_t rounds, uint64_t h[8], const uint64_t m[16], const uint64_t t[2],
                      bool final_block) noexcept {
    uint64_t v[16];
    for (int i = 0; i < 8; ++i) {
        v[i] = h[i];
        v[i + 8] = kIv[i];
    }
    v[12] ^= t[0];
    v[13] ^= t[1];
    if (final_block) v[14] = ~v[14];
    for (uint32_t r = 0, s = 0; r < rounds; ++r, s = (s == 9 ? 0 : s + 1)) {
        const uint8_t* p = kSigma[s];
        mix(v, 0, 4, 8, 12, m[p[0]], m[p[1]]);
        mix(v, 1, 5, 9, 13, m[p[2]], m[p[3]]);
        mix(v, 2, 6, 10, 14, m[p[4]], m[p[5]]);
        mix(v, 3, 7, 11, 15, m[p[6]], m[p[7]]);
        mix(v, 0, 5, 10, 15, m[p[8]], m[p[9]]);
        mix(v, 1, 6, 11, 12, m[p[10]], m[p[11]]);
        mix(v, 2, 7, 8, 13, m[p[12]], m[p[13]]);
        mix(v, 3, 4, 9, 14, m[p[14]], m[p[15]]);
    }
    for (int i = 0; i < 8; ++i) h[i] ^= v[i] ^ v[i + 8];
}

}  // namespace pevm::precompiles
