// Prime fields below 2^256 in Montgomery form over 4x64-bit limbs, and short-Weierstrass
// points in Jacobian coordinates over any such field (or an extension of one). Shared by the
// bn254 (alt_bn128) and P-256 precompiles. Inputs are public, so nothing here is constant-time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace pevm::precompiles::field256 {

using u64 = uint64_t;
using u128 = unsigned __int128;
/// A 256-bit integer as little-endian 64-bit limbs.
using Limbs = std::array<u64, 4>;

constexpr Limbs load_be(const uint8_t* b) noexcept {
    Limbs r{};
    for (int i = 0; i < 4; ++i) {
        u64 w = 0;
        for (int j = 0; j < 8; ++j) w = (w << 8) | b[(3 - i) * 8 + j];
        r[i] = w;
    }
    return r;
}

constexpr void store_be(const Limbs& a, uint8_t* b) noexcept {
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 8; ++j) b[(3 - i) * 8 + j] = static_cast<uint8_t>(a[i] >> (56 - 8 * j));
}

/// a < b as unsigned integers.
constexpr bool less(const Limbs& a, const Limbs& b) noexcept {
    for (int i = 3; i >= 0; --i)
        if (a[i] != b[i]) return a[i] < b[i];
    return false;
}

constexpr bool is_zero(const Limbs& a) noexcept {
    return (a[0] | a[1] | a[2] | a[3]) == 0;
}

/// r = a + b, returns the carry out.
constexpr u64 add_carry(Limbs& r, const Limbs& a, const Limbs& b) noexcept {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {
        unsigned long long r0, r1, r2, r3;
        unsigned char c = _addcarry_u64(0, a[0], b[0], &r0);
        c = _addcarry_u64(c, a[1], b[1], &r1);
        c = _addcarry_u64(c, a[2], b[2], &r2);
        c = _addcarry_u64(c, a[3], b[3], &r3);
        r = Limbs{r0, r1, r2, r3};
        return c;
    }
#endif
    u64 c = 0;
    for (int i = 0; i < 4; ++i) {
        const u128 t = static_cast<u128>(a[i]) + b[i] + c;
        r[i] = static_cast<u64>(t);
        c = static_cast<u64>(t >> 64);
    }
    return c;
}

/// r = a - b, returns the borrow out.
constexpr u64 sub_borrow(Limbs& r, const Limbs& a, const Limbs& b) noexcept {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {
        unsigned long long r0, r1, r2, r3;
        unsigned char c = _subborrow_u64(0, a[0], b[0], &r0);
        c = _subborrow_u64(c, a[1], b[1], &r1);
        c = _subborrow_u64(c, a[2], b[2], &r2);
        c = _subborrow_u64(c, a[3], b[3], &r3);
        r = Limbs{r0, r1, r2, r3};
        return c;
    }
#endif
    u64 borrow = 0;
    for (int i = 0; i < 4; ++i) {
        const u128 t = static_cast<u128>(a[i]) - b[i] - borrow;
        r[i] = static_cast<u64>(t);
        borrow = static_cast<u64>(t >> 64) & 1;
    }
    return borrow;
}

constexpr bool bit(const Limbs& a, unsigned i) noexcept {
    return (a[i / 64] >> (i % 64)) & 1;
}

constexpr unsigned bit_length(const Limbs& a) noexcept {
    for (int i = 3; i >= 0; --i)
        if (a[i] != 0) return static_cast<unsigned>(i * 64 + 64 - __builtin_clzll(a[i]));
    return 0;
}

/// Width-w NAF of k (2 <= w <= 7): k = sum digits[i] 2^i with every digit 0 or odd in
/// (-2^(w-1), 2^(w-1)) and at most one nonzero digit in any w consecutive ones. Returns the
/// number of digits (at most 257).
constexpr int wnaf(const Limbs& k, int w, int8_t digits[257]) noexcept {
    u64 x[5] = {k[0], k[1], k[2], k[3], 0};
    const u64 mask = (u64{1} << w) - 1;
    int n = 0;
    while ((x[0] | x[1] | x[2] | x[3] | x[4]) != 0) {
        int d = 0;
        if (x[0] & 1) {
            d = static_cast<int>(x[0] & mask);
            if (d >= (1 << (w - 1))) d -= 1 << w;
            // x -= d: subtract a small positive value or add a small one, with carries
            if (d > 0) {
                u64 borrow = static_cast<u64>(d);
                for (int i = 0; i < 5 && borrow != 0; ++i) {
                    const u64 before = x[i];
                    x[i] -= borrow;
                    borrow = before < borrow ? 1 : 0;
                }
            } else {
                u64 carry = static_cast<u64>(-d);
                for (int i = 0; i < 5 && carry != 0; ++i) {
                    x[i] += carry;
                    carry = x[i] < carry ? 1 : 0;
                }
            }
        }
        digits[n++] = static_cast<int8_t>(d);
        for (int i = 0; i < 4; ++i) x[i] = (x[i] >> 1) | (x[i + 1] << 63);
        x[4] >>= 1;
    }
    return n;
}

