// P-256 ECDSA verification: Montgomery fields for p and n, Jacobian points with the a = -3
// doubling, and u1 G + u2 Q by Shamir's trick over 4-bit windows (one shared doubling chain; the
// multiples of G are affine and computed once per process, the multiples of Q per call). The
// final x-coordinate test avoids an inversion: x(R) = X/Z^2, so compare X with r Z^2 and, when
// r + n < p, with (r + n) Z^2.
#include "precompiles/p256.hpp"

#include "precompiles/field256.hpp"

namespace pevm::precompiles {
namespace {

using field256::Limbs;

struct P256Params {
    static constexpr Limbs kModulus = {0xffffffffffffffff, 0x00000000ffffffff, 0x0000000000000000,
                                       0xffffffff00000001};
};
struct P256OrderParams {
    static constexpr Limbs kModulus = {0xf3b9cac2fc632551, 0xbce6faada7179e84, 0xffffffffffffffff,
                                       0xffffffff00000000};
};
using Fp = field256::Fp<P256Params>;
using Fn = field256::Fp<P256OrderParams>;
using Point = field256::Jacobian<Fp, true>;

constexpr Limbs kN = P256OrderParams::kModulus;
constexpr Fp kB = Fp::from_limbs(
    {0x3bce3c3e27d2604b, 0x651d06b0cc53b0f6, 0xb3ebbd55769886bc, 0x5ac635d8aa3a93e7});
constexpr Fp kGx = Fp::from_limbs(
    {0xf4a13945d898c296, 0x77037d812deb33a0, 0xf8bce6e563a440f2, 0x6b17d1f2e12c4247});
constexpr Fp kGy = Fp::from_limbs(
    {0xcbb6406837bf51f5, 0x2bce33576b315ece, 0x8ee7eb4a7c0f9e16, 0x4fe342e2fe1a7f9b});

struct AffineTable {
    Fp x[16], y[16];  // k G for k = 1..15 (index 0 unused)
};

/// 1G..15G in affine form, built on first use (thread-safe static initialization).
const AffineTable& g_table() noexcept {
    static const AffineTable table = [] {
        AffineTable t{};
        Point acc = Point::from_affine(kGx, kGy);
        for (int k = 1; k < 16; ++k) {
            acc.to_affine(t.x[k], t.y[k]);
            acc = acc.add_affine(kGx, kGy);
        }
        return t;
    }();
    return table;
}

unsigned nibble(const Limbs& k, int w) noexcept {
    return static_cast<unsigned>(k[w / 16] >> ((w % 16) * 4)) & 0xf;
}

bool in_scalar_range(const Limbs& v) noexcept {
    return !field256::is_zero(v) && field256::less(v, kN);
}

}  // namespace

bool p256_verify(std::span<const uint8_t> in) noexcept {
    if (in.size() != 160) return false;
    const uint8_t* d = in.data();
    Limbs h = field256::load_be(d);
    const Limbs r = field256::load_be(d + 32);
    const Limbs s = field256::load_be(d + 64);
    if (!in_scalar_range(r) || !in_scalar_range(s)) return false;
    Fp qx, qy;
    if (!Fp::from_be(d + 96, qx) || !Fp::from_be(d + 128, qy)) return false;
    // y^2 = x^3 - 3x + b; (0, 0) is not on the curve since b != 0.
    if (!(qy.sqr() == (qx.sqr() - Fp::from_u64(3)) * qx + kB)) return false;

    if (!field256::less(h, kN)) field256::sub_borrow(h, h, kN);  // h < 2^256 < 2n
    const Fn w = Fn::from_limbs(s).inv();
    const Limbs u1 = (Fn::from_limbs(h) * w).to_limbs();
    const Limbs u2 = (Fn::from_limbs(r) * w).to_limbs();

    Point qtab[16];
    qtab[1] = Point::from_affine(qx, qy);
    for (int k = 2; k < 16; ++k)
        qtab[k] = (k % 2 == 0) ? qtab[k / 2].dbl() : qtab[k - 1].add_affine(qx, qy);
    const AffineTable& gt = g_table();

    Point acc = Point::infinity();
    for (int wdx = 63; wdx >= 0; --wdx) {
        acc = acc.dbl().dbl().dbl().dbl();
        const unsigned a = nibble(u1, wdx);
        const unsigned b = nibble(u2, wdx);
        if (a != 0) acc = acc.add_affine(gt.x[a], gt.y[a]);
        if (b != 0) acc = acc.add(qtab[b]);
    }
    if (acc.is_infinity()) return false;

    // x(R) mod n == r, with x(R) = X / Z^2 < p.
    const Fp z2 = acc.z.sqr();
    if (acc.x == Fp::from_limbs(r) * z2) return true;
    Limbs rn{};
    if (field256::add_carry(rn, r, kN) == 0 && field256::less(rn, P256Params::kModulus))
        return acc.x == Fp::from_limbs(rn) * z2;
    return false;
}

}  // namespace pevm::precompiles
