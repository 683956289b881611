// The Block-STM vocabulary shared by every part of native/stm (see block_stm.hpp for the story):
// transaction indices and incarnations, versions, the task interface a VM implements, the view a
// task reads and writes through, read sets, write sets (full writes and deltas), and the output of
// a block.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "evm/uint256.hpp"
#include "stm/arena.hpp"
#include "stm/hash.hpp"

namespace pevm::stm {

/// Nanoseconds since `since` on the steady clock (the engines' metrics).
inline uint64_t elapsed_ns(std::chrono::steady_clock::time_point since) {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now() - since)
                                     .count());
}

/// A transaction's position in the block.
using TxIdx = uint32_t;
/// How many times a transaction has been (re)started: 0 for the first execution.
using Incarnation = uint32_t;

/// Which incarnation of which transaction produced a value.
struct Version {
    TxIdx tx = 0;
    Incarnation incarnation = 0;
    friend bool operator==(const Version&, const Version&) = default;
};

/// A DELTA is a commutative addition (mod 2^256) to a balance-like value. Deltas to one location
/// do not conflict with each other; they are resolved only when a transaction reads the location
/// or when the block's final state is materialized.
using Delta = uint256;

/// How a transaction changed one location.
enum class WriteKind : uint8_t {
    kFull,   // the location now holds `value`
    kDelta,  // `delta` was added to whatever the location held
};

template <class Location, class Value>
struct WriteOp {
    Location location{};
    WriteKind kind = WriteKind::kFull;
    Value value{};  // kFull
    Delta delta{};  // kDelta
};

/// The writes of one incarnation, one entry per location, in the order the transaction first
/// wrote each location (deterministic, so outputs are identical whatever the thread count).
template <class Location, class Value>
using WriteSet = std::vector<WriteOp<Location, Value>>;

/// What a read observed, as validation re-checks it.
enum class ReadOrigin : uint8_t {
    kStorage,    // no earlier transaction wrote the location: the pre-block state
    kVersioned,  // a full write of `version`, with no delta on top of it
    kResolved,   // deltas were involved: validated by comparing the resolved value
    // Only whether the value satisfies a bound mattered (TxView::read_bound): validated by
    // Task::satisfies(bound, the value now), whatever wrote it. Stored reads only: a live read
    // keeps its origin and notes the bound beside it.
    kBound,
};

template <class Location, class Value, class Cell>
struct ReadEntry {
    Location location{};
    const Cell* cell = nullptr;  // the multi-version cell when it existed at read time
    ReadOrigin origin = ReadOrigin::kStorage;
    bool bounded = false;   // only a bound mattered (read_bound): the bound is the reader's
    uint16_t bound_at = 0;  // bounded: the index of the bound in the reader's list
    Version version{};      // kVersioned
    uint32_t deltas = 0;    // the deltas resolved to get it (kResolved); in Version's padding
    Value value{};          // what the transaction saw (compared for kResolved)
};

/// A read set: every location an incarnation read from the multi-version memory, once each.
/// Allocated from the block's worker arenas (arena.hpp), like everything the engine keeps only
/// for the duration of a block.
template <class Location, class Value, class Cell>
using ReadSet = ArenaVector<ReadEntry<Location, Value, Cell>>;

/// What an incarnation keeps of its read set once it has run, for validation and the dependency
/// graph: 24 bytes a read where a ReadEntry takes 128. A read that found a cell takes its location
/// from the cell; only a read of resolved deltas keeps the value it saw. Kept whole, read sets
/// were the largest thing a block wrote, most of it never read again.
template <class Location, class Value, class Cell>
struct StoredReads {
    struct Item {
        const Cell* cell = nullptr;  // the cell when it existed at read time
        Version version{};           // kVersioned
        ReadOrigin origin = ReadOrigin::kStorage;
        // kBound: index into `bounds`; else no cell: index into `locations`; kResolved: index
        // into `values`. Never both of the last two: deltas live in cells, so a read that
        // resolved deltas always found one.
        uint32_t side = 0;
    };
    struct Bound {
        Location location;
        Value bound;
    };
    ArenaVector<Item> items;
    ArenaVector<Location> locations;  // of the reads that found no cell, in read order
    ArenaVector<Value> values;        // of the kResolved reads, in read order
    ArenaVector<Bound> bounds;        // of the kBound reads, in read order

