// A mock VM for testing the Block-STM engine without the EVM: each transaction is a list of
// operations over a universe of integer keys, each holding a 256-bit value. Writes store a hash
// mix of everything the transaction read so far, so any stale read changes the result; a busy
// loop between operations simulates work so that parallelism is observable.
//
// Encoding (little-endian): u32 tx_count, then per transaction: u32 work, u16 op_count, then per
// operation: u8 kind, u32 key, and for kDelta a u64 amount.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "stm/types.hpp"

namespace pevm::stm::mock {

enum class OpKind : uint8_t {
    kRead = 0,          // acc = mix(acc, value[key])
    kWrite = 1,         // value[key] = f(acc)
    kDelta = 2,         // value[key] += amount (a delta: no read)
    kWriteIfOdd = 3,    // kWrite when acc is odd (write sets depend on reads)
    kReadIndirect = 4,  // kRead of key (acc mod `key`): read sets depend on reads
    kYield = 5,         // gives up the CPU (shakes out interleavings on a loaded machine)
};

struct Op {
    OpKind kind = OpKind::kRead;
    uint32_t key = 0;
    uint64_t amount = 0;
};

struct Tx {
    uint32_t work = 0;  // busy-loop iterations, spread evenly before the operations
    std::vector<Op> ops;
};

/// The block as an ExecutorTask. Key k's pre-block value is a fixed mix of k.
class MockBlock {
public:
    using Location = uint32_t;
    using LocationHash = std::hash<uint32_t>;
    using LocationEq = std::equal_to<uint32_t>;
    using Value = uint256;
    using Output = uint64_t;  // a digest of everything the transaction read

    /// Decodes `bytes`; on malformed input returns false and sets `error`.
    static bool decode(std::span<const uint8_t> bytes, MockBlock& out, std::string& error);

    explicit MockBlock(std::vector<Tx> txs = {}) : txs_(std::move(txs)) {}

    size_t size() const noexcept { return txs_.size(); }
    /// A bound on the distinct keys the block writes (for the multi-version table).
    size_t location_capacity() const noexcept {
        size_t writes = 0;
        for (const Tx& tx : txs_)
            for (const Op& op : tx.ops)
                writes += op.kind == OpKind::kWrite || op.kind == OpKind::kDelta ||
                          op.kind == OpKind::kWriteIfOdd;
        return writes;
    }
    Value storage_read(const Location& key) const noexcept;
    Value apply_delta(const Value& base, const Delta& delta) const noexcept { return base + delta; }
    Output execute(TxIdx tx, TxView<Location, Value>& view) const;

private:
    std::vector<Tx> txs_;
};

static_assert(ExecutorTask<MockBlock>);

}  // namespace pevm::stm::mock
