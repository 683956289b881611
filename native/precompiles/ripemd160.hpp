// RIPEMD-160 (Dobbertin, Bosselaers, Preneel 1996), for the 0x03 precompile.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pevm::precompiles {

/// Hashes `size` bytes at `data` into `out` (20 bytes). `data` may be null when size is 0.
void ripemd160(const uint8_t* data, size_t size, uint8_t out[20]) noexcept;

}  // namespace pevm::precompiles