    /// Compacts a live read set; `bound_values` holds the bounds its bounded reads point at.
    explicit StoredReads(const ReadSet<Location, Value, Cell>& reads,
                         const std::vector<Value>& bound_values = {}) {
        size_t cell_less = 0, resolved = 0, bounded = 0;
        for (const auto& r : reads) {
            bounded += r.bounded;
            cell_less += !r.bounded && r.cell == nullptr;
            resolved += !r.bounded && r.cell != nullptr && r.origin == ReadOrigin::kResolved;
        }
        // Exact sizes: each array is one allocation in the arena, not a doubling series.
        items.reserve(reads.size());
        locations.reserve(cell_less);
        values.reserve(resolved);
        bounds.reserve(bounded);
        for (const auto& r : reads) {
            Item& it = items.emplace_back();
            it.cell = r.cell;
            it.version = r.version;
            it.origin = r.origin;
            if (r.bounded) {
                it.origin = ReadOrigin::kBound;
                it.side = static_cast<uint32_t>(bounds.size());
                // SAFETY: a bounded read's bound_at indexes the reader's bounds (MvView).
                bounds.push_back({r.location, bound_values[r.bound_at]});
            } else if (r.cell == nullptr) {
                it.side = static_cast<uint32_t>(locations.size());
                locations.push_back(r.location);
            } else if (r.origin == ReadOrigin::kResolved) {
                it.side = static_cast<uint32_t>(values.size());
                values.push_back(r.value);
            }
        }
    }
    StoredReads() = default;

    const Location& location(const Item& it) const {
        if (it.cell != nullptr) return it.cell->location;
        // SAFETY: a cell-less item's side indexes `bounds` (kBound) or `locations` (the
        // constructor).
        return it.origin == ReadOrigin::kBound ? bounds[it.side].location : locations[it.side];
    }
    /// The bound of a kBound read.
    const Value& bound(const Item& it) const {
        // SAFETY: a kBound item's side indexes `bounds` (the constructor).
        return bounds[it.side].bound;
    }
    /// The value a kResolved read saw.
    const Value& value(const Item& it) const {
        // SAFETY: a kResolved item's side indexes `values` (the constructor).
        return values[it.side];
    }
    void swap(StoredReads& other) noexcept {
        items.swap(other.items);
        locations.swap(other.locations);
        values.swap(other.values);
        bounds.swap(other.bounds);
    }
};

/// The view a task executes against. The parallel executor backs it by the multi-version memory,
/// the sequential oracle by the running block state. A task reads and writes only through it.
template <class Location, class Value>
class TxView {
public:
    /// The value of `loc` as this transaction sees it (its own writes first). Returns false when
    /// the read hit an ESTIMATE of an earlier transaction: the task must stop and return at once;
    /// the engine suspends the transaction until the blocker has re-executed.
    virtual bool read(const Location& loc, Value& out) = 0;
    /// read(), for a transaction whose outcome depends on the value only through whether
    /// Task::satisfies(bound, value) holds (a balance that must cover a payment, say), and holds
    /// for the value returned (the caller checks; if it does not, a read() of the location makes
    /// the read exact). The engine then validates that predicate instead of the exact value, so
    /// writes that keep it true conflict with nothing. `exact` tells whether the read was
    /// recorded exactly after all, as by default: the engine may prefer that, for one thing when
    /// the value is the sum of a long run of deltas (a reader that knows the exact value can write
    /// a full one, which later readers need not add up again).
    virtual bool read_bound(const Location& loc, const Value& /*bound*/, Value& out, bool& exact) {
        exact = true;
        return read(loc, out);
    }
    virtual void write(const Location& loc, const Value& value) = 0;
    /// Adds `delta` to `loc` without reading it (no conflict with other deltas).
    virtual void add(const Location& loc, const Delta& delta) = 0;

protected:
    ~TxView() = default;
};

/// A unit of work handed to a worker thread.
struct SchedulerTask {
    enum class Kind : uint8_t { kNone, kExecute, kValidate };
    Kind kind = Kind::kNone;
    TxIdx tx = 0;
    Incarnation incarnation = 0;
    explicit operator bool() const noexcept { return kind != Kind::kNone; }
};

