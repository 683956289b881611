// Keccak-256 (the original Keccak padding, as Ethereum uses it; not NIST SHA3-256).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace pevm::crypto {

using Hash256 = std::array<uint8_t, 32>;

/// Hashes `size` bytes at `data` into `out` (32 bytes). `data` may be null when size is 0.
void keccak256(const uint8_t* data, size_t size, uint8_t out[32]) noexcept;

/// keccak256 of 8 to 64 bytes through a per-thread cache of recent inputs: a hit costs a compare
/// instead of a keccak-f[1600] (~5,000 instructions). A block repeats such inputs: Solidity's
/// mapping slots (keccak256(key . slot), 64 bytes: the same pool's token balance, the same holder)
/// and the log addresses and topics its receipt blooms hash (event signatures, token contracts).
void keccak256_cached(const uint8_t* data, size_t size, uint8_t out[32]) noexcept;

inline Hash256 keccak256(const uint8_t* data, size_t size) noexcept {
    Hash256 h;
    keccak256(data, size, h.data());
    return h;
}

/// Incremental hashing, for inputs that arrive in pieces (RLP encoders, tries).
class Keccak256 {
public:
    void update(const uint8_t* data, size_t size) noexcept;
    void finish(uint8_t out[32]) noexcept;

private:
    static constexpr size_t kRate = 136;  // (1600 - 2 * 256) / 8
    uint64_t state_[25]{};
    uint8_t buffer_[kRate]{};
    size_t buffered_ = 0;
};

}  // namespace pevm::crypto
