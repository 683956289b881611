// SHA-256 (FIPS 180-4), for the 0x02 precompile. Uses the x86 SHA extensions when the CPU has
// them (checked once at run time), otherwise a portable implementation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pevm::precompiles {

/// Hashes `size` bytes at `data` into `out` (32 bytes). `data` may be null when size is 0.
void sha256(const uint8_t* data, size_t size, uint8_t out[32]) noexcept;

/// The portable implementation alone, so that tests can compare both paths.
void sha256_portable(const uint8_t* data, size_t size, uint8_t out[32]) noexcept;

}  // namespace pevm::precompiles
