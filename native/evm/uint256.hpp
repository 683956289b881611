// A 256-bit unsigned integer for the EVM stack and for balances.
//
// Four little-endian 64-bit limbs (w[0] least significant). Multiplication uses unsigned __int128
// partial products; division is Knuth's algorithm D over 64-bit limbs with the hardware 128/64
// divide for the quotient digit estimate, which keeps DIV/MOD/MULMOD to a few dozen instructions
// for the common short operands. Signed helpers (sdiv, smod, slt, sgt, sar, signextend) read the
// value as two's complement, as the EVM does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "evm/evmc.h"

namespace pevm {

struct uint256 {
    uint64_t w[4];  // little-endian limbs, w[0] least significant

    constexpr uint256() noexcept : w{0, 0, 0, 0} {}
    constexpr uint256(uint64_t v) noexcept : w{v, 0, 0, 0} {}
    constexpr uint256(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3) noexcept
        : w{w0, w1, w2, w3} {}

    static constexpr uint256 max() noexcept { return {~0ull, ~0ull, ~0ull, ~0ull}; }

    static uint256 load_be(const uint8_t* p32) noexcept {
        uint256 r;
        for (int i = 0; i < 4; ++i) {
            uint64_t v;
            std::memcpy(&v, p32 + 8 * (3 - i), 8);
            r.w[i] = __builtin_bswap64(v);
        }
        return r;
    }

    void store_be(uint8_t* out32) const noexcept {
        for (int i = 0; i < 4; ++i) {
            const uint64_t v = __builtin_bswap64(w[i]);
            std::memcpy(out32 + 8 * (3 - i), &v, 8);
        }
    }

    /// Loads `n` (<= 32) big-endian bytes as a number (PUSHn, short inputs).
    static uint256 load_be_short(const uint8_t* p, size_t n) noexcept {
        uint8_t buf[32] = {};
        std::memcpy(buf + 32 - n, p, n);
        return load_be(buf);
    }

    static uint256 from_bytes32(const evmc_bytes32& b) noexcept { return load_be(b.bytes); }
    evmc_bytes32 to_bytes32() const noexcept {
        evmc_bytes32 b;
        store_be(b.bytes);
        return b;
    }

    /// Reads the low 160 bits as an address (stack -> address).
    evmc_address to_address() const noexcept {
        uint8_t buf[32];
        store_be(buf);
        evmc_address a;
        std::memcpy(a.bytes, buf + 12, 20);
        return a;
    }
    static uint256 from_address(const evmc_address& a) noexcept {
        return load_be_short(a.bytes, 20);
    }

