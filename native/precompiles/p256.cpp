// P-256 ECDSA verification: Montgomery fields for p and n, Jacobian points with the a = -3
// doubling, and u1 G + u2 Q by Shamir's trick with interleaved NAFs (one shared doubling chain;
// the odd multiples of G are affine and computed once per process, those of Q per call). The
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

// Odd multiples of G for a width-7 NAF: (2i+1) G for i = 0..31, affine.
constexpr int kGWindow = 7;
constexpr int kGTable = 1 << (kGWindow - 2);
struct AffineTable {
    Fp x[kGTable], y[kGTable];
};

/// Built on first use (thread-safe static initialization), 32 inversions once per process.
const AffineTable& g_table() noexcept {
    static const AffineTable table = [] {
        AffineTable t{};
        Point odd[kGTable];
        Point::from_affine(kGx, kGy).odd_multiples(odd, kGTable);
        for (int i = 0; i < kGTable; ++i) odd[i].to_affine(t.x[i], t.y[i]);
        return t;
    }();
    return table;
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

    // u1 G + u2 Q over one doubling chain: width-7 NAF against the static G table (mixed
    // additions), width-5 NAF against 8 odd multiples of Q.
    int8_t d1[257], d2[257];
    const int n1 = field256::wnaf(u1, kGWindow, d1);
    const int n2 = field256::wnaf(u2, 5, d2);
    Point qtab[8];
    Point::from_affine(qx, qy).odd_multiples(qtab, 8);
    const AffineTable& gt = g_table();

    Point acc = Point::infinity();
    for (int i = (n1 > n2 ? n1 : n2) - 1; i >= 0; --i) {
        acc = acc.dbl();
        const int a = i < n1 ? d1[i] : 0;
        const int b = i < n2 ? d2[i] : 0;
        if (a > 0)
            acc = acc.add_affine(gt.x[a / 2], gt.y[a / 2]);
        else if (a < 0)
            acc = acc.add_affine(gt.x[-a / 2], -gt.y[-a / 2]);
        if (b > 0)
            acc = acc.add(qtab[b / 2]);
        else if (b < 0)
            acc = acc.add(qtab[-b / 2].neg());
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
