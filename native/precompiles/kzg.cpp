// EIP-4844 point evaluation on c-kzg-4844 (verify_kzg_proof) and blst.
//
// The trusted setup: c-kzg's load_trusted_setup() also builds the EIP-7594 (PeerDAS) FK20 tables,
// which takes about 2 s, while verifying one opening reads only [tau]G2, the second G2 monomial
// point. So the build embeds the G2 monomial points of the mainnet setup (and [1]G1, [tau]G1 for a
// self-test; see embed-trusted-setup.js) and we fill a verification-only KZGSettings with them:
// c-kzg 4.1.0's verify_kzg_proof touches no other field. The one-time self-test opens the
// polynomial p(x) = x (commitment [tau]G1, proof [1]G1, y = z), which exercises exactly that path
// with both halves of the setup, so a c-kzg upgrade that needs more of the settings fails at once.
#include "precompiles/kzg.hpp"

#include "precompiles/sha256.hpp"

#include <ckzg.h>

#include <array>
#include <cstdio>
#include <cstring>

extern "C" {
// Generated at build time from c-kzg's trusted_setup.txt (compressed points).
extern const unsigned pevm_kzg_setup_num_g2;
extern const unsigned char pevm_kzg_setup_g2_monomial[];
extern const unsigned char pevm_kzg_setup_g1_monomial_0_1[];
}

namespace pevm::precompiles {
namespace {

constexpr size_t kNumG2 = 65;  // NUM_G2_POINTS of the mainnet setup
constexpr uint8_t kVersionedHashVersionKzg = 0x01;

// FIELD_ELEMENTS_PER_BLOB (4096) and BLS_MODULUS as 32-byte big-endian words: the output.
constexpr uint8_t kSuccessOutput[64] = {
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10, 0x00,
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
};

bool verify(const KZGSettings& s, const uint8_t z[32], const uint8_t y[32],
            const uint8_t commitment[48], const uint8_t proof[48]) noexcept {
    Bytes48 c, p;
    Bytes32 zb, yb;
    std::memcpy(c.bytes, commitment, 48);
    std::memcpy(p.bytes, proof, 48);
    std::memcpy(zb.bytes, z, 32);
    std::memcpy(yb.bytes, y, 32);
    bool ok = false;
    return verify_kzg_proof(&ok, &c, &zb, &yb, &p, &s) == C_KZG_OK && ok;
}

// Opens p(x) = x at z = 42: must verify with y = 42 and fail with y = 43.
bool self_test(const KZGSettings& s) noexcept {
    const uint8_t* g1_one = pevm_kzg_setup_g1_monomial_0_1;
    const uint8_t* g1_tau = pevm_kzg_setup_g1_monomial_0_1 + 48;
    uint8_t generator[48];
    blst_p1_affine_compress(generator, blst_p1_affine_generator());
    if (std::memcmp(generator, g1_one, 48) != 0) return false;
    uint8_t z[32] = {}, y[32] = {};
    z[31] = 42;
    y[31] = 42;
    if (!verify(s, z, y, g1_tau, g1_one)) return false;
    y[31] = 43;
    return !verify(s, z, y, g1_tau, g1_one);
}

// The verification-only settings, built in place once (see the top of the file).
class Setup {
public:
    Setup() noexcept {
        settings_.g2_values_monomial = g2_monomial_.data();
        ready_ = load() && self_test(settings_);
        if (!ready_)
            std::fputs(
                "parallel-evm: the embedded KZG trusted setup failed to load or verify; "
                "the point evaluation precompile (0x0a) will fail every call\n",
                stderr);
    }
    Setup(const Setup&) = delete;
    Setup& operator=(const Setup&) = delete;

    const KZGSettings* settings() const noexcept { return ready_ ? &settings_ : nullptr; }

private:
    bool load() noexcept {
        if (pevm_kzg_setup_num_g2 != kNumG2) return false;
        for (size_t i = 0; i < kNumG2; ++i) {
            blst_p2_affine point;
            if (blst_p2_uncompress(&point, pevm_kzg_setup_g2_monomial + 96 * i) != BLST_SUCCESS ||
                !blst_p2_affine_in_g2(&point))
                return false;
            blst_p2_from_affine(&g2_monomial_[i], &point);
        }
        return true;
    }

    std::array<g2_t, kNumG2> g2_monomial_{};
    KZGSettings settings_{};
    bool ready_ = false;
};

// C++ runs a function-local static's initialisation once, even with concurrent first callers.
const KZGSettings* settings() noexcept {
    static const Setup setup;
    return setup.settings();
}

}  // namespace

bool kzg_setup_ready() noexcept {
    return settings() != nullptr;
}

bool point_evaluation(std::span<const uint8_t> in, uint8_t out[64]) noexcept {
    if (in.size() != 192) return false;
    const uint8_t* versioned_hash = in.data();
    const uint8_t* z = in.data() + 32;
    const uint8_t* y = in.data() + 64;
    const uint8_t* commitment = in.data() + 96;
    const uint8_t* proof = in.data() + 144;

    uint8_t hash[32];
    sha256(commitment, 48, hash);
    hash[0] = kVersionedHashVersionKzg;
    if (std::memcmp(hash, versioned_hash, 32) != 0) return false;

    const KZGSettings* s = settings();
    if (s == nullptr) return false;
    // verify_kzg_proof rejects z, y >= BLS_MODULUS and commitments/proofs that are not valid
    // compressed points of the G1 subgroup (bytes_to_bls_field, bytes_to_kzg_commitment).
    if (!verify(*s, z, y, commitment, proof)) return false;
    std::memcpy(out, kSuccessOutput, 64);
    return true;
}

}  // namespace pevm::precompiles
