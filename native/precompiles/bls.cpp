// EIP-2537 on blst. blst's own (de)serialisation speaks the ZCash compressed format, so the
// EIP's 64-byte padded field elements (and its c0-first Fp2 order) are converted here, with every
// input rule checked before blst sees the value: blst_fp_from_bendian would silently reduce an
// element >= p. MSM uses blst's Pippenger / fixed-window multi-scalar multiplication (it handles
// doubling and infinity); pairing is one multi-Miller loop and one final exponentiation.
#include "precompiles/bls.hpp"

#include <blst.h>

#include <array>
#include <cstring>

namespace pevm::precompiles {
namespace {

constexpr size_t kFpSize = 64;  // encoded base-field element
constexpr size_t kFpPad = 16;   // leading bytes that must be zero
constexpr size_t kScalarSize = 32;

// The base-field modulus p, 48 bytes big-endian.
constexpr uint8_t kModulus[48] = {
    0x1a, 0x01, 0x11, 0xea, 0x39, 0x7f, 0xe6, 0x9a, 0x4b, 0x1b, 0xa7, 0xb6, 0x43, 0x4b, 0xac, 0xd7,
    0x64, 0x77, 0x4b, 0x84, 0xf3, 0x85, 0x12, 0xbf, 0x67, 0x30, 0xd2, 0xa0, 0xf6, 0xb0, 0xf6, 0x24,
    0x1e, 0xab, 0xff, 0xfe, 0xb1, 0x53, 0xff, 0xff, 0xb9, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xaa, 0xab,
};

bool read_fp(blst_fp& out, const uint8_t* in) noexcept {
    for (size_t i = 0; i < kFpPad; ++i)
        if (in[i] != 0) return false;
    // memcmp orders unsigned bytes lexicographically, i.e. big-endian numbers of equal length.
    if (std::memcmp(in + kFpPad, kModulus, sizeof kModulus) >= 0) return false;
    blst_fp_from_bendian(&out, in + kFpPad);
    return true;
}

bool read_fp2(blst_fp2& out, const uint8_t* in) noexcept {
    return read_fp(out.fp[0], in) && read_fp(out.fp[1], in + kFpSize);
}

void write_fp(uint8_t* out, const blst_fp& v) noexcept {
    std::memset(out, 0, kFpPad);
    blst_bendian_from_fp(out + kFpPad, &v);
}

// An all-zero encoding is the point at infinity, which blst's affine form also encodes as zeros.
bool read_g1(blst_p1_affine& p, const uint8_t* in, bool subgroup_check) noexcept {
    if (!read_fp(p.x, in) || !read_fp(p.y, in + kFpSize)) return false;
    if (blst_p1_affine_is_inf(&p)) return true;
    if (!blst_p1_affine_on_curve(&p)) return false;
    return !subgroup_check || blst_p1_affine_in_g1(&p);
}

bool read_g2(blst_p2_affine& p, const uint8_t* in, bool subgroup_check) noexcept {
    if (!read_fp2(p.x, in) || !read_fp2(p.y, in + 2 * kFpSize)) return false;
    if (blst_p2_affine_is_inf(&p)) return true;
    if (!blst_p2_affine_on_curve(&p)) return false;
    return !subgroup_check || blst_p2_affine_in_g2(&p);
}

void write_g1(std::vector<uint8_t>& out, const blst_p1& p) noexcept {
    out.assign(kBlsG1PointSize, 0);
    if (blst_p1_is_inf(&p)) return;
    blst_p1_affine a;
    blst_p1_to_affine(&a, &p);
    write_fp(out.data(), a.x);
    write_fp(out.data() + kFpSize, a.y);
}

void write_g2(std::vector<uint8_t>& out, const blst_p2& p) noexcept {
    out.assign(kBlsG2PointSize, 0);
    if (blst_p2_is_inf(&p)) return;
    blst_p2_affine a;
    blst_p2_to_affine(&a, &p);
    write_fp(out.data(), a.x.fp[0]);
    write_fp(out.data() + kFpSize, a.x.fp[1]);
    write_fp(out.data() + 2 * kFpSize, a.y.fp[0]);
    write_fp(out.data() + 3 * kFpSize, a.y.fp[1]);
}

using LeScalar = std::array<uint8_t, kScalarSize>;

// blst takes scalars little-endian; the EIP encodes them big-endian. False for zero.
bool read_scalar(LeScalar& out, const uint8_t* in) noexcept {
    uint8_t any = 0;
    for (size_t i = 0; i < kScalarSize; ++i) {
        out[i] = in[kScalarSize - 1 - i];
        any |= in[i];
    }
    return any != 0;
}

// The G1/G2 differences of an MSM, so that one template does both.
struct G1 {
    using Affine = blst_p1_affine;
    using Point = blst_p1;
    static constexpr size_t kPairSize = kBlsG1MsmPairSize;
    static bool read(Affine& p, const uint8_t* in) noexcept { return read_g1(p, in, true); }
    static bool is_inf(const Affine& p) noexcept { return blst_p1_affine_is_inf(&p); }
    static void write(std::vector<uint8_t>& out, const Point& p) noexcept { write_g1(out, p); }
    static size_t scratch_size(size_t n) noexcept {
        return blst_p1s_mult_pippenger_scratch_sizeof(n);
    }
    static void msm(Point* r, const Affine* const* pts, size_t n, const uint8_t* const* scalars,
                    limb_t* scratch) noexcept {
        blst_p1s_mult_pippenger(r, pts, n, scalars, 8 * kScalarSize, scratch);
    }
};

struct G2 {
    using Affine = blst_p2_affine;
    using Point = blst_p2;
    static constexpr size_t kPairSize = kBlsG2MsmPairSize;
    static bool read(Affine& p, const uint8_t* in) noexcept { return read_g2(p, in, true); }
    static bool is_inf(const Affine& p) noexcept { return blst_p2_affine_is_inf(&p); }
    static void write(std::vector<uint8_t>& out, const Point& p) noexcept { write_g2(out, p); }
    static size_t scratch_size(size_t n) noexcept {
        return blst_p2s_mult_pippenger_scratch_sizeof(n);
    }
    static void msm(Point* r, const Affine* const* pts, size_t n, const uint8_t* const* scalars,
                    limb_t* scratch) noexcept {
        blst_p2s_mult_pippenger(r, pts, n, scalars, 8 * kScalarSize, scratch);
    }
};

// Every pair is validated (subgroup included) before any arithmetic; pairs whose point is at
// infinity or whose scalar is zero add nothing and are dropped.
template <class Group>
bool msm(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept {
    constexpr size_t kPair = Group::kPairSize;
    if (in.empty() || in.size() % kPair != 0) return false;
    const size_t k = in.size() / kPair;
    std::vector<typename Group::Affine> points(k);
    std::vector<LeScalar> scalars(k);
    std::vector<const typename Group::Affine*> point_ptrs;
    std::vector<const uint8_t*> scalar_ptrs;
    point_ptrs.reserve(k);
    scalar_ptrs.reserve(k);
    for (size_t i = 0; i < k; ++i) {
        const uint8_t* pair = in.data() + i * kPair;
        if (!Group::read(points[i], pair)) return false;
        const bool nonzero = read_scalar(scalars[i], pair + kPair - kScalarSize);
        if (nonzero && !Group::is_inf(points[i])) {
            point_ptrs.push_back(&points[i]);
            scalar_ptrs.push_back(scalars[i].data());
        }
    }
    typename Group::Point result{};  // Z = 0: infinity
    if (!point_ptrs.empty()) {
        const size_t n = point_ptrs.size();
        std::vector<limb_t> scratch(Group::scratch_size(n) / sizeof(limb_t) + 1);
        Group::msm(&result, point_ptrs.data(), n, scalar_ptrs.data(), scratch.data());
    }
    Group::write(out, result);
    return true;
}

}  // namespace

bool bls_g1add(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept {
    if (in.size() != 2 * kBlsG1PointSize) return false;
    blst_p1_affine a, b;
    if (!read_g1(a, in.data(), false) || !read_g1(b, in.data() + kBlsG1PointSize, false))
        return false;
    blst_p1 sum;
    blst_p1_from_affine(&sum, &a);
    blst_p1_add_or_double_affine(&sum, &sum, &b);
    write_g1(out, sum);
    return true;
}

bool bls_g2add(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept {
    if (in.size() != 2 * kBlsG2PointSize) return false;
    blst_p2_affine a, b;
    if (!read_g2(a, in.data(), false) || !read_g2(b, in.data() + kBlsG2PointSize, false))
        return false;
    blst_p2 sum;
    blst_p2_from_affine(&sum, &a);
    blst_p2_add_or_double_affine(&sum, &sum, &b);
    write_g2(out, sum);
    return true;
}

bool bls_g1msm(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept {
    return msm<G1>(in, out);
}

bool bls_g2msm(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept {
    return msm<G2>(in, out);
}

bool bls_pairing(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept {
    if (in.empty() || in.size() % kBlsPairingPairSize != 0) return false;
    const size_t k = in.size() / kBlsPairingPairSize;
    std::vector<blst_p1_affine> ps(k);
    std::vector<blst_p2_affine> qs(k);
    std::vector<const blst_p1_affine*> p_ptrs;
    std::vector<const blst_p2_affine*> q_ptrs;
    p_ptrs.reserve(k);
    q_ptrs.reserve(k);
    for (size_t i = 0; i < k; ++i) {
        const uint8_t* pair = in.data() + i * kBlsPairingPairSize;
        if (!read_g1(ps[i], pair, true) || !read_g2(qs[i], pair + kBlsG1PointSize, true))
            return false;
        // e(P, Q) = 1 when either is at infinity: such a pair does not change the product.
        if (!blst_p1_affine_is_inf(&ps[i]) && !blst_p2_affine_is_inf(&qs[i])) {
            p_ptrs.push_back(&ps[i]);
            q_ptrs.push_back(&qs[i]);
        }
    }
    bool is_one = true;
    if (!p_ptrs.empty()) {
        blst_fp12 f;
        blst_miller_loop_n(&f, q_ptrs.data(), p_ptrs.data(), p_ptrs.size());
        blst_final_exp(&f, &f);
        is_one = blst_fp12_is_one(&f);
    }
    out.assign(32, 0);
    out[31] = is_one ? 1 : 0;
    return true;
}

bool bls_map_fp_to_g1(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept {
    if (in.size() != kFpSize) return false;
    blst_fp u;
    if (!read_fp(u, in.data())) return false;
    blst_p1 p;
    blst_map_to_g1(&p, &u, nullptr);
    write_g1(out, p);
    return true;
}

bool bls_map_fp2_to_g2(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept {
    if (in.size() != 2 * kFpSize) return false;
    blst_fp2 u;
    if (!read_fp2(u, in.data())) return false;
    blst_p2 p;
    blst_map_to_g2(&p, &u, nullptr);
    write_g2(out, p);
    return true;
}

}  // namespace pevm::precompiles
