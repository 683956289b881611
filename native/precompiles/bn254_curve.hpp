// bn254 curve points: G1 on E: y^2 = x^3 + 3 over Fp and G2 on the twist E': y^2 = x^3 + 3/xi
// over Fp2, with the EIP-196/197 decoding rules (coordinates < p, (0, 0) = infinity, on the curve).
#pragma once

#include "precompiles/bn254_field.hpp"

namespace pevm::precompiles::bn254 {

using G1 = field256::Jacobian<Fp, false>;
using G2 = field256::Jacobian<Fp2, false>;

inline constexpr Fp kB = Fp::from_u64(3);
/// 3 / (9 + u)
inline constexpr Fp2 kTwistB = Fp2::from_limbs(
    {0x3267e6dc24a138e5, 0xb5b4c5e559dbefa3, 0x81be18991be06ac3, 0x2b149d40ceb8aaae},
    {0xe4a2bd0685c315d2, 0xa74fa084e52d1852, 0xcd2cafadeed8fdf4, 0x009713b03af0fed4});

/// An affine point; `inf` marks the point at infinity (encoded (0, 0)).
template <class F>
struct Affine {
    F x, y;
    bool inf = true;
};

/// Decodes 64 bytes (x, y). False for a coordinate >= p or a point off the curve.
inline bool decode_g1(const uint8_t* b, Affine<Fp>& p) noexcept {
    if (!Fp::from_be(b, p.x) || !Fp::from_be(b + 32, p.y)) return false;
    p.inf = p.x.is_zero() && p.y.is_zero();
    return p.inf || p.y.sqr() == p.x.sqr() * p.x + kB;
}

/// Decodes 128 bytes (x_im, x_re, y_im, y_re) to a point of the twist. False for a coordinate
/// >= p or a point off the twist; the subgroup check is separate (g2_in_subgroup).
inline bool decode_g2(const uint8_t* b, Affine<Fp2>& q) noexcept {
    if (!Fp::from_be(b, q.x.c1) || !Fp::from_be(b + 32, q.x.c0) || !Fp::from_be(b + 64, q.y.c1) ||
        !Fp::from_be(b + 96, q.y.c0))
        return false;
    q.inf = q.x.is_zero() && q.y.is_zero();
    return q.inf || q.y.sqr() == q.x.sqr() * q.x + kTwistB;
}

}  // namespace pevm::precompiles::bn254