/// An element of GF(P::kModulus) kept in Montgomery form (value * 2^256 mod p), fully reduced,
/// so equality is limb equality. P supplies `static constexpr Limbs kModulus` (odd, < 2^256).
template <class P>
struct Fp {
    static constexpr Limbs kP = P::kModulus;

    static constexpr u64 compute_inv() noexcept {  // -p^-1 mod 2^64 by Newton iteration
        u64 x = 1;
        for (int i = 0; i < 6; ++i) x *= 2 - kP[0] * x;
        return ~x + 1;
    }
    static constexpr Limbs mod_double(const Limbs& a) noexcept {
        Limbs r{}, s{};
        const u64 c = add_carry(r, a, a);
        const u64 b = sub_borrow(s, r, kP);
        return (c != 0 || b == 0) ? s : r;
    }
    static constexpr Limbs compute_r2() noexcept {  // 2^512 mod p
        Limbs r{1, 0, 0, 0};
        for (int i = 0; i < 512; ++i) r = mod_double(r);
        return r;
    }
    static constexpr u64 kInv = compute_inv();
    static constexpr Limbs kR2 = compute_r2();

    Limbs v{};

    // The top limb leaves room for the "no-carry" CIOS variant (bn254 but not P-256).
    static constexpr bool kNoCarry = kP[3] < 0x7fffffffffffffffULL;