// The task interface (aptos ExecutorTask-like) the engine is generic over. A Task type provides:
//
//   using Location = ...;      // a generic key: account field, storage slot, code, ...
//   using LocationHash = ...;  // hash functor over Location
//   using LocationEq = ...;    // equality functor over Location
//   using Value = ...;         // copyable, with operator==
//   using Output = ...;        // per-transaction result besides the writes (receipt, digest, ...)
//   size_t size() const;                                   // number of transactions
//   size_t location_capacity() const;  // optional: a bound on the distinct locations written
//   void commit(TxIdx, Output&) const;  // optional: each final output, in block order, while
//                                       // later transactions may still run (rolling commit)
//   TxIdx declared_dependency(TxIdx) const;  // optional: an earlier transaction this one is
//                                            // known to depend on (>= its own index: none);
//                                            // it is not started before that one has executed
//   Value storage_read(const Location&) const;             // pre-block state, thread-safe
//   Value apply_delta(const Value& base, const Delta&) const;
//   bool satisfies(const Value& bound, const Value&) const;  // optional: the predicate of
//                                                            // TxView::read_bound
//   Output execute(TxIdx, TxView<Location, Value>&) const; // thread-safe, deterministic in reads
//
// execute() must be a deterministic function of the values it read, and must return as soon as a
// read returns false (its Output is then discarded).
template <class T>
concept ExecutorTask = requires(const T& t, const typename T::Location& loc,
                                const typename T::Value& v, const Delta& d,
                                TxView<typename T::Location, typename T::Value>& view) {
    { t.size() } -> std::convertible_to<size_t>;
    { t.storage_read(loc) } -> std::convertible_to<typename T::Value>;
    { t.apply_delta(v, d) } -> std::convertible_to<typename T::Value>;
    { t.execute(TxIdx{}, view) } -> std::convertible_to<typename T::Output>;
    { typename T::LocationHash{}(loc) } -> std::convertible_to<size_t>;
    { typename T::LocationEq{}(loc, loc) } -> std::convertible_to<bool>;
    { v == v } -> std::convertible_to<bool>;
};

/// Counters and timings of one block. Times are summed over worker threads (thread-time), except
/// total_ns (wall clock) and commit_ns (the single-threaded materialization at the end).
struct BlockMetrics {
    unsigned threads = 1;
    uint64_t executions = 0;         // calls of Task::execute, including suspended ones
    uint64_t reexecutions = 0;       // executions beyond the first of each transaction
    uint64_t validations = 0;        // read-set validations performed
    uint64_t validation_aborts = 0;  // validations that failed and aborted an incarnation
    uint64_t estimate_waits = 0;     // suspensions on an ESTIMATE or a declared dependency
    uint64_t execution_ns = 0;       // thread time summed over workers
    uint64_t validation_ns = 0;      // thread time summed over workers
    /// Rolling commits during the run (thread time summed over workers), plus what was committed
    /// or materialized after it.
    uint64_t commit_ns = 0;
    /// Thread time the workers spent with nothing to do (every task they could take was in other
    /// workers' hands): summed over workers.
    uint64_t idle_ns = 0;
    uint64_t total_ns = 0;
    /// Rolling commit (a task with a commit hook): whether a commit saw an incarnation other than
    /// the final one (a bug guard: the caller must then not use what was committed).
    bool commit_mismatch = false;
    /// Adaptive scheduling gave up (ParallelOptions::bail_out_ratio): only the first `committed`
    /// outputs are final (and were committed); the caller runs the rest another way.
    bool bailed_out = false;
    uint64_t committed = 0;
    /// For each transaction, the earlier transactions whose writes its final incarnation read
    /// (sorted, unique): the dependency graph actually observed.
    std::vector<std::vector<TxIdx>> dependencies;
};

/// One transaction's final result: its last incarnation's output and writes, and for each write
/// the value the location held right after this transaction (deltas resolved).
template <class Task>
struct TxResult {
    typename Task::Output output{};
    WriteSet<typename Task::Location, typename Task::Value> writes;
    std::vector<typename Task::Value> resolved;
};

/// Where a block's conflicts happened: one location and how often it cost an execution there.
template <class Location>
struct LocationConflicts {
    Location location{};
    /// Validations that failed on this location (the first read of the set that no longer held)
    /// and aborted an incarnation.
    uint32_t aborts = 0;
    /// Executions suspended on an ESTIMATE at this location (a declared dependency names no
    /// location and is not counted here).
    uint32_t waits = 0;
};

/// Orders conflict counts (anything with `aborts` and `waits`) the costliest first: by aborts plus
/// waits, then by aborts.
struct CostlierConflict {
    template <class C>
    bool operator()(const C& a, const C& b) const noexcept {
        const uint64_t ca = uint64_t{a.aborts} + a.waits, cb = uint64_t{b.aborts} + b.waits;
        return ca != cb ? ca > cb : a.aborts > b.aborts;
    }
};

/// A block's result, identical for the parallel and the sequential executor (but for
/// `conflicts`, which depends on timing and is empty from the sequential one).
template <class Task>
struct BlockOutput {
    std::vector<TxResult<Task>> txs;
    /// The final value of every written location, in order of first write (tx order, then write
    /// order within the transaction).
    std::vector<std::pair<typename Task::Location, typename Task::Value>> state_changes;
    BlockMetrics metrics;
    /// Every location at which a validation aborted or an execution waited, the costliest first
    /// (aborts + waits, then aborts). Their aborts sum to metrics.validation_aborts.
    std::vector<LocationConflicts<typename Task::Location>> conflicts;
};

}  // namespace pevm::stm
