// EIP-197 pairing check on bn254: the optimal ate pairing
//   e(P, Q) = (f_{6u+2,Q}(P) * l_{[6u+2]Q, pi(Q)}(P) * l_{[6u+2]Q+pi(Q), -pi^2(Q)}(P))^((p^12-1)/r)
// The Miller loop walks the NAF of 6u+2 with the twist point in homogeneous projective
// coordinates and multiplies sparse line values (a + b w + c w^3) into f, sharing the squarings
// of f across all pairs of a batch. Lines are scaled by Fp2 factors, which the final
// exponentiation erases. The final exponentiation is the easy part (p^6-1)(p^2+1) followed by
// the hard part (p^4-p^2+1)/r as an addition chain in u (Scott et al., "On the final
// exponentiation for calculating pairings on ordinary elliptic curves").
// G2 membership: psi(Q) == [6u^2]Q, where psi = untwist-Frobenius-twist. psi satisfies
// psi^2 - t psi + p = 0 with t = 6u^2 + 1, so psi(Q) = [m]Q with m = 6u^2 gives
// [m^2 - t m + p]Q = [p - 6u^2]Q = [r]Q = O; conversely psi acts as [p] = [6u^2] on G2.
#include "precompiles/bn254.hpp"

#include "precompiles/bn254_curve.hpp"

#include <cstring>

