// The BLAKE2b compression function F with a caller-chosen number of rounds (EIP-152, 0x09).
#pragma once

#include <cstdint>

namespace pevm::precompiles {

/// F(h, m, t, f) with `rounds` rounds: updates the state `h` in place. `m` is the 16-word
/// message block, `t` the 128-bit offset counter, `final_block` the final-block flag.
void blake2b_compress(uint32_t rounds, uint64_t h[8], const uint64_t m[16], const uint64_t t[2],
                      bool final_block) noexcept;

}  // namespace pevm::precompiles
