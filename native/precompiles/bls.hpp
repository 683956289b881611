// The EIP-2537 BLS12-381 precompiles (Prague, 0x0b-0x11) on blst. Each returns false for an
// invalid input (the precompile fails and consumes all gas); gas is the precompile table's job.
//
// Encodings: a base-field element is 64 bytes big-endian, the top 16 bytes zero, value < p; an Fp2
// element is c0 || c1; a G1 point is x || y (128 bytes), a G2 point x || y (256 bytes); the point
// at infinity is all zeros; a scalar is 32 bytes big-endian, any value. Points must be on the
// curve; MSM and pairing inputs must also be in the prime-order subgroup (add does not check).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace pevm::precompiles {

inline constexpr size_t kBlsG1PointSize = 128;
inline constexpr size_t kBlsG2PointSize = 256;
inline constexpr size_t kBlsG1MsmPairSize = kBlsG1PointSize + 32;                 // 160
inline constexpr size_t kBlsG2MsmPairSize = kBlsG2PointSize + 32;                 // 288
inline constexpr size_t kBlsPairingPairSize = kBlsG1PointSize + kBlsG2PointSize;  // 384

/// 0x0b: input two G1 points (256 bytes), output their sum (128 bytes).
bool bls_g1add(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept;
/// 0x0c: input k > 0 (G1 point, scalar) pairs (160 k bytes), output sum of scalar * point.
bool bls_g1msm(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept;
/// 0x0d: input two G2 points (512 bytes), output their sum (256 bytes).
bool bls_g2add(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept;
/// 0x0e: input k > 0 (G2 point, scalar) pairs (288 k bytes), output sum of scalar * point.
bool bls_g2msm(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept;
/// 0x0f: input k > 0 (G1, G2) pairs (384 k bytes), output 32 bytes: 1 when the product of the
/// pairings is one, else 0.
bool bls_pairing(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept;
/// 0x10: input one Fp element (64 bytes), output the G1 point it maps to (SSWU + isogeny +
/// cofactor clearing, as in RFC 9380's BLS12381G1_XMD:SHA-256_SSWU_RO_ map_to_curve).
bool bls_map_fp_to_g1(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept;
/// 0x11: input one Fp2 element (128 bytes), output the G2 point it maps to.
bool bls_map_fp2_to_g2(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept;

}  // namespace pevm::precompiles