namespace pevm::precompiles {
namespace {

using namespace bn254;

constexpr Fp kInv2 = Fp::from_u64(2).inv();
constexpr Fp2 kTwistB3 = kTwistB * Fp::from_u64(3);
constexpr Limbs kSixUSquared = {0xf83e9682e87cfd46, 0x6f4d8248eeb859fb, 0, 0};

/// NAF of 6u+2, most significant digit first.
constexpr int8_t kAteNaf[] = {1, 0,  -1, 0, 1,  0, 0,  0,  -1, 0, -1, 0, 0,  0,  -1, 0, 1,
                              0, -1, 0,  0, -1, 0, 0,  0,  0,  0, 1,  0, 0,  -1, 0,  1, 0,
                              0, -1, 0,  0, 0,  0, -1, 0,  1,  0, 0,  0, -1, 0,  -1, 0, 0,
                              1, 0,  0,  0, -1, 0, 0,  -1, 0,  1, 0,  1, 0,  0,  0};

/// psi(Q) on the twist: (conj(x) xi^((p-1)/3), conj(y) xi^((p-1)/2)).
Affine<Fp2> psi(const Affine<Fp2>& q) noexcept {
    return {q.x.conj() * kGamma1[2], q.y.conj() * kGamma1[3], false};
}

bool g2_in_subgroup(const Affine<Fp2>& q) noexcept {
    if (q.inf) return true;
    const Affine<Fp2> pq = psi(q);
    return G2::from_affine(q.x, q.y).mul(kSixUSquared).equals(G2::from_affine(pq.x, pq.y));
}

struct G2Proj {
    Fp2 x, y, z;  // x/z, y/z
};

/// T = 2T; returns the tangent line at T evaluated at P = (xp, yp).
Fp12 dbl_step(G2Proj& t, const Fp& xp, const Fp& yp, const Fp12& f) noexcept {
    const Fp2 a = t.x * t.y * kInv2;
    const Fp2 b = t.y.sqr();
    const Fp2 c = t.z.sqr();
    const Fp2 e = kTwistB3 * c;
    const Fp2 f3 = e.dbl() + e;
    const Fp2 g = (b + f3) * kInv2;
    const Fp2 h = (t.y + t.z).sqr() - (b + c);
    const Fp2 i = e - b;
    const Fp2 j = t.x.sqr();
    const Fp2 e2 = e.sqr();
    t.x = a * (b - f3);
    t.y = g.sqr() - (e2.dbl() + e2);
    t.z = b * h;
    return f.mul_line(-(h * yp), (j.dbl() + j) * xp, i);
}

/// T = T + Q for affine Q; returns the line through T and Q evaluated at P.
Fp12 add_step(G2Proj& t, const Fp2& qx, const Fp2& qy, const Fp& xp, const Fp& yp,
              const Fp12& f) noexcept {
    const Fp2 theta = t.y - qy * t.z;
    const Fp2 lambda = t.x - qx * t.z;
    const Fp2 c = theta.sqr();
    const Fp2 d = lambda.sqr();
    const Fp2 e = lambda * d;
    const Fp2 ff = t.z * c;
    const Fp2 g = t.x * d;
    const Fp2 h = e + ff - g.dbl();
    t.x = lambda * h;
    t.y = theta * (g - h) - t.y * e;
    t.z = t.z * e;
    return f.mul_line(lambda * yp, -(theta * xp), theta * qx - lambda * qy);
}

struct Pair {
    Fp xp, yp;
    Fp2 qx, qy;
};

constexpr size_t kBatch = 8;

/// The product of the Miller loop values of n <= kBatch pairs (none at infinity).
Fp12 miller_loop(const Pair* pairs, size_t n) noexcept {
    G2Proj t[kBatch];
    for (size_t k = 0; k < n; ++k) t[k] = {pairs[k].qx, pairs[k].qy, Fp2::one()};
    Fp12 f = Fp12::one();
    for (size_t i = 1; i < sizeof(kAteNaf); ++i) {
        if (i != 1) f = f.sqr();
        for (size_t k = 0; k < n; ++k) {
            const Pair& p = pairs[k];
            f = dbl_step(t[k], p.xp, p.yp, f);
            if (kAteNaf[i] == 1)
                f = add_step(t[k], p.qx, p.qy, p.xp, p.yp, f);
            else if (kAteNaf[i] == -1)
                f = add_step(t[k], p.qx, -p.qy, p.xp, p.yp, f);
        }
    }
    for (size_t k = 0; k < n; ++k) {
        const Pair& p = pairs[k];
        // pi(Q), then -pi^2(Q) = (x xi^((p^2-1)/3), y) since xi^((p^2-1)/2) = -1.
        f = add_step(t[k], p.qx.conj() * kGamma1[2], p.qy.conj() * kGamma1[3], p.xp, p.yp, f);
        f = add_step(t[k], p.qx * kGamma2[2], p.qy, p.xp, p.yp, f);
    }
    return f;
}

/// x^2 for x in Fp4 = Fp2[s] / (s^2 - xi), as (c0 + c1 s).
inline void fp4_sqr(const Fp2& x, const Fp2& y, Fp2& c0, Fp2& c1) noexcept {
    const Fp2 t0 = x.sqr();
    const Fp2 t1 = y.sqr();
    c0 = t1.mul_xi() + t0;
    c1 = (x + y).sqr() - t0 - t1;
}

/// Squaring in the cyclotomic subgroup (Granger-Scott): with s = w^3, f = A + B w + C w^2 over
/// Fp4, f^2 = (3A^2 - 2 conj A) + (3 s C^2 + 2 conj B) w + (3B^2 - 2 conj C) w^2.
Fp12 cyclotomic_sqr(const Fp12& f) noexcept {
    // A = g0 + h1 s, B = h0 + g2 s, C = g1 + h2 s
    const Fp2 &g0 = f.c0.c0, &g1 = f.c0.c1, &g2 = f.c0.c2;
    const Fp2 &h0 = f.c1.c0, &h1 = f.c1.c1, &h2 = f.c1.c2;
    Fp2 a0, a1, b0, b1, c0, c1;
    fp4_sqr(g0, h1, a0, a1);
    fp4_sqr(h0, g2, b0, b1);
    fp4_sqr(g1, h2, c0, c1);
    // 3 t - 2 conj(x) on each component: 3 t0 - 2 x0 and 3 t1 + 2 x1.
    const Fp2 na0 = (a0 - g0).dbl() + a0;
    const Fp2 nh1 = (a1 + h1).dbl() + a1;
    // s C^2 = xi c1 + c0 s
    const Fp2 sc0 = c1.mul_xi();
    const Fp2 nh0 = (sc0 + h0).dbl() + sc0;
    const Fp2 ng2 = (c0 - g2).dbl() + c0;
    const Fp2 ng1 = (b0 - g1).dbl() + b0;
    const Fp2 nh2 = (b1 + h2).dbl() + b1;
    return {{na0, ng1, ng2}, {nh0, nh1, nh2}};
}

/// a^u for a in the cyclotomic subgroup.
Fp12 exp_by_u(const Fp12& a) noexcept {
    Fp12 r = a;
    for (int i = 62 - __builtin_clzll(kU); i >= 0; --i) {
        r = cyclotomic_sqr(r);
        if ((kU >> i) & 1) r *= a;
    }
    return r;
}

Fp12 final_exponentiation(const Fp12& f) noexcept {
    Fp12 t = f.conj() * f.inv();  // f^(p^6-1)
    t = t.frob2() * t;            // ^(p^2+1)
    const Fp12 fp = t.frob();
    const Fp12 fp2 = t.frob2();
    const Fp12 fp3 = fp2.frob();
    const Fp12 fu = exp_by_u(t);
    const Fp12 fu2 = exp_by_u(fu);
    const Fp12 fu3 = exp_by_u(fu2);
    const Fp12 y0 = fp * fp2 * fp3;
    const Fp12 y1 = t.conj();
    const Fp12 y2 = fu2.frob2();
    const Fp12 y3 = fu.frob().conj();
    const Fp12 y4 = (fu * fu2.frob()).conj();
    const Fp12 y5 = fu2.conj();
    const Fp12 y6 = (fu3 * fu3.frob()).conj();
    Fp12 t0 = y6.sqr() * y4 * y5;
    Fp12 t1 = y3 * y5 * t0;
    t0 *= y2;
    t1 = (t1.sqr() * t0).sqr();
    t0 = t1 * y1;
    t1 *= y0;
    return t0.sqr() * t1;
}

}  // namespace

bool bn254_pairing(std::span<const uint8_t> in, uint8_t out[32]) noexcept {
    if (in.size() % 192 != 0) return false;
    const size_t count = in.size() / 192;
    Fp12 f = Fp12::one();
    Pair batch[kBatch];
    size_t n = 0;
    for (size_t i = 0; i < count; ++i) {
        const uint8_t* chunk = in.data() + i * 192;
        Affine<Fp> p;
        Affine<Fp2> q;
        if (!decode_g1(chunk, p) || !decode_g2(chunk + 64, q) || !g2_in_subgroup(q)) return false;
        if (p.inf || q.inf) continue;  // e(O, Q) = e(P, O) = 1
        batch[n++] = {p.x, p.y, q.x, q.y};
        if (n == kBatch) {
            f *= miller_loop(batch, n);
            n = 0;
        }
    }
    if (n != 0) f *= miller_loop(batch, n);
    std::memset(out, 0, 32);
    out[31] = final_exponentiation(f) == Fp12::one() ? 1 : 0;
    return true;
}

}  // namespace pevm::precompiles
