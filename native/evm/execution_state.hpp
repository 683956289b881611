// The state of one call frame: the host seam, the message, memory, return data, the refund
// counter and the 1024-item stack. Frames are pooled per thread so that a call costs no
// allocation once the pool is warm.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "evm/evm.hpp"
#include "evm/evmc.h"
#include "evm/opcodes.hpp"
#include "evm/uint256.hpp"

namespace pevm::evm {

/// Byte-addressed EVM memory; its size is always a multiple of 32.
struct Memory {
    uint8_t* data = nullptr;
    size_t size = 0;
    size_t capacity = 0;

    Memory() = default;
    Memory(const Memory&) = delete;
    Memory& operator=(const Memory&) = delete;
    ~Memory() { std::free(data); }

    /// Grows to `new_size` (> size, a multiple of 32), zero-filling. False if out of memory.
    bool grow(size_t new_size) noexcept {
        if (new_size > capacity) {
            size_t cap = capacity < 4096 ? 4096 : capacity;
            while (cap < new_size) cap *= 2;
            void* p = std::realloc(data, cap);
            if (p == nullptr) return false;
            data = static_cast<uint8_t*>(p);
            capacity = cap;
        }
        std::memset(data + size, 0, new_size - size);
        size = new_size;
        return true;
    }
};

/// The largest memory the VM will build: beyond it every expansion is out of gas.
inline constexpr uint64_t kMaxMemory = uint64_t{1} << 32;

/// Memory expansion cost in gas of `words` 32-byte words (Yellow Paper C_mem).
constexpr int64_t memory_cost(uint64_t words) noexcept {
    return static_cast<int64_t>(3 * words + words * words / 512);
}

struct Frame {
    const evmc_host_interface* host = nullptr;
    const HostExtensions* extensions = nullptr;  // none through the EVMC ABI
    evmc_host_context* ctx = nullptr;
    evmc_revision rev = EVMC_FRONTIER;
    const evmc_message* msg = nullptr;
    const uint8_t* code = nullptr;  // as given (unpadded), for CODECOPY
    size_t code_size = 0;

    Memory memory;
    std::vector<uint8_t> return_data;
    int64_t gas_refund = 0;
    size_t output_offset = 0;
    size_t output_size = 0;

    evmc_tx_context tx{};
    bool has_tx = false;

    alignas(64) uint256 stack[kStackLimit];

    /// Whether this frame's account holds at least `amount` (a value transfer's check).
    bool balance_covers(const uint256& amount) noexcept {
        if (extensions != nullptr)
            return extensions->balance_at_least(ctx, msg->recipient, amount.to_bytes32());
        return uint256::from_bytes32(host->get_balance(ctx, &msg->recipient)) >= amount;
    }

    const evmc_tx_context& tx_context() noexcept {
        if (!has_tx) {
            tx = host->get_tx_context(ctx);
            has_tx = true;
        }
        return tx;
    }

    /// Resets everything but the buffers' capacity for a new message.
    void reset() noexcept {
        memory.size = 0;
        return_data.clear();
        gas_refund = 0;
        output_offset = output_size = 0;
        has_tx = false;
    }
};

/// Grows memory to cover [offset, offset + size) and charges for it; `size` > 0 and the end is
/// below kMaxMemory. Returns the gas left (negative = out of gas).
[[gnu::noinline]] int64_t grow_memory(Frame& f, int64_t gas, uint64_t end) noexcept;

/// Charges and grows memory for the region (offset, size) taken from the stack. A zero size
/// touches nothing whatever the offset. Returns false when out of gas (gas then < 0).
inline bool check_memory(Frame& f, int64_t& gas, const uint256& offset,
                         const uint256& size) noexcept {
    if (!size) return true;
    if (!offset.fits_u64() || !size.fits_u64() || offset.w[0] > kMaxMemory ||
        size.w[0] > kMaxMemory) {
        gas = -1;
        return false;
    }
    const uint64_t end = offset.w[0] + size.w[0];
    if (end > f.memory.size) gas = grow_memory(f, gas, end);
    return gas >= 0;
}

constexpr uint64_t num_words(uint64_t bytes) noexcept {
    return (bytes + 31) / 32;
}

/// The result of an out-of-line instruction: EVMC_SUCCESS to continue, else the halt status.
struct OpResult {
    evmc_status_code status;
    int64_t gas;
};

}  // namespace pevm::evm
