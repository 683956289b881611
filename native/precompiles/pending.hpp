// Declarations of the precompile functions whose own headers are not in the tree yet (written
// by other engineers at the same time). pending.cpp gives each a weak definition that reports
// invalid input, so the library links before the real, strong definitions exist. Each line
// leaves this file when its header lands; precompiles.cpp then includes that header instead.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace pevm::precompiles {

// kzg.hpp: EIP-4844 point evaluation (0x0a).
bool point_evaluation(std::span<const uint8_t> in, uint8_t out[64]) noexcept;

// bls.hpp: EIP-2537 (0x0b-0x11).
bool bls_g1add(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept;
bool bls_g1msm(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept;
bool bls_g2add(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept;
bool bls_g2msm(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept;
bool bls_pairing(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept;
bool bls_map_fp_to_g1(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept;
bool bls_map_fp2_to_g2(std::span<const uint8_t> in, std::vector<uint8_t>& out) noexcept;

// p256.hpp: EIP-7951 P256VERIFY (0x100); true = valid signature.
bool p256_verify(std::span<const uint8_t> in) noexcept;

}  // namespace pevm::precompiles
