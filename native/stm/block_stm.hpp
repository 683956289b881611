// Block-STM: parallel execution of a block's transactions with a result identical to executing
// them one after the other.
//
// THE IDEA. A block is an ordered list of transactions; the reference semantics is sequential
// execution in that order. Block-STM (Gelashvili et al., 2022; aptos-core's block-executor) runs
// transactions optimistically in parallel and uses the fixed order to settle conflicts: every
// transaction records what it read (its read set) and publishes what it wrote (its write set) into
// a multi-version memory; a transaction's reads return the writes of the highest LOWER index
// transaction, as sequential execution would have seen them if those writes are final. After an
// execution, a validation re-reads the read set; if anything changed, the incarnation is aborted
// and the transaction runs again (a new incarnation). When no task is left the state equals the
// sequential one, because every transaction's last incarnation read exactly what its
// predecessors' last incarnations wrote.
//
// THE PARTS, one file each:
// - types.hpp: the vocabulary. TxIdx, Incarnation, Version (tx, incarnation), WriteOp/WriteSet
//   (a full write, or a DELTA: a commutative addition to a 256-bit balance-like value),
//   ReadEntry/ReadOrigin, the TxView a task reads and writes through, the ExecutorTask concept
//   the engine is generic over (Location, Value, Output, storage_read, apply_delta, execute),
//   BlockMetrics and BlockOutput.
// - mv_memory.hpp: MultiVersionMemory. Per location a Cell of entries sorted by tx index, each a
//   full write or a delta of one incarnation, possibly marked ESTIMATE. A read by tx r walks down
//   from the highest entry below r: an ESTIMATE means "depends on that transaction" (the reader is
//   suspended), deltas are accumulated until a full write or the pre-block storage is reached and
//   then resolved (origin kResolved, validated by VALUE), a full write with no delta on top is
//   kVersioned (validated by VERSION), and nothing at all is kStorage. Cells are found in
//   lock-free open-addressing tables (a slot goes from null to a cell once, by compare-and-swap):
//   the first sized for a typical block so that it stays in cache, larger ones chained on when a
//   location's probe window is full (a block beyond all of them throws TableFull and the caller
//   runs it another way). Reads take no lock either: each cell's entries are guarded by a
//   sequence lock (writers make its counter odd while they change them, one at a time; a reader
//   retries when the counter moved under it), so readers never write the cell's cache lines.
//   Cells, read sets and write sets live in per-worker arenas (arena.hpp) released at once with
//   the block. Recording an incarnation
//   replaces its entries and removes those of locations the previous incarnation wrote but this one
//   did not; it reports whether it wrote a NEW location (then all later transactions must be
//   re-validated). An abort turns the incarnation's entries into ESTIMATEs, so readers wait rather
//   than read doomed values.
// - scheduler.hpp/.cpp: Scheduler, the paper's collaborative scheduler. Two shared indices hand
//   out execution and validation tasks in transaction order (validation first when it lags);
//   index decreases are counted (decrease_cnt) so the done check is exact; num_active_tasks
//   counts tasks in flight. Each transaction has a cache-line aligned slot with its incarnation
//   and status (READY_TO_EXECUTE -> EXECUTING -> EXECUTED -> ABORTING -> READY(i+1); diagram next
//   to the enum). A transaction that reads an ESTIMATE becomes a dependent of its blocker
//   (add_dependency) and is made ready again when the blocker finishes executing
//   (finish_execution): no spinning and no repeated aborts. A worker that finds no task while both
//   indices are past the end sleeps until an index goes back or the block is done.
// - executor.hpp: execute_block_parallel. Each worker loops: execute (MvView records the read set
//   and buffers writes; on an ESTIMATE the task stops and the transaction is suspended; otherwise
//   the writes are recorded in the multi-version memory), or validate (re-read the read set; on a
//   mismatch abort exactly once per incarnation, mark ESTIMATEs, and schedule re-execution). A
//   task may declare a dependency it knows in advance (declared_dependency: the Ethereum task's
//   nonce chains), and the transaction is suspended on it before running. ROLLING COMMIT: a
//   task with a commit() hook receives each final output in block order while later
//   transactions still run (k is final once all lower ones are committed and k's incarnation
//   passed a validation that began after their last write that could change its reads: aborts
//   and records at new locations are numbered; see executor.hpp). In
//   ADAPTIVE mode (ParallelOptions::bail_out_ratio) the run stops once most executions end in
//   conflicts, and the caller continues from the committed prefix. When done: each
//   transaction's last incarnation's output and writes, the dependency graph observed (noted at
//   each commit from the final read sets), and the materialization when asked for.
// - arena.hpp: per-worker bump arenas (pooled across blocks) for read sets, write sets, cells
//   and tables; spin_lock.hpp: the one-byte lock of each transaction's scheduler and
//   executor state.
// - write_buffer.hpp: the per-transaction write buffer (read-your-own-writes, deltas merged) and
//   materialize(): final writes applied in transaction order, deltas resolved, so outputs are
//   byte-identical whatever the thread count or timing.
// - sequential.hpp: execute_block_sequential, the oracle: same task interface, same
//   materialization, one transaction after the other.
// - thread_pool.hpp/.cpp: ThreadPool, created lazily once and kept (the calling thread is worker
//   0; the pool grows to the largest thread count asked for); joined at addon teardown or exit.
//   On Linux it keeps the workers of a run on distinct CPUs (see ThreadPool::run_cpus_).
// - mock_vm.hpp/.cpp: a mock VM (reads, writes of hash mixes of what was read, deltas, busy work)
//   that tests the engine before the EVM is plugged in (native/addon/stm_binding.cpp exposes it).
//
// DELTAS. Ethereum's coinbase fee payment in every transaction, and plain transfers to one
// recipient, would make every transaction conflict with every other one. Kept as deltas, they
// are recorded without reading; they only create a dependency for a transaction that actually
// reads the location (which resolves the chain of deltas and validates by value), and are
// otherwise resolved once at the end.
//
// THE EVM. native/state/block_parallel.cpp is the Ethereum task: locations are an account's
// meta, its balance and a storage slot; execute() runs one state transition through a StateView
// over the TxView; balances nobody observed become deltas; the rolling commit applies each
// change set to the block state in order.
#pragma once

#include "stm/executor.hpp"
#include "stm/mv_memory.hpp"
#include "stm/scheduler.hpp"
#include "stm/sequential.hpp"
#include "stm/thread_pool.hpp"
#include "stm/types.hpp"
#include "stm/write_buffer.hpp"
