// EIP-196 ECADD and ECMUL on G1 in Jacobian coordinates. ECMUL uses the GLV endomorphism
// phi(x, y) = (beta x, y) = [lambda](x, y): k = k1 + k2 lambda (mod r) with |k1|, |k2| < 2^128
// (Babai rounding against a short lattice basis), then k1 P + k2 phi(P) with interleaved
// width-5 NAFs over one shared chain of 128 doublings.
#include "precompiles/bn254.hpp"

#include "precompiles/bn254_curve.hpp"

#include <cstring>

namespace pevm::precompiles {
namespace {

using namespace bn254;

/// Copies `in` into a zero-padded buffer of n bytes (truncating longer input).
template <size_t N>
void pad(std::span<const uint8_t> in, uint8_t (&buf)[N]) noexcept {
    std::memset(buf, 0, N);
    const size_t n = in.size() < N ? in.size() : N;
    if (n != 0) std::memcpy(buf, in.data(), n);
}

void encode_g1(const G1& p, uint8_t out[64]) noexcept {
    if (p.is_infinity()) {
        std::memset(out, 0, 64);
        return;
    }
    Fp x, y;
    p.to_affine(x, y);
    x.to_be(out);
    y.to_be(out + 32);
}

G1 to_jacobian(const Affine<Fp>& a) noexcept {
    return a.inf ? G1::infinity() : G1::from_affine(a.x, a.y);
}

}  // namespace

bool bn254_add(std::span<const uint8_t> in, uint8_t out[64]) noexcept {
    uint8_t buf[128];
    pad(in, buf);
    Affine<Fp> a, b;
    if (!decode_g1(buf, a) || !decode_g1(buf + 64, b)) return false;
    const G1 sum = b.inf ? to_jacobian(a) : to_jacobian(a).add_affine(b.x, b.y);
    encode_g1(sum, out);
    return true;
}

namespace {

using field256::u128;
using field256::u64;

// beta: a cube root of unity in Fp; lambda is the matching one mod r (phi(P) = [lambda]P).
constexpr Fp kBeta =
    Fp::from_limbs({0x5763473177fffffe, 0xd4f263f1acdb5c4f, 0x59e26bcea0d48bac, 0});
// Short basis (a1, b1), (a2, b2) of {(x, y): x + y lambda = 0 mod r}: b1 = -kB1Abs, a1 = b2.
constexpr Limbs kA1 = {0x89d3256894d213e3, 0, 0, 0};
constexpr Limbs kB1Abs = {0x8211bbeb7d4f1128, 0x6f4d8248eeb859fc, 0, 0};
constexpr Limbs kA2 = {0x0be4e1541221250b, 0x6f4d8248eeb859fd, 0, 0};
constexpr Limbs kB2 = kA1;
// floor(2^256 b2 / r) and floor(2^256 |b1| / r) for the rounding c1 = k g1 >> 256, c2 = k g2 >>
// 256.
constexpr Limbs kG1 = {0xd91d232ec7e0b3d7, 0x2, 0, 0};
constexpr Limbs kG2 = {0x7a7bd9d4391eb18d, 0x4ccef014a773d2cf, 0x2, 0};

/// The 512-bit product a * b as 8 little-endian limbs.
void mul_wide(const Limbs& a, const Limbs& b, u64 out[8]) noexcept {
    for (int i = 0; i < 8; ++i) out[i] = 0;
    for (int i = 0; i < 4; ++i) {
        u64 carry = 0;
        for (int j = 0; j < 4; ++j) {
            const u128 t = static_cast<u128>(a[i]) * b[j] + out[i + j] + carry;
            out[i + j] = static_cast<u64>(t);
            carry = static_cast<u64>(t >> 64);
        }
        out[i + 4] = carry;
    }
}
Limbs mul_low(const Limbs& a, const Limbs& b) noexcept {
    u64 w[8];
    mul_wide(a, b, w);
    return {w[0], w[1], w[2], w[3]};
}
Limbs mul_high(const Limbs& a, const Limbs& b) noexcept {
    u64 w[8];
    mul_wide(a, b, w);
    return {w[4], w[5], w[6], w[7]};
}

/// Splits a value that is a small signed integer mod 2^256 into its magnitude and sign.
bool take_sign(Limbs& v) noexcept {
    if ((v[3] >> 63) == 0) return false;
    Limbs z{};
    field256::sub_borrow(v, z, v);
    return true;
}

G1 glv_mul(const G1& p, Limbs k) noexcept {
    while (!field256::less(k, kOrder)) field256::sub_borrow(k, k, kOrder);
    const Limbs c1 = mul_high(k, kG1);
    const Limbs c2 = mul_high(k, kG2);
    // k1 = k - c1 a1 - c2 a2, k2 = c1 |b1| - c2 b2 (both fit in 128 bits plus a sign)
    Limbs k1{}, k2{};
    field256::sub_borrow(k1, k, mul_low(c1, kA1));
    field256::sub_borrow(k1, k1, mul_low(c2, kA2));
    field256::sub_borrow(k2, mul_low(c1, kB1Abs), mul_low(c2, kB2));
    const bool neg1 = take_sign(k1);
    const bool neg2 = take_sign(k2);

    int8_t d1[257], d2[257];
    const int n1 = field256::wnaf(k1, 5, d1);
    const int n2 = field256::wnaf(k2, 5, d2);
    G1 t1[8], t2[8];
    p.odd_multiples(t1, 8);
    for (int i = 0; i < 8; ++i) {
        t2[i] = {t1[i].x * kBeta, t1[i].y, t1[i].z};
        if (neg1) t1[i] = t1[i].neg();
        if (neg2) t2[i] = t2[i].neg();
    }
    G1 r = G1::infinity();
    for (int i = (n1 > n2 ? n1 : n2) - 1; i >= 0; --i) {
        r = r.dbl();
        const int a = i < n1 ? d1[i] : 0;
        const int b = i < n2 ? d2[i] : 0;
        if (a > 0)
            r = r.add(t1[a / 2]);
        else if (a < 0)
            r = r.add(t1[-a / 2].neg());
        if (b > 0)
            r = r.add(t2[b / 2]);
        else if (b < 0)
            r = r.add(t2[-b / 2].neg());
    }
    return r;
}

}  // namespace

bool bn254_mul(std::span<const uint8_t> in, uint8_t out[64]) noexcept {
    uint8_t buf[96];
    pad(in, buf);
    Affine<Fp> a;
    if (!decode_g1(buf, a)) return false;
    const Limbs k = field256::load_be(buf + 64);
    encode_g1(a.inf ? G1::infinity() : glv_mul(G1::from_affine(a.x, a.y), k), out);
    return true;
}

}  // namespace pevm::precompiles