    /// Montgomery product a*b/2^256 mod p (CIOS, fully unrolled).
    static constexpr Limbs mont_mul(const Limbs& a, const Limbs& b) noexcept {
        u64 t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) {
            const u64 bi = b[i];
            u128 s = static_cast<u128>(a[0]) * bi + t0;
            t0 = static_cast<u64>(s);
            s = static_cast<u128>(a[1]) * bi + t1 + static_cast<u64>(s >> 64);
            t1 = static_cast<u64>(s);
            s = static_cast<u128>(a[2]) * bi + t2 + static_cast<u64>(s >> 64);
            t2 = static_cast<u64>(s);
            s = static_cast<u128>(a[3]) * bi + t3 + static_cast<u64>(s >> 64);
            t3 = static_cast<u64>(s);
            u64 t5 = 0;
            if constexpr (kNoCarry) {
                t4 = static_cast<u64>(s >> 64);
            } else {
                s = static_cast<u128>(t4) + static_cast<u64>(s >> 64);
                t4 = static_cast<u64>(s);
                t5 = static_cast<u64>(s >> 64);
            }
            const u64 m = t0 * kInv;
            s = static_cast<u128>(m) * kP[0] + t0;
            s = static_cast<u128>(m) * kP[1] + t1 + static_cast<u64>(s >> 64);
            t0 = static_cast<u64>(s);
            s = static_cast<u128>(m) * kP[2] + t2 + static_cast<u64>(s >> 64);
            t1 = static_cast<u64>(s);
            s = static_cast<u128>(m) * kP[3] + t3 + static_cast<u64>(s >> 64);
            t2 = static_cast<u64>(s);
            s = static_cast<u128>(t4) + static_cast<u64>(s >> 64);
            t3 = static_cast<u64>(s);
            t4 = t5 + static_cast<u64>(s >> 64);
        }
        return reduce_once(Limbs{t0, t1, t2, t3}, t4);
    }

    /// (hi:r) - p when that is >= 0, else r; requires (hi:r) < 2p.
    static constexpr Limbs reduce_once(const Limbs& r, u64 hi) noexcept {
        Limbs d{};
        const u64 borrow = sub_borrow(d, r, kP);
        const u64 keep = (hi == 0 && borrow != 0) ? ~u64{0} : 0;  // r < p: keep r
        return Limbs{(r[0] & keep) | (d[0] & ~keep), (r[1] & keep) | (d[1] & ~keep),
                     (r[2] & keep) | (d[2] & ~keep), (r[3] & keep) | (d[3] & ~keep)};
    }

    static constexpr Fp zero() noexcept {
        return Fp{};
    }
    static constexpr Fp one() noexcept {
        return from_limbs(Limbs{1, 0, 0, 0});
    }
    /// `a` must be < p.
    static constexpr Fp from_limbs(const Limbs& a) noexcept {
        return Fp{mont_mul(a, kR2)};
    }
    static constexpr Fp from_u64(u64 a) noexcept {
        return from_limbs(Limbs{a, 0, 0, 0});
    }
    /// False when the 32 big-endian bytes encode a value >= p.
    static constexpr bool from_be(const uint8_t* b, Fp& out) noexcept {
        const Limbs a = load_be(b);
        if (!less(a, kP)) return false;
        out = from_limbs(a);
        return true;
    }
    constexpr Limbs to_limbs() const noexcept {
        return mont_mul(v, Limbs{1, 0, 0, 0});
    }
    constexpr void to_be(uint8_t* b) const noexcept {
        store_be(to_limbs(), b);
    }

    constexpr bool is_zero() const noexcept {
        return field256::is_zero(v);
    }
    friend constexpr bool operator==(const Fp& a, const Fp& b) noexcept {
        return a.v == b.v;
    }

    friend constexpr Fp operator+(const Fp& a, const Fp& b) noexcept {
        Limbs r{};
        const u64 c = add_carry(r, a.v, b.v);
        return Fp{reduce_once(r, c)};
    }
    friend constexpr Fp operator-(const Fp& a, const Fp& b) noexcept {
        Limbs r{};
        const u64 mask = u64{0} - sub_borrow(r, a.v, b.v);  // add p back on borrow
        add_carry(r, r, Limbs{kP[0] & mask, kP[1] & mask, kP[2] & mask, kP[3] & mask});
        return Fp{r};
    }
    friend constexpr Fp operator-(const Fp& a) noexcept {
        return a.is_zero() ? a : Fp{} - a;
    }
    friend constexpr Fp operator*(const Fp& a, const Fp& b) noexcept {
        return Fp{mont_mul(a.v, b.v)};
    }
    constexpr Fp& operator+=(const Fp& b) noexcept {
        return *this = *this + b;
    }
    constexpr Fp& operator-=(const Fp& b) noexcept {
        return *this = *this - b;
    }
    constexpr Fp& operator*=(const Fp& b) noexcept {
        return *this = *this * b;
    }
    constexpr Fp dbl() const noexcept {
        return *this + *this;
    }
    constexpr Fp sqr() const noexcept {
        return *this * *this;
    }

    constexpr Fp pow(const Limbs& e) const noexcept {
        Fp r = one();
        for (int i = static_cast<int>(bit_length(e)) - 1; i >= 0; --i) {
            r = r.sqr();
            if (bit(e, static_cast<unsigned>(i))) r *= *this;
        }
        return r;
    }
    /// Multiplicative inverse by the binary extended Euclidean algorithm on the Montgomery
    /// representative: x = (aR)^-1, then x * R^3 / R = R/a. The inverse of 0 is 0.
    constexpr Fp inv() const noexcept {
        if (is_zero()) return *this;
        Limbs u = v, w = kP, x1{1, 0, 0, 0}, x2{0, 0, 0, 0};
        const Limbs one{1, 0, 0, 0};
        // halve(x) = x/2 mod p for x < p.
        auto halve = [](Limbs & x) constexpr {
            u64 top = 0;
            if (x[0] & 1) top = add_carry(x, x, kP);
            x[0] = (x[0] >> 1) | (x[1] << 63);
            x[1] = (x[1] >> 1) | (x[2] << 63);
            x[2] = (x[2] >> 1) | (x[3] << 63);
            x[3] = (x[3] >> 1) | (top << 63);
        };
        auto shr1 = [](Limbs & x) constexpr {
            x[0] = (x[0] >> 1) | (x[1] << 63);
            x[1] = (x[1] >> 1) | (x[2] << 63);
            x[2] = (x[2] >> 1) | (x[3] << 63);
            x[3] >>= 1;
        };
        auto sub_mod = [](Limbs & x, const Limbs& y) constexpr {
            if (sub_borrow(x, x, y)) add_carry(x, x, kP);
        };
        while (u != one && w != one) {
            while ((u[0] & 1) == 0) {
                shr1(u);
                halve(x1);
            }
            while ((w[0] & 1) == 0) {
                shr1(w);
                halve(x2);
            }
            if (!less(u, w)) {
                sub_borrow(u, u, w);
                sub_mod(x1, x2);
            } else {
                sub_borrow(w, w, u);
                sub_mod(x2, x1);
            }
        }
        return Fp{mont_mul(u == one ? x1 : x2, kR3)};
    }
    static constexpr Limbs kR3 = mont_mul(kR2, kR2);
};

/// A point in Jacobian coordinates (x = X/Z^2, y = Y/Z^3) on y^2 = x^3 + a*x + b with a = 0 or
/// a = -3 (kAMinus3); Z = 0 is the point at infinity. F is any field type with + - * sqr dbl.
template <class F, bool kAMinus3>
struct Jacobian {
    F x, y, z;

    static constexpr Jacobian infinity() noexcept { return {F::one(), F::one(), F::zero()}; }
    static constexpr Jacobian from_affine(const F& ax, const F& ay) noexcept {
        return {ax, ay, F::one()};
    }
    constexpr bool is_infinity() const noexcept { return z.is_zero(); }

