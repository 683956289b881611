// Whole blocks, sequentially: the oracle that the parallel executor must match byte for byte.
//
// execute_block runs, in the order of the execution specs:
//   1. the pre-transaction system calls: EIP-4788 beacon root (Cancun+), EIP-2935 parent hash
//      (Prague+); the DAO-fork irregular state change at its block;
//   2. every transaction through the single-transaction `transition` on a BlockState (the
//      pre-state plus the block's committed writes), checking the block gas left before each, and
//      building its receipt (status, cumulative gas, logs, bloom);
//   3. withdrawals (Shanghai+), then the EIP-7002/7251 request system calls (Prague+), whose
//      outputs feed the EIP-7685 requests hash (computed by the caller with the deposit requests
//      it parses from the receipts' logs);
//   4. before Paris, the block and ommer rewards.
// It reads state only through the StateView seam and returns the receipts and the state diff.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "evm/evmc.h"
#include "evm/uint256.hpp"
#include "state/block_state.hpp"
#include "state/host.hpp"
#include "state/transition.hpp"

namespace pevm::state {

struct Withdrawal {
    uint64_t index = 0;
    uint64_t validator = 0;
    evmc_address address{};
    uint64_t amount_gwei = 0;
};

struct Ommer {
    evmc_address coinbase{};
    int64_t number = 0;
};

struct Block {
    evmc_revision rev = EVMC_FRONTIER;
    BlockEnv env;
    evmc_bytes32 parent_hash{};
    std::optional<evmc_bytes32> parent_beacon_root;  // Cancun+
    std::vector<Transaction> txs;
    std::optional<std::vector<Withdrawal>> withdrawals;  // Shanghai+
    /// Pre-Paris rewards: the ommers whose headers are known, and how many more ommers the
    /// block has whose headers are not (they still earn the coinbase its nephew share).
    std::vector<Ommer> ommers;
    uint32_t unknown_ommers = 0;
    /// Apply the DAO-fork irregular state change (set by the caller at the DAO block of a chain
    /// that took the fork).
    bool dao_fork = false;
};

struct Receipt {
    uint8_t type = 0;
    bool success = true;
    uint64_t gas_used = 0;
    uint64_t cumulative_gas = 0;
    std::vector<Log> logs;
    uint8_t bloom[256]{};
};

struct BlockFailure {
    enum class Kind : uint8_t { InvalidTransaction = 1, InvalidBlock = 2, MissingState = 3 };
    Kind kind;
    uint32_t tx_index = 0;  // InvalidTransaction
    std::string reason;     // an UPPER_SNAKE code (MissingState: "MISSING_STATE")
    std::string message;
};

struct BlockOutcome {
    std::optional<BlockFailure> failure;  // set: the block is invalid, nothing else is set
    std::vector<Receipt> receipts;
    uint64_t gas_used = 0;
    uint64_t blob_gas_used = 0;
    uint8_t bloom[256]{};
    bool has_requests = false;  // Prague+
    std::vector<uint8_t> withdrawal_requests;
    std::vector<uint8_t> consolidation_requests;
    std::vector<AccountDiff> diff;
    uint64_t execution_ns = 0;
};

/// The maximum blob gas of a block under `rev`.
uint64_t max_blob_gas_per_block(evmc_revision rev) noexcept;

/// Adds a log (address and topics) to a 2048-bit bloom filter.
void bloom_add(uint8_t bloom[256], const Log& log) noexcept;

/// Commits `r` to `state` for a block executor that runs transactions on workers: applies its
/// change set, marks it applied and frees the change set here, on the thread that allocated it
/// (freed later on another thread, it went into that thread's malloc arena, slowly).
void commit_outcome(BlockState& state, TxOutcome& r);

/// Computes every transaction's outcome at once on the state after the pre-transaction system
/// changes (Block-STM: block_parallel.hpp). Outcome i must be what `transition` returns for tx i
/// on the state after transactions 0..i-1; the batch may already have applied it to the state
/// (TxOutcome::applied, in block order). A shorter result covers a prefix of the block: the
/// rest runs one by one on the state the batch left (which, for an empty result, must be as the
/// batch found it).
using TxBatch = std::function<std::vector<TxOutcome>(BlockState&)>;

/// How to build the state diff on several threads (BlockState::diff).
struct ParallelDiff {
    unsigned parts = 1;
    PartRunner run;
};

/// Executes `block` on `state` (its BlockState must wrap the block's pre-state). Spans in the
/// returned diff point into `state` and stay valid while it lives.
BlockOutcome execute_block(BlockState& state, const PreState* pre, const Block& block, VmChoice vm,
                           const TxBatch* batch = nullptr,
                           const ParallelDiff* parallel_diff = nullptr);

}  // namespace pevm::state
