// The bn254 (alt_bn128) field tower used by EIP-196/197:
//   Fp                       p = 0x30644e72...d87cfd47
//   Fp2  = Fp[u]  / (u^2 + 1)
//   Fp6  = Fp2[v] / (v^3 - xi),  xi = 9 + u
//   Fp12 = Fp6[w] / (w^2 - v)    (so w^6 = xi)
// The twist E': y^2 = x^3 + 3/xi over Fp2 is a D-type sextic twist of E: y^2 = x^3 + 3, mapped
// into E(Fp12) by (x, y) -> (x w^2, y w^3). The Frobenius constants are powers of xi computed
// offline: kGamma1[i] = xi^(i(p-1)/6), kGamma2[i] = xi^(i(p^2-1)/6), kGamma3[i] = xi^(i(p^3-1)/6).
#pragma once

#include "precompiles/field256.hpp"

namespace pevm::precompiles::bn254 {

using field256::Limbs;

struct FpParams {
    static constexpr Limbs kModulus = {0x3c208c16d87cfd47, 0x97816a916871ca8d, 0xb85045b68181585d,
                                       0x30644e72e131a029};
};
using Fp = field256::Fp<FpParams>;

/// The order r of G1, G2 and GT.
inline constexpr Limbs kOrder = {0x43e1f593f0000001, 0x2833e84879b97091, 0xb85045b68181585d,
                                 0x30644e72e131a029};
/// The BN parameter u (x in some papers); p and r are polynomials in it.
inline constexpr uint64_t kU = 0x44e992b44a6909f1;

struct Fp2 {
    Fp c0, c1;  // c0 + c1 u