    constexpr Jacobian neg() const noexcept { return {x, -y, z}; }

    constexpr Jacobian dbl() const noexcept {
        if (is_infinity() || y.is_zero()) return infinity();
        if constexpr (kAMinus3) {
            const F delta = z.sqr();
            const F gamma = y.sqr();
            const F beta = x * gamma;
            const F t = (x - delta) * (x + delta);
            const F alpha = t.dbl() + t;
            const F beta4 = beta.dbl().dbl();
            const F x3 = alpha.sqr() - beta4.dbl();
            const F z3 = (y + z).sqr() - gamma - delta;
            const F g2 = gamma.sqr();
            const F y3 = alpha * (beta4 - x3) - g2.dbl().dbl().dbl();
            return {x3, y3, z3};
        } else {
            const F a = x.sqr();
            const F b = y.sqr();
            const F c = b.sqr();
            const F d = ((x + b).sqr() - a - c).dbl();
            const F e = a.dbl() + a;
            const F f = e.sqr();
            const F x3 = f - d.dbl();
            const F y3 = e * (d - x3) - c.dbl().dbl().dbl();
            const F z3 = (y * z).dbl();
            return {x3, y3, z3};
        }
    }

    /// this + q for any two points (handles equal, opposite and infinite operands).
    constexpr Jacobian add(const Jacobian& q) const noexcept {
        if (is_infinity()) return q;
        if (q.is_infinity()) return *this;
        const F z1z1 = z.sqr();
        const F z2z2 = q.z.sqr();
        const F u1 = x * z2z2;
        const F u2 = q.x * z1z1;
        const F s1 = y * q.z * z2z2;
        const F s2 = q.y * z * z1z1;
        const F h = u2 - u1;
        const F r = (s2 - s1).dbl();
        if (h.is_zero()) return r.is_zero() ? dbl() : infinity();
        const F i = h.dbl().sqr();
        const F j = h * i;
        const F v = u1 * i;
        const F x3 = r.sqr() - j - v.dbl();
        const F y3 = r * (v - x3) - (s1 * j).dbl();
        const F z3 = ((z + q.z).sqr() - z1z1 - z2z2) * h;
        return {x3, y3, z3};
    }

    /// this + (ax, ay) for an affine (finite) point.
    constexpr Jacobian add_affine(const F& ax, const F& ay) const noexcept {
        if (is_infinity()) return from_affine(ax, ay);
        const F z1z1 = z.sqr();
        const F u2 = ax * z1z1;
        const F s2 = ay * z * z1z1;
        const F h = u2 - x;
        const F r = (s2 - y).dbl();
        if (h.is_zero()) return r.is_zero() ? dbl() : infinity();
        const F hh = h.sqr();
        const F i = hh.dbl().dbl();
        const F j = h * i;
        const F v = x * i;
        const F x3 = r.sqr() - j - v.dbl();
        const F y3 = r * (v - x3) - (y * j).dbl();
        const F z3 = (z + h).sqr() - z1z1 - hh;
        return {x3, y3, z3};
    }

    /// Affine coordinates; the point must not be at infinity.
    constexpr void to_affine(F& ax, F& ay) const noexcept {
        const F zi = z.inv();
        const F zi2 = zi.sqr();
        ax = x * zi2;
        ay = y * zi2 * zi;
    }

    /// Equality of the projective classes (both may be at infinity).
    constexpr bool equals(const Jacobian& q) const noexcept {
        if (is_infinity() || q.is_infinity()) return is_infinity() && q.is_infinity();
        const F z1z1 = z.sqr();
        const F z2z2 = q.z.sqr();
        if (!(x * z2z2 == q.x * z1z1)) return false;
        return y * q.z * z2z2 == q.y * z * z1z1;
    }

    /// The odd multiples P, 3P, ..., (2n-1)P.
    constexpr void odd_multiples(Jacobian* table, int n) const noexcept {
        table[0] = *this;
        const Jacobian twice = dbl();
        for (int i = 1; i < n; ++i) table[i] = table[i - 1].add(twice);
    }

    /// k * this for a 256-bit scalar k (width-5 NAF).
    constexpr Jacobian mul(const Limbs& k) const noexcept {
        int8_t digits[257];
        const int n = wnaf(k, 5, digits);
        Jacobian table[8];
        odd_multiples(table, 8);
        Jacobian r = infinity();
        for (int i = n - 1; i >= 0; --i) {
            r = r.dbl();
            const int d = digits[i];
            if (d > 0)
                r = r.add(table[d / 2]);
            else if (d < 0)
                r = r.add(table[-d / 2].neg());
        }
        return r;
    }
};

}  // namespace pevm::precompiles::field256
