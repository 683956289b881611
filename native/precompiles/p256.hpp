// P256VERIFY (EIP-7951, Osaka, address 0x100): ECDSA verification over secp256r1 (NIST P-256).
// Only the math and the input rules live here; gas (6900) is the precompile table's business.
#pragma once

#include <cstdint>
#include <span>

namespace pevm::precompiles {

/// Input: exactly 160 bytes (h, r, s, qx, qy), 32-byte big-endian words. True when the signature
/// is valid: r and s in [1, n-1], Q = (qx, qy) with coordinates < p on the curve (so not the point
/// at infinity), and R' = (h s^-1) G + (r s^-1) Q is finite with R'.x mod n == r. False otherwise,
/// including for any other input length.
bool p256_verify(std::span<const uint8_t> in) noexcept;

}  // namespace pevm::precompiles
