// Optimistic chunks: a block cut into contiguous runs of transactions, each run sequentially on its
// own thread, then checked and committed in block order. An experiment (PEVM_ENGINE=chunks), not
// a default engine: bench/README.md, "Optimistic chunks", has what it measured.
//
// Block-STM pays for every read and write of every transaction (the multi-version memory, the
// validations, the commit): on this machine it runs a block at 0.6-0.9 times the sequential speed
// on one thread, so two threads cannot reach twice the sequential speed even when nothing
// conflicts. Chunks pay much less where little conflicts:
//
//   - the block is cut into one contiguous chunk per worker, balanced by the transactions' gas
//     limits. Worker 0 runs the first chunk with the sequential loop's own `transition` and commit
//     on the block's state. Every other worker runs its chunk the same way on a state of its own
//     over the pre-state, and logs what each transaction read and the value it got: accounts
//     (nonce, code, storage emptiness, existence, and the balance only as far as the outcome
//     depended on it: exactly, or a floor its balance checks needed, as on Block-STM through
//     StateView::balance_observed and balance_at_least; the balance change of an account read
//     without its exact balance is then a delta) and storage slots. The fee recipient, loaded only
//     to credit it a fee that is not zero, is not read at all: its change becomes a credit, which
//     has the same effect whatever its state (StateView::fee_recipient);
//   - afterwards, in block order, each transaction of a later chunk is checked against the
//     block's state, which then holds everything before it: when every read still gets what it
//     got, its change set is the sequential one and is applied; otherwise (or when it was
//     invalid where it ran: a nonce that an earlier chunk raises) it runs again on the block's
//     state. A transaction invalid there is invalid in the block: the run stops before it.
//
// Where chunks conflict (a pool or token balance every chunk touches, a sender in several), the
// check sends transaction after transaction to the serial re-run, which is slower than Block-STM.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "state/block.hpp"
#include "state/block_state.hpp"
#include "stm/types.hpp"

namespace pevm::state {

/// Whether chunks can run `block` on `threads` threads (`why` says why not): at least two of
/// each.
bool chunks_apply(const Block& block, unsigned threads, std::string* why = nullptr);

/// Runs the block's transactions as chunks on the pool and commits them into `state` (an overlay
/// on `pre` holding what the system calls before the transactions wrote), up to the first that is
/// invalid in order. Returns the committed transactions' outcomes, applied (all of them, or those
/// before the invalid one). A strict `pre` may note as missing what only a run that was then redone
/// read: the caller must then restore `state` and let the sequential loop decide. Fills `metrics`
/// (re-executions: the transactions run again); its dependencies are how the transactions ran (each
/// after the one before it, except a later chunk's first when it was not run again), not data
/// dependencies.
std::vector<TxOutcome> execute_chunks(BlockState& state, PreState& pre, const Block& block,
                                      VmChoice vm, unsigned threads, stm::BlockMetrics& metrics);

}  // namespace pevm::state
