// EIP-196 ECADD and ECMUL on G1 (Jacobian coordinates, 4-bit fixed-window multiplication).
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

bool bn254_mul(std::span<const uint8_t> in, uint8_t out[64]) noexcept {
    uint8_t buf[96];
    pad(in, buf);
    Affine<Fp> a;
    if (!decode_g1(buf, a)) return false;
    const Limbs k = field256::load_be(buf + 64);
    encode_g1(to_jacobian(a).mul(k), out);
    return true;
}

}  // namespace pevm::precompiles
