// The bn254 (alt_bn128) precompiles: ECADD (0x06), ECMUL (0x07) from EIP-196 and the pairing
// check ECPAIRING (0x08) from EIP-197. Only the math and the input validation live here; gas is
// the precompile table's business (EIP-1108 prices). Every function returns false for invalid
// input, which the table turns into a precompile failure.
#pragma once

#include <cstdint>
#include <span>

namespace pevm::precompiles {

/// ECADD: input (x1, y1, x2, y2), 32-byte big-endian words, right-padded with zeros to 128 bytes
/// (longer input is truncated). Writes x, y of the sum; (0, 0) encodes the point at infinity.
/// False when a coordinate is >= p or a point is neither on the curve nor (0, 0).
bool bn254_add(std::span<const uint8_t> in, uint8_t out[64]) noexcept;

/// ECMUL: input (x, y, k), padded/truncated to 96 bytes; writes k * (x, y) for the full 256-bit
/// scalar k (any value, including 0 and >= the group order). Point rules as for bn254_add.
bool bn254_mul(std::span<const uint8_t> in, uint8_t out[64]) noexcept;

/// ECPAIRING: input is k >= 0 chunks of 192 bytes (x1, y1, x2_im, x2_re, y2_im, y2_re): a G1 point
/// and a G2 point whose Fp2 coordinates are encoded imaginary part first. Writes the 32-byte word
/// 1 when the product of the pairings is 1 (and for empty input), else 0. False when the length
/// is not a multiple of 192, a coordinate is >= p, a point is not on its curve (or the twist) and
/// not (0, 0), or a G2 point is outside the order-r subgroup.
bool bn254_pairing(std::span<const uint8_t> in, uint8_t out[32]) noexcept;

}  // namespace pevm::precompiles