    static constexpr Fp2 zero() noexcept { return {}; }
    static constexpr Fp2 one() noexcept { return {Fp::one(), Fp::zero()}; }
    static constexpr Fp2 from_limbs(const Limbs& a, const Limbs& b) noexcept {
        return {Fp::from_limbs(a), Fp::from_limbs(b)};
    }
    constexpr bool is_zero() const noexcept { return c0.is_zero() && c1.is_zero(); }
    friend constexpr bool operator==(const Fp2& a, const Fp2& b) noexcept {
        return a.c0 == b.c0 && a.c1 == b.c1;
    }
    friend constexpr Fp2 operator+(const Fp2& a, const Fp2& b) noexcept {
        return {a.c0 + b.c0, a.c1 + b.c1};
    }
    friend constexpr Fp2 operator-(const Fp2& a, const Fp2& b) noexcept {
        return {a.c0 - b.c0, a.c1 - b.c1};
    }
    friend constexpr Fp2 operator-(const Fp2& a) noexcept { return {-a.c0, -a.c1}; }
    friend constexpr Fp2 operator*(const Fp2& a, const Fp2& b) noexcept {
        const Fp t0 = a.c0 * b.c0;
        const Fp t1 = a.c1 * b.c1;
        return {t0 - t1, (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
    }
    friend constexpr Fp2 operator*(const Fp2& a, const Fp& s) noexcept {
        return {a.c0 * s, a.c1 * s};
    }
    constexpr Fp2& operator+=(const Fp2& b) noexcept { return *this = *this + b; }
    constexpr Fp2& operator-=(const Fp2& b) noexcept { return *this = *this - b; }
    constexpr Fp2& operator*=(const Fp2& b) noexcept { return *this = *this * b; }
    constexpr Fp2 dbl() const noexcept { return {c0.dbl(), c1.dbl()}; }
    constexpr Fp2 sqr() const noexcept {
        const Fp t = c0 * c1;
        return {(c0 + c1) * (c0 - c1), t.dbl()};
    }
    constexpr Fp2 conj() const noexcept { return {c0, -c1}; }
    /// this * (9 + u)
    constexpr Fp2 mul_xi() const noexcept {
        const Fp a8 = c0.dbl().dbl().dbl();
        const Fp b8 = c1.dbl().dbl().dbl();
        return {a8 + c0 - c1, c0 + b8 + c1};
    }
    constexpr Fp2 inv() const noexcept {
        const Fp n = (c0.sqr() + c1.sqr()).inv();
        return {c0 * n, -(c1 * n)};
    }
};

struct Fp6 {
    Fp2 c0, c1, c2;  // c0 + c1 v + c2 v^2

    static constexpr Fp6 zero() noexcept { return {}; }
    static constexpr Fp6 one() noexcept { return {Fp2::one(), Fp2::zero(), Fp2::zero()}; }
    constexpr bool is_zero() const noexcept { return c0.is_zero() && c1.is_zero() && c2.is_zero(); }
    friend constexpr bool operator==(const Fp6& a, const Fp6& b) noexcept {
        return a.c0 == b.c0 && a.c1 == b.c1 && a.c2 == b.c2;
    }
    friend constexpr Fp6 operator+(const Fp6& a, const Fp6& b) noexcept {
        return {a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2};
    }
    friend constexpr Fp6 operator-(const Fp6& a, const Fp6& b) noexcept {
        return {a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2};
    }
    friend constexpr Fp6 operator-(const Fp6& a) noexcept { return {-a.c0, -a.c1, -a.c2}; }
    friend constexpr Fp6 operator*(const Fp6& a, const Fp6& b) noexcept {
        const Fp2 t0 = a.c0 * b.c0;
        const Fp2 t1 = a.c1 * b.c1;
        const Fp2 t2 = a.c2 * b.c2;
        return {((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).mul_xi() + t0,
                (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.mul_xi(),
                (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1};
    }
    friend constexpr Fp6 operator*(const Fp6& a, const Fp2& s) noexcept {
        return {a.c0 * s, a.c1 * s, a.c2 * s};
    }
    constexpr Fp6 dbl() const noexcept { return {c0.dbl(), c1.dbl(), c2.dbl()}; }
    constexpr Fp6 sqr() const noexcept {  // CH-SQR2
        const Fp2 s0 = c0.sqr();
        const Fp2 ab = c0 * c1;
        const Fp2 s1 = ab.dbl();
        const Fp2 s2 = (c0 - c1 + c2).sqr();
        const Fp2 bc = c1 * c2;
        const Fp2 s3 = bc.dbl();
        const Fp2 s4 = c2.sqr();
        return {s3.mul_xi() + s0, s4.mul_xi() + s1, s1 + s2 + s3 - s0 - s4};
    }
    /// this * (b0 + b1 v)
    constexpr Fp6 mul_01(const Fp2& b0, const Fp2& b1) const noexcept {
        const Fp2 t0 = c0 * b0;
        const Fp2 t1 = c1 * b1;
        return {(c2 * b1).mul_xi() + t0, (c0 + c1) * (b0 + b1) - t0 - t1, t1 + c2 * b0};
    }
    /// this * v
    constexpr Fp6 mul_v() const noexcept { return {c2.mul_xi(), c0, c1}; }
    constexpr Fp6 inv() const noexcept {
        const Fp2 a = c0.sqr() - (c1 * c2).mul_xi();
        const Fp2 b = c2.sqr().mul_xi() - c0 * c1;
        const Fp2 c = c1.sqr() - c0 * c2;
        const Fp2 f = c0 * a + (c2 * b + c1 * c).mul_xi();
        const Fp2 fi = f.inv();
        return {a * fi, b * fi, c * fi};
    }
};

// Frobenius constants (Montgomery form computed at compile time from the normal-form limbs).
inline constexpr Fp2 kGamma1[6] = {
    Fp2::one(),
    Fp2::from_limbs(
        {0xd60b35dadcc9e470, 0x5c521e08292f2176, 0xe8b99fdd76e68b60, 0x1284b71c2865a7df},
        {0xca5cf05f80f362ac, 0x747992778eeec7e5, 0xa6327cfe12150b8e, 0x246996f3b4fae7e6}),
    Fp2::from_limbs(
        {0x99e39557176f553d, 0xb78cc310c2c3330c, 0x4c0bec3cf559b143, 0x2fb347984f7911f7},
        {0x1665d51c640fcba2, 0x32ae2a1d0b7c9dce, 0x4ba4cc8bd75a0794, 0x16c9e55061ebae20}),
    Fp2::from_limbs(
        {0xdc54014671a0135a, 0xdbaae0eda9c95998, 0xdc5ec698b6e2f9b9, 0x063cf305489af5dc},
        {0x82d37f632623b0e3, 0x21807dc98fa25bd2, 0x0704b5a7ec796f2b, 0x07c03cbcac41049a}),
    Fp2::from_limbs(
        {0x848a1f55921ea762, 0xd33365f7be94ec72, 0x80f3c0b75a181e84, 0x05b54f5e64eea801},
        {0xc13b4711cd2b8126, 0x3685d2ea1bdec763, 0x9f3a80b03b0b1c92, 0x2c145edbe7fd8aee}),
    Fp2::from_limbs(
        {0x2ea2c810eab7692f, 0x425c459b55aa1bd3, 0xe93a3661a4353ff4, 0x0183c1e74f798649},
        {0x24c6b8ee6e0c2c4b, 0xb080cb99678e2ac0, 0xa27fb246c7729f7d, 0x12acf2ca76fd0675}),
};
inline constexpr Fp kGamma2[6] = {
    Fp::one(),
    Fp::from_limbs(
        {0xe4bd44e5607cfd49, 0xc28f069fbb966e3d, 0x5e6dd9e7e0acccb0, 0x30644e72e131a029}),
    Fp::from_limbs(
        {0xe4bd44e5607cfd48, 0xc28f069fbb966e3d, 0x5e6dd9e7e0acccb0, 0x30644e72e131a029}),
    Fp::from_limbs(
        {0x3c208c16d87cfd46, 0x97816a916871ca8d, 0xb85045b68181585d, 0x30644e72e131a029}),
    Fp::from_limbs(
        {0x5763473177fffffe, 0xd4f263f1acdb5c4f, 0x59e26bcea0d48bac, 0x0000000000000000}),
    Fp::from_limbs(
        {0x5763473177ffffff, 0xd4f263f1acdb5c4f, 0x59e26bcea0d48bac, 0x0000000000000000}),
};
inline constexpr Fp2 kGamma3[6] = {
    Fp2::one(),
    Fp2::from_limbs(
        {0xe86f7d391ed4a67f, 0x894cb38dbe55d24a, 0xefe9608cd0acaa90, 0x19dc81cfcc82e4bb},
        {0x7694aa2bf4c0c101, 0x7f03a5e397d439ec, 0x06cbeee33576139d, 0x00abf8b60be77d73}),
    Fp2::from_limbs(
        {0x7b746ee87bdcfb6d, 0x805ffd3d5d6942d3, 0xbaff1c77959f25ac, 0x0856e078b755ef0a},
        {0x380cab2baaa586de, 0x0fdf31bf98ff2631, 0xa9f30e6dec26094f, 0x04f1de41b3d1766f}),
    Fp2::from_limbs(
        {0x5fcc8ad066dce9ed, 0xbbd689a3bea870f4, 0xdbf17f1dca9e5ea3, 0x2a275b6d9896aa4c},
        {0xb94d0cb3b2594c64, 0x7600ecc7d8cf6eba, 0xb14b900e9507e932, 0x28a411b634f09b8f}),
    Fp2::from_limbs(
        {0x0e1a92bc3ccbf066, 0xe633094575b06bcb, 0x19bee0f7b5b2444e, 0x0bc58c6611c08dab},
        {0x5fe3ed9d730c239f, 0xa44a9e08737f96e5, 0xfeb0f6ef0cd21d04, 0x23d5e999e1910a12}),
    Fp2::from_limbs(
        {0xebde847076261b43, 0x2ed68098967c84a5, 0x711699fa3b4d3f69, 0x13c49044952c0905},
        {0x1f25041384282499, 0x3e2ddaea20028021, 0x9fb1b2282a48633d, 0x16db366a59b1dd0b}),
};

struct Fp12 {
    Fp6 c0, c1;  // c0 + c1 w

    static constexpr Fp12 one() noexcept { return {Fp6::one(), Fp6::zero()}; }
    friend constexpr bool operator==(const Fp12& a, const Fp12& b) noexcept {
        return a.c0 == b.c0 && a.c1 == b.c1;
    }
    friend constexpr Fp12 operator*(const Fp12& a, const Fp12& b) noexcept {
        const Fp6 t0 = a.c0 * b.c0;
        const Fp6 t1 = a.c1 * b.c1;
        return {t0 + t1.mul_v(), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
    }
    constexpr Fp12& operator*=(const Fp12& b) noexcept { return *this = *this * b; }
    constexpr Fp12 sqr() const noexcept {
        const Fp6 t = c0 * c1;
        return {(c0 + c1) * (c0 + c1.mul_v()) - t - t.mul_v(), t.dbl()};
    }
    /// this * (a + b w + c w^3), the shape of a line evaluated at a G1 point.
    constexpr Fp12 mul_line(const Fp2& a, const Fp2& b, const Fp2& c) const noexcept {
        const Fp6 t0 = c0 * a;
        const Fp6 t1 = c1.mul_01(b, c);
        return {t0 + t1.mul_v(), (c0 + c1).mul_01(a + b, c) - t0 - t1};
    }
    /// The p^6-power Frobenius (the inverse for elements of the cyclotomic subgroup).
    constexpr Fp12 conj() const noexcept { return {c0, -c1}; }
    constexpr Fp12 inv() const noexcept {
        const Fp6 t = (c0.sqr() - c1.sqr().mul_v()).inv();
        return {c0 * t, -(c1 * t)};
    }
    // With f = g0 + h0 w + g1 w^2 + h1 w^3 + g2 w^4 + h2 w^5, f^(p^k) multiplies the i-th
    // coefficient (conjugated for odd k) by xi^(i(p^k-1)/6).
    constexpr Fp12 frob() const noexcept {
        return {{c0.c0.conj(), c0.c1.conj() * kGamma1[2], c0.c2.conj() * kGamma1[4]},
                {c1.c0.conj() * kGamma1[1], c1.c1.conj() * kGamma1[3], c1.c2.conj() * kGamma1[5]}};
    }
    constexpr Fp12 frob2() const noexcept {
        return {{c0.c0, c0.c1 * kGamma2[2], c0.c2 * kGamma2[4]},
                {c1.c0 * kGamma2[1], c1.c1 * kGamma2[3], c1.c2 * kGamma2[5]}};
    }
    constexpr Fp12 frob3() const noexcept {
        return {{c0.c0.conj(), c0.c1.conj() * kGamma3[2], c0.c2.conj() * kGamma3[4]},
                {c1.c0.conj() * kGamma3[1], c1.c1.conj() * kGamma3[3], c1.c2.conj() * kGamma3[5]}};
    }
};

}  // namespace pevm::precompiles::bn254
