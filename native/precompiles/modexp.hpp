// MODEXP (0x05): base^exp mod modulus on big-endian integers of declared lengths (EIP-198).
// Pricing: EIP-198 from Byzantium, EIP-2565 from Berlin, EIP-7883 from Osaka; Osaka also caps
// every declared length at 1024 bytes (EIP-7823).
#pragma once

#include "evm/evmc.h"

#include <cstdint>
#include <span>
#include <vector>

namespace pevm::precompiles {

/// The gas MODEXP charges for `input` in `rev`, saturated at UINT64_MAX. Reads only the three
/// length words and the first 32 bytes of the exponent; never allocates. In Osaka a length
/// above 1024 costs 0 here and fails in modexp_run.
uint64_t modexp_gas(std::span<const uint8_t> input, evmc_revision rev) noexcept;

/// Computes the output (exactly modulus-length bytes). Call only after the gas was charged: the
/// lengths it allocates for are bounded by that gas. False when the input is invalid (Osaka:
/// a declared length above 1024). May throw std::bad_alloc.
bool modexp_run(std::span<const uint8_t> input, evmc_revision rev, std::vector<uint8_t>& out);

/// The arithmetic alone: writes base^exp mod mod, right-aligned in `out` (out.size() bytes, which
/// must hold the result; 0 when mod is 0). Odd moduli use Montgomery multiplication, even ones
/// plain multiplication and division. `exp_zero_tail` extra zero bytes follow `exp` (the part
/// of a declared exponent beyond the end of the input). May throw std::bad_alloc.
void modexp_compute(std::span<const uint8_t> base, std::span<const uint8_t> exp,
                    uint64_t exp_zero_tail, std::span<const uint8_t> mod, std::span<uint8_t> out);

}  // namespace pevm::precompiles
