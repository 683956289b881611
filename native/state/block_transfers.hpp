// Blocks of plain ETH transfers: their dependencies are known before they run.
//
// A plain transfer (type 0 to 3, to an account without code outside the precompile range) reads
// and writes three accounts: its sender, its recipient and the fee recipient. Which transactions
// share which accounts is then known from the block and the pre-state alone, so such a block
// needs no multi-version memory, whose bookkeeping costs a plain transfer more than executing it
// does (bench/README.md). Instead:
//
//   - an account is *owned* when an outcome can depend on its state: every sender (nonce and
//     balance), an account a transaction lists in its access list, and an account that is empty
//     before the block and receives a zero credit (EIP-161 removes it, or not, depending on what
//     came before). Every other account a transaction touches is only *credited*: the recipient
//     of a value, the fee recipient. Credits commute, and nothing in the block reads such an
//     account, so its final balance is its pre-block balance plus all of them in any order;
//   - the transactions that share an owned account form a group (union-find over the accounts);
//     the groups are dealt out to the workers, the largest first, to the least loaded;
//   - each worker runs its transactions in block order with the sequential loop's own
//     `transition` and commit, worker 0 on the block's state and the others each on a state of
//     its own over the pre-state; the other workers' states are then merged in, summing the
//     credits to accounts that several of them credited (BlockState::merge).
//
// The outcome is the sequential one by construction: each transaction sees exactly the state of
// the accounts it reads that the transactions before it left. A block with any other transaction,
// or one whose transactions form one group, is not planned (Block-STM or the policy decides).
// Invalid transactions stop every worker and leave the state as it was: the sequential loop then
// runs the block and reports the first of them exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "state/block.hpp"
#include "state/block_state.hpp"
#include "stm/types.hpp"

namespace pevm::state {

struct TransferPlan {
    /// Each worker's transactions, in block order (at least two non-empty lists).
    std::vector<std::vector<uint32_t>> parts;
    /// The owned accounts each transaction touches, numbered 0..accounts-1: its sender, its
    /// recipient when owned (else kNone), and those of its access list (`listed`, empty when no
    /// transaction has one). The workers derive the dependency graph from them.
    static constexpr uint32_t kNone = UINT32_MAX;
    struct Touch {
        uint32_t sender = kNone;
        uint32_t to = kNone;
    };
    std::vector<Touch> touch;
    std::vector<std::vector<uint32_t>> listed;
    size_t accounts = 0;
    size_t groups = 0;
    size_t largest_group = 0;  // transactions
};

/// The plan for `block` on `threads` workers, or nullopt when the block is not all plain
/// transfers, when `state` already holds one of their accounts (the system calls before the
/// transactions wrote it: the workers other than the first read the pre-state directly), when a
/// strict pre-state lacks one of them, or when one group holds nearly every transaction (`why`
/// then says which, when given). The look-ups of the pre-state run on the pool.
std::optional<TransferPlan> plan_transfers(const Block& block, const BlockState& state,
                                           const PreState& pre, unsigned threads,
                                           std::string* why = nullptr);

/// Runs a planned block's transactions on the pool and merges the workers' states into `state`
/// (an overlay on `pre`). Returns every outcome, applied; or, when a transaction is invalid,
/// nothing, with `state` as it was. Fills `metrics`; its dependencies are, for each transaction,
/// the last one before it that touched each of its owned accounts.
std::vector<TxOutcome> execute_transfers(BlockState& state, PreState& pre, const Block& block,
                                         VmChoice vm, TransferPlan plan,
                                         stm::BlockMetrics& metrics);

}  // namespace pevm::state
