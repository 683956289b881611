// secp256k1 public-key recovery (libsecp256k1): the ECRECOVER precompile (0x01), and the sender
// and EIP-7702 authority recovery of the state transition.
#pragma once

#include "evm/evmc.h"

#include <cstdint>
#include <optional>

namespace pevm::precompiles {

/// The address (last 20 bytes of keccak256 of the 64-byte public key) that signed `hash` with
/// (r, s, y_parity); nullopt when r or s is 0 or >= the group order n, y_parity is not 0 or 1,
/// or no key exists. Accepts high s: callers apply the low-s rule where it holds. Thread-safe.
std::optional<evmc_address> recover_address(const uint8_t hash[32], const uint8_t r[32],
                                            const uint8_t s[32], uint8_t y_parity) noexcept;

/// The ECRECOVER precompile on its 128-byte input (hash, v, r, s; shorter input is zero-padded):
/// writes the address left-padded to 32 bytes and returns true, or returns false (the precompile
/// then succeeds with empty output) when v is not 27 or 28 or recovery fails.
bool ecrecover(const uint8_t* input, size_t size, uint8_t out[32]) noexcept;

}  // namespace pevm::precompiles
