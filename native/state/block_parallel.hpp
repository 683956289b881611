// A block's transactions on Block-STM (native/stm): the Ethereum task for the generic engine and
// the TxBatch that plugs it into the sequential block executor (block.hpp), so that system calls,
// withdrawals, rewards, receipts and the state diff are the oracle's own code and only the
// per-transaction outcomes come from the parallel run.
//
// Locations: an account's meta (exists, nonce, code hash, has-storage, storage epoch), its balance,
// and a storage slot. A destruction (SELFDESTRUCT, EIP-161 removal) in transaction i sets the
// account's epoch to i + 1; a slot value carries the epoch it was written under, and a read whose
// slot epoch differs from the account's reads zero, so a destroyed (and maybe re-created)
// account's old storage is invisible without enumerating it. New code is kept by hash.
//
// Balances are lazy: the Host reports (StateView::balance_observed) when a balance decided the
// result (BALANCE/SELFBALANCE, a value check that failed, SELFDESTRUCT, emptiness), and
// (StateView::balance_at_least) when only its covering a payment did (a call's value, a create's
// endowment). The sender's balance and observed ones are read through the engine and validated by
// value; covering ones are read as bounds, validated by the bound alone; any other account runs on
// a placeholder and its change is written as a DELTA, so coinbase fees, ETH credits to one
// recipient, and payments out of a contract (WETH's withdrawals) do not conflict. An observed
// balance that differs from its placeholder, or a bound the real balance does not meet, reruns the
// transaction with the real value. The change sets handed to the oracle carry those deltas
// (AccountChange::balance_delta); the oracle resolves them as it applies the sets in block order.
//
// Anything the task cannot express exactly makes the whole block fall back to sequential
// execution (counted in ParallelStats): never a different answer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "state/block.hpp"
#include "state/block_state.hpp"
#include "state/host.hpp"
#include "stm/types.hpp"

namespace pevm::state {

/// A location at which Block-STM lost work (stm::LocationConflicts, in Ethereum terms).
struct ConflictSite {
    enum class Kind : uint8_t {
        kAccount,  // nonce, code, existence or storage emptiness
        kBalance,
        kStorage,    // the slot `key`
        kExistence,  // the fee recipient's existence (read alone by a fee payment)
    };
    Kind kind = Kind::kAccount;
    evmc_address address{};
    evmc_bytes32 key{};  // kStorage
    uint32_t aborts = 0;
    uint32_t waits = 0;
};

struct ParallelStats {
    bool parallel = false;  // the outcomes came from the parallel run
    /// Which parallel run: Block-STM, a block of plain transfers whose groups of dependent
    /// transactions ran side by side (block_transfers.hpp), or optimistic chunks (the
    /// PEVM_ENGINE=chunks experiment, block_chunks.hpp).
    enum class Engine : uint8_t { kBlockStm = 0, kTransferGroups = 1, kChunks = 2 };
    Engine engine = Engine::kBlockStm;
    std::string fallback;  // why the block ran sequentially instead (empty when parallel)
    stm::BlockMetrics metrics;
    /// Where the run's validations aborted and its executions waited, the costliest first.
    std::vector<ConflictSite> conflicts;
};

/// Executes `block` like execute_block, the transactions on `threads` threads with Block-STM.
/// With `adaptive`, Block-STM stops once conflicts dominate and the rest of the block runs
/// sequentially from the transactions it had committed (ParallelStats::fallback says where).
/// A block of plain transfers runs as transfer groups instead (block_transfers.hpp) when it
/// splits into several; with `groups_only`, any other block runs sequentially, not on Block-STM.
BlockOutcome execute_block_parallel(BlockState& state, PreState* pre, const Block& block,
                                    VmChoice vm, unsigned threads, ParallelStats* stats = nullptr,
                                    bool adaptive = false, bool groups_only = false);

}  // namespace pevm::state