    constexpr explicit operator bool() const noexcept { return (w[0] | w[1] | w[2] | w[3]) != 0; }
    constexpr bool fits_u64() const noexcept { return (w[1] | w[2] | w[3]) == 0; }
    constexpr uint64_t low64() const noexcept { return w[0]; }
};

// ---- comparison ------------------------------------------------------------------------------

constexpr bool operator==(const uint256& a, const uint256& b) noexcept {
    return ((a.w[0] ^ b.w[0]) | (a.w[1] ^ b.w[1]) | (a.w[2] ^ b.w[2]) | (a.w[3] ^ b.w[3])) == 0;
}
constexpr bool operator!=(const uint256& a, const uint256& b) noexcept {
    return !(a == b);
}

constexpr bool operator<(const uint256& a, const uint256& b) noexcept {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {  // the borrow of a - b: one sub/sbb chain
        unsigned long long t;
        unsigned char c = _subborrow_u64(0, a.w[0], b.w[0], &t);
        c = _subborrow_u64(c, a.w[1], b.w[1], &t);
        c = _subborrow_u64(c, a.w[2], b.w[2], &t);
        c = _subborrow_u64(c, a.w[3], b.w[3], &t);
        return c != 0;
    }
#endif
    unsigned __int128 t = (unsigned __int128)a.w[0] - b.w[0];
    uint64_t borrow = (uint64_t)(t >> 64) & 1;
    for (int i = 1; i < 4; ++i) {
        t = (unsigned __int128)a.w[i] - b.w[i] - borrow;
        borrow = (uint64_t)(t >> 64) & 1;
    }
    return borrow != 0;
}
constexpr bool operator>(const uint256& a, const uint256& b) noexcept {
    return b < a;
}
constexpr bool operator<=(const uint256& a, const uint256& b) noexcept {
    return !(b < a);
}
constexpr bool operator>=(const uint256& a, const uint256& b) noexcept {
    return !(a < b);
}

/// Signed (two's complement) less-than.
constexpr bool slt(const uint256& a, const uint256& b) noexcept {
    const bool an = (a.w[3] >> 63) != 0, bn = (b.w[3] >> 63) != 0;
    if (an != bn) return an;
    return a < b;
}
constexpr bool sgt(const uint256& a, const uint256& b) noexcept {
    return slt(b, a);
}

// ---- bitwise ---------------------------------------------------------------------------------

constexpr uint256 operator&(const uint256& a, const uint256& b) noexcept {
    return {a.w[0] & b.w[0], a.w[1] & b.w[1], a.w[2] & b.w[2], a.w[3] & b.w[3]};
}
constexpr uint256 operator|(const uint256& a, const uint256& b) noexcept {
    return {a.w[0] | b.w[0], a.w[1] | b.w[1], a.w[2] | b.w[2], a.w[3] | b.w[3]};
}
constexpr uint256 operator^(const uint256& a, const uint256& b) noexcept {
    return {a.w[0] ^ b.w[0], a.w[1] ^ b.w[1], a.w[2] ^ b.w[2], a.w[3] ^ b.w[3]};
}
constexpr uint256 operator~(const uint256& a) noexcept {
    return {~a.w[0], ~a.w[1], ~a.w[2], ~a.w[3]};
}

constexpr uint256 operator<<(const uint256& a, uint64_t n) noexcept {
    if (n >= 256) return {};
    const unsigned bits = (unsigned)(n % 64);
    uint64_t x0 = a.w[0], x1 = a.w[1], x2 = a.w[2], x3 = a.w[3];
    switch (n / 64) {  // whole limbs first, then the bits, with no data-dependent loops
        case 1:
            x3 = x2, x2 = x1, x1 = x0, x0 = 0;
            break;
        case 2:
            x3 = x1, x2 = x0, x1 = 0, x0 = 0;
            break;
        case 3:
            x3 = x0, x2 = 0, x1 = 0, x0 = 0;
            break;
        default:
            break;
    }
    if (bits == 0) return {x0, x1, x2, x3};
    const unsigned rb = 64 - bits;
    return {x0 << bits, (x1 << bits) | (x0 >> rb), (x2 << bits) | (x1 >> rb),
            (x3 << bits) | (x2 >> rb)};
}
constexpr uint256 operator>>(const uint256& a, uint64_t n) noexcept {
    if (n >= 256) return {};
    const unsigned bits = (unsigned)(n % 64);
    uint64_t x0 = a.w[0], x1 = a.w[1], x2 = a.w[2], x3 = a.w[3];
    switch (n / 64) {
        case 1:
            x0 = x1, x1 = x2, x2 = x3, x3 = 0;
            break;
        case 2:
            x0 = x2, x1 = x3, x2 = 0, x3 = 0;
            break;
        case 3:
            x0 = x3, x1 = 0, x2 = 0, x3 = 0;
            break;
        default:
            break;
    }
    if (bits == 0) return {x0, x1, x2, x3};
    const unsigned rb = 64 - bits;
    return {(x0 >> bits) | (x1 << rb), (x1 >> bits) | (x2 << rb), (x2 >> bits) | (x3 << rb),
            x3 >> bits};
}
constexpr uint256 operator<<(const uint256& a, const uint256& n) noexcept {
    return n.fits_u64() ? a << n.w[0] : uint256{};
}
constexpr uint256 operator>>(const uint256& a, const uint256& n) noexcept {
    return n.fits_u64() ? a >> n.w[0] : uint256{};
}

/// Arithmetic shift right (EVM SAR): `a` shifted by `n`, filling with its sign bit.
constexpr uint256 sar(const uint256& a, const uint256& n) noexcept {
    const bool neg = (a.w[3] >> 63) != 0;
    if (!neg) return a >> n;
    if (!n.fits_u64() || n.w[0] >= 256) return uint256::max();
    return ~((~a) >> n.w[0]);
}

/// Number of leading zero bits (256 for zero).
constexpr unsigned clz(const uint256& a) noexcept {
    for (int i = 3; i >= 0; --i)
        if (a.w[i] != 0) return (unsigned)(3 - i) * 64 + (unsigned)__builtin_clzll(a.w[i]);
    return 256;
}

/// Bytes needed to hold the value (0 for zero).
constexpr unsigned count_significant_bytes(const uint256& a) noexcept {
    return (256 - clz(a) + 7) / 8;
}

/// EVM BYTE: the `i`-th byte counting from the most significant (0 when i >= 32).
constexpr uint256 byte(const uint256& a, const uint256& i) noexcept {
    if (!i.fits_u64() || i.w[0] >= 32) return {};
    const unsigned k = 31 - (unsigned)i.w[0];  // byte index from the least significant end
    return uint256{(a.w[k / 8] >> (8 * (k % 8))) & 0xff};
}

/// EVM SIGNEXTEND: extends the sign of byte `b` (0 = least significant) of `x`.
constexpr uint256 signextend(const uint256& b, const uint256& x) noexcept {
    if (!b.fits_u64() || b.w[0] >= 31) return x;
    const unsigned bit = (unsigned)b.w[0] * 8 + 7;  // index of the sign bit
    const unsigned limb = bit / 64, off = bit % 64;
    const bool neg = ((x.w[limb] >> off) & 1) != 0;
    uint256 r = x;
    const uint64_t keep = off == 63 ? ~0ull : ((2ull << off) - 1);
    if (neg) {
        r.w[limb] |= ~keep;
        for (unsigned i = limb + 1; i < 4; ++i) r.w[i] = ~0ull;
    } else {
        r.w[limb] &= keep;
        for (unsigned i = limb + 1; i < 4; ++i) r.w[i] = 0;
    }
    return r;
}

// ---- add, sub, mul ---------------------------------------------------------------------------

constexpr uint256 operator+(const uint256& a, const uint256& b) noexcept {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {  // one add/adc chain
        unsigned long long t0, t1, t2, t3;
        unsigned char c = _addcarry_u64(0, a.w[0], b.w[0], &t0);
        c = _addcarry_u64(c, a.w[1], b.w[1], &t1);
        c = _addcarry_u64(c, a.w[2], b.w[2], &t2);
        _addcarry_u64(c, a.w[3], b.w[3], &t3);
        return {t0, t1, t2, t3};
    }
#endif
    uint256 r;
    uint64_t carry = 0;
    for (int i = 0; i < 4; ++i) {
        const unsigned __int128 t = (unsigned __int128)a.w[i] + b.w[i] + carry;
        r.w[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    return r;
}
constexpr uint256 operator-(const uint256& a, const uint256& b) noexcept {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {  // one sub/sbb chain
        unsigned long long t0, t1, t2, t3;
        unsigned char c = _subborrow_u64(0, a.w[0], b.w[0], &t0);
        c = _subborrow_u64(c, a.w[1], b.w[1], &t1);
        c = _subborrow_u64(c, a.w[2], b.w[2], &t2);
        _subborrow_u64(c, a.w[3], b.w[3], &t3);
        return {t0, t1, t2, t3};
    }
#endif
    uint256 r;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; ++i) {
        const unsigned __int128 t = (unsigned __int128)a.w[i] - b.w[i] - borrow;
        r.w[i] = (uint64_t)t;
        borrow = (uint64_t)(t >> 64) & 1;
    }
    return r;
}
constexpr uint256 operator-(const uint256& a) noexcept {
    return uint256{} - a;
}

constexpr uint256 operator*(const uint256& a, const uint256& b) noexcept {
    // Column by column: 6 full products and 4 low halves (the rest falls off the top).
    using u128 = unsigned __int128;
    const u128 p00 = (u128)a.w[0] * b.w[0];
    const u128 p01 = (u128)a.w[0] * b.w[1], p10 = (u128)a.w[1] * b.w[0];
    const u128 p02 = (u128)a.w[0] * b.w[2], p11 = (u128)a.w[1] * b.w[1],
               p20 = (u128)a.w[2] * b.w[0];
    const u128 t1 = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
    const u128 t2 =
        (t1 >> 64) + (p01 >> 64) + (p10 >> 64) + (uint64_t)p02 + (uint64_t)p11 + (uint64_t)p20;
    const uint64_t r3 = (uint64_t)(t2 >> 64) + (uint64_t)(p02 >> 64) + (uint64_t)(p11 >> 64) +
                        (uint64_t)(p20 >> 64) + a.w[0] * b.w[3] + a.w[1] * b.w[2] +
                        a.w[2] * b.w[1] + a.w[3] * b.w[0];
    return {(uint64_t)p00, (uint64_t)t1, (uint64_t)t2, r3};
}

inline uint256& operator+=(uint256& a, const uint256& b) noexcept {
    return a = a + b;
}
inline uint256& operator-=(uint256& a, const uint256& b) noexcept {
    return a = a - b;
}
inline uint256& operator*=(uint256& a, const uint256& b) noexcept {
    return a = a * b;
}
inline uint256& operator&=(uint256& a, const uint256& b) noexcept {
    return a = a & b;
}
inline uint256& operator|=(uint256& a, const uint256& b) noexcept {
    return a = a | b;
}
inline uint256& operator^=(uint256& a, const uint256& b) noexcept {
    return a = a ^ b;
}

// ---- division --------------------------------------------------------------------------------

namespace detail {

/// (hi:lo) / d with hi < d, the remainder in *r. The x86-64 `div` instruction is exact here.
inline uint64_t udiv128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t* r) noexcept {
#if defined(__x86_64__)
    uint64_t q, rem;
    __asm__("divq %4" : "=a"(q), "=d"(rem) : "a"(lo), "d"(hi), "rm"(d));
    *r = rem;
    return q;
#else
    const unsigned __int128 n = ((unsigned __int128)hi << 64) | lo;
    *r = (uint64_t)(n % d);
    return (uint64_t)(n / d);
#endif
}

/// Reciprocal of a normalized divisor d (top bit set): floor((2^128 - 1) / d) - 2^64
/// (Moller and Granlund, "Improved division by invariant integers", 2011).
inline uint64_t reciprocal_2by1(uint64_t d) noexcept {
    uint64_t r;
    return udiv128(~d, ~uint64_t{0}, d, &r);
}

/// (u1:u0) / d for a normalized d with its reciprocal v, u1 < d: two multiplications instead
/// of a hardware divide (same paper, algorithm 4).
inline uint64_t udiv2by1(uint64_t u1, uint64_t u0, uint64_t d, uint64_t v, uint64_t* rem) noexcept {
    const unsigned __int128 q =
        (unsigned __int128)v * u1 + (((unsigned __int128)(u1 + 1) << 64) | u0);
    uint64_t q1 = (uint64_t)(q >> 64);
    const uint64_t q0 = (uint64_t)q;
    uint64_t r = u0 - q1 * d;
    if (r > q0) {
        --q1;
        r += d;
    }
    if (r >= d) {
        ++q1;
        r -= d;
    }
    *rem = r;
    return q1;
}

/// Knuth algorithm D with an N-limb divisor (2 <= N <= 4, d[N-1] != 0) and an m-limb
/// numerator (N <= m <= 8, u[m-1] != 0). Writes q[0..m-N] and r[0..N).
template <int N>
inline void udivrem_knuth(const uint64_t* u, int m, const uint64_t* d, uint64_t* q,
                          uint64_t* r) noexcept {
    const unsigned s = (unsigned)__builtin_clzll(d[N - 1]);
    uint64_t vn[N], un[9];
    for (int i = N - 1; i > 0; --i) vn[i] = s ? (d[i] << s) | (d[i - 1] >> (64 - s)) : d[i];
    vn[0] = d[0] << s;
    un[m] = s ? u[m - 1] >> (64 - s) : 0;
    for (int i = m - 1; i > 0; --i) un[i] = s ? (u[i] << s) | (u[i - 1] >> (64 - s)) : u[i];
    un[0] = u[0] << s;

    const uint64_t dh = vn[N - 1], dl = vn[N - 2];
    const uint64_t v = m - N >= 1 ? reciprocal_2by1(dh) : 0;  // pays off from two digits on
    for (int j = m - N; j >= 0; --j) {
        uint64_t* uj = un + j;
        uint64_t qhat, rhat;
        bool rhat_overflow = false;
        if (uj[N] >= dh) {  // == dh (invariant un[j+N..] < vn); the digit is at most 2^64-1
            qhat = ~0ull;
            const unsigned __int128 t = (unsigned __int128)uj[N - 1] + dh;
            rhat = (uint64_t)t;
            rhat_overflow = (t >> 64) != 0;
        } else if (m - N >= 1) {
            qhat = udiv2by1(uj[N], uj[N - 1], dh, v, &rhat);
        } else {
            qhat = udiv128(uj[N], uj[N - 1], dh, &rhat);
        }
        while (!rhat_overflow &&
               (unsigned __int128)qhat * dl > (((unsigned __int128)rhat << 64) | uj[N - 2])) {
            --qhat;
            const unsigned __int128 t = (unsigned __int128)rhat + dh;
            rhat = (uint64_t)t;
            rhat_overflow = (t >> 64) != 0;
        }
        // uj[0..N] -= qhat * vn
        uint64_t borrow = 0, carry = 0;
        for (int i = 0; i < N; ++i) {
            const unsigned __int128 p = (unsigned __int128)qhat * vn[i] + carry;
            carry = (uint64_t)(p >> 64);
            const uint64_t lo = (uint64_t)p;
            const uint64_t x = uj[i];
            const uint64_t y = x - lo;
            const uint64_t z = y - borrow;
            borrow = (uint64_t)(x < lo) | (uint64_t)(y < borrow);
            uj[i] = z;
        }
        const uint64_t x = uj[N];
        const uint64_t y = x - carry;
        const uint64_t z = y - borrow;
        const bool negative = (x < carry) | (y < borrow);
        uj[N] = z;
        if (negative) {  // qhat was one too large: add back once
            --qhat;
            uint64_t c = 0;
            for (int i = 0; i < N; ++i) {
                const unsigned __int128 s2 = (unsigned __int128)uj[i] + vn[i] + c;
                uj[i] = (uint64_t)s2;
                c = (uint64_t)(s2 >> 64);
            }
            uj[N] += c;
        }
        q[j] = qhat;
    }
    for (int i = 0; i < N; ++i) r[i] = s ? (un[i] >> s) | (un[i + 1] << (64 - s)) : un[i];
}

/// u has m limbs (m <= 8), d has n significant limbs (1 <= n <= 4). Writes q[0..m) (zero above
/// the quotient's digits) and r[0..n).
inline void udivrem(const uint64_t* u, int m, const uint64_t* d, int n, uint64_t* q,
                    uint64_t* r) noexcept {
    for (int i = 0; i < m; ++i) q[i] = 0;
    while (m > 0 && u[m - 1] == 0) --m;
    if (m < n) {  // u < d
        for (int i = 0; i < n; ++i) r[i] = i < m ? u[i] : 0;
        return;
    }
    switch (n) {
        case 1: {
            uint64_t rem = 0;
            for (int i = m - 1; i >= 0; --i) q[i] = udiv128(rem, u[i], d[0], &rem);
            r[0] = rem;
            return;
        }
        case 2:
            return udivrem_knuth<2>(u, m, d, q, r);
        case 3:
            return udivrem_knuth<3>(u, m, d, q, r);
        default:
            return udivrem_knuth<4>(u, m, d, q, r);
    }
}

inline int significant_limbs(const uint64_t* x, int n) noexcept {
    while (n > 0 && x[n - 1] == 0) --n;
    return n;
}

}  // namespace detail

struct div_result {
    uint256 quot, rem;
};

/// Unsigned quotient and remainder; both zero when d == 0 (EVM semantics).
namespace detail {
[[gnu::noinline]] inline div_result udivrem_long(const uint256& u, const uint256& d,
                                                 int n) noexcept {
    div_result res;
    uint64_t q[4], r[4] = {0, 0, 0, 0};
    udivrem(u.w, 4, d.w, n, q, r);
    for (int i = 0; i < 4; ++i) res.quot.w[i] = q[i];
    for (int i = 0; i < 4; ++i) res.rem.w[i] = i < n ? r[i] : 0;
    return res;
}
}  // namespace detail

/// Unsigned quotient and remainder; both zero when d == 0 (EVM semantics). The short cases are
/// inline; long division is out of line.
inline div_result udivrem(const uint256& u, const uint256& d) noexcept {
    div_result res;
    if ((d.w[1] | d.w[2] | d.w[3]) == 0) {
        if (d.w[0] == 0) return res;
        if (u.fits_u64()) {
            res.quot.w[0] = u.w[0] / d.w[0];
            res.rem.w[0] = u.w[0] % d.w[0];
            return res;
        }
        if ((d.w[0] & (d.w[0] - 1)) == 0) {  // a power of two (compiled fixed-point code)
            res.quot = u >> (uint64_t)__builtin_ctzll(d.w[0]);
            res.rem.w[0] = u.w[0] & (d.w[0] - 1);
            return res;
        }
        return detail::udivrem_long(u, d, 1);
    }
    if (u < d) {
        res.rem = u;
        return res;
    }
    return detail::udivrem_long(u, d, detail::significant_limbs(d.w, 4));
}

inline uint256 operator/(const uint256& a, const uint256& b) noexcept {
    return udivrem(a, b).quot;
}
inline uint256 operator%(const uint256& a, const uint256& b) noexcept {
    return udivrem(a, b).rem;
}

/// Signed division (EVM SDIV): truncates toward zero; x/0 == 0; -2^255 / -1 == -2^255.
inline uint256 sdiv(const uint256& a, const uint256& b) noexcept {
    const bool an = (a.w[3] >> 63) != 0, bn = (b.w[3] >> 63) != 0;
    const uint256 q = udivrem(an ? -a : a, bn ? -b : b).quot;
    return an != bn ? -q : q;
}

/// Signed remainder (EVM SMOD): the sign follows the dividend; x%0 == 0.
inline uint256 smod(const uint256& a, const uint256& b) noexcept {
    const bool an = (a.w[3] >> 63) != 0, bn = (b.w[3] >> 63) != 0;
    const uint256 r = udivrem(an ? -a : a, bn ? -b : b).rem;
    return an ? -r : r;
}

/// (a + b) % m without overflow of the intermediate sum; 0 when m == 0.
inline uint256 addmod(const uint256& a, const uint256& b, const uint256& m) noexcept {
    const int n = detail::significant_limbs(m.w, 4);
    if (n == 0) return {};
    if (a < m && b < m) {  // the usual case in modular arithmetic: one conditional subtraction
        const uint256 s = a + b;
        return (s < a || s >= m) ? s - m : s;
    }
    uint64_t s[5];
    uint64_t carry = 0;
    for (int i = 0; i < 4; ++i) {
        const unsigned __int128 t = (unsigned __int128)a.w[i] + b.w[i] + carry;
        s[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    s[4] = carry;
    if (carry == 0) {
        uint256 sum{s[0], s[1], s[2], s[3]};
        if (sum < m) return sum;
    }
    uint64_t q[5], r[4] = {0, 0, 0, 0};
    detail::udivrem(s, 5, m.w, n, q, r);
    uint256 res;
    for (int i = 0; i < n; ++i) res.w[i] = r[i];
    return res;
}

/// (a * b) % m over the full 512-bit product; 0 when m == 0.
inline uint256 mulmod(const uint256& a, const uint256& b, const uint256& m) noexcept {
    const int n = detail::significant_limbs(m.w, 4);
    if (n == 0) return {};
    uint64_t p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 4; ++i) {
        uint64_t carry = 0;
        for (int j = 0; j < 4; ++j) {
            const unsigned __int128 t = (unsigned __int128)a.w[i] * b.w[j] + p[i + j] + carry;
            p[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        p[i + 4] = carry;
    }
    uint64_t q[8], r[4] = {0, 0, 0, 0};
    detail::udivrem(p, 8, m.w, n, q, r);
    uint256 res;
    for (int i = 0; i < n; ++i) res.w[i] = r[i];
    return res;
}

/// base ** exponent mod 2^256.
inline uint256 exp(uint256 base, const uint256& exponent) noexcept {
    uint256 result{1};
    const unsigned bits = 256 - clz(exponent);
    for (unsigned i = 0; i < bits; ++i) {
        if ((exponent.w[i / 64] >> (i % 64)) & 1) result = result * base;
        if (i + 1 < bits) base = base * base;
    }
    return result;
}

}  // namespace pevm
