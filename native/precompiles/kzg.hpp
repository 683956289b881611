// EIP-4844 point evaluation precompile (0x0a): verifies a KZG opening p(z) = y of a blob
// commitment with c-kzg-4844 on blst, against the mainnet trusted setup embedded at build time.
#pragma once

#include <cstdint>
#include <span>

namespace pevm::precompiles {

/// EIP-4844 point evaluation: input 192 bytes (versioned_hash, z, y, commitment, proof); on
/// success writes FIELD_ELEMENTS_PER_BLOB (4096) and BLS_MODULUS as two 32-byte big-endian words.
/// False (precompile failure) when the length is not 192, the versioned hash is not
/// 0x01 ++ sha256(commitment)[1:], z or y is not below BLS_MODULUS, the commitment or proof is not
/// a valid compressed G1 point in the subgroup, the proof does not verify, or the trusted setup
/// could not be loaded (reported once on stderr). Thread-safe; the first call loads the setup.
bool point_evaluation(std::span<const uint8_t> in, uint8_t out[64]) noexcept;

/// Loads the trusted setup now (normally done by the first point_evaluation). False when it
/// cannot be loaded; point_evaluation then always fails.
bool kzg_setup_ready() noexcept;

}  // namespace pevm::precompiles
