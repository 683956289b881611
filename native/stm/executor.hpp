// The parallel executor: worker threads pull tasks from the scheduler, execute transactions against
// the multi-version memory through MvView (recording read sets), validate read sets, and at the end
// the final write sets are materialized in transaction order. See block_stm.hpp.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "stm/arena.hpp"
#include "stm/mv_memory.hpp"
#include "stm/scheduler.hpp"
#include "stm/spin_lock.hpp"
#include "stm/thread_pool.hpp"
#include "stm/types.hpp"
#include "stm/write_buffer.hpp"

namespace pevm::stm {

namespace detail {

/// The per-task timers' clock: the time-stamp counter on x86-64, steady_clock's count elsewhere.
/// A worker reads it about six times per transaction, and steady_clock::now() (clock_gettime,
/// about 25 ns here) took 4-5% of a Block-STM run of plain transfers. The sums are converted to
/// nanoseconds once per block, at the rate the counter ran over the whole run (TickRate).
inline uint64_t ticks() noexcept {
#if defined(__x86_64__)
    return __rdtsc();
#else
    return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
}

/// Ticks from `from` to `to`; 0 if the counter went back (a thread moved to a core whose counter
/// lags: the interval is lost, never negative).
inline uint64_t ticks_between(uint64_t from, uint64_t to) noexcept {
    return to > from ? to - from : 0;
}
inline uint64_t ticks_since(uint64_t since) noexcept {
    return ticks_between(since, ticks());
}

/// Ticks to nanoseconds, at the rate measured between construction and finish().
class TickRate {
public:
    TickRate() : ns0_(std::chrono::steady_clock::now()), ticks0_(ticks()) {}
    void finish() {
        const uint64_t t = ticks_since(ticks0_);
        const uint64_t ns = elapsed_ns(ns0_);
        rate_ = t > 0 ? static_cast<double>(ns) / static_cast<double>(t) : 0.0;
    }
    uint64_t ns(uint64_t t) const { return static_cast<uint64_t>(static_cast<double>(t) * rate_); }

private:
    std::chrono::steady_clock::time_point ns0_;
    uint64_t ticks0_;
    double rate_ = 0.0;
};

/// A transaction's view during one parallel incarnation: its own writes first, then the
/// multi-version memory (each location read once per incarnation and recorded in the read set).
template <ExecutorTask Task>
class MvView final : public TxView<typename Task::Location, typename Task::Value> {
public:
    using Location = typename Task::Location;
    using Value = typename Task::Value;
    using Memory = MultiVersionMemory<Task>;

    MvView(const Task& task, const Memory& memory) : task_(task), memory_(memory) {}

    void begin(TxIdx tx) {
        tx_ = tx;
        blocked_ = false;
        reads_.clear();
        read_index_.clear();
        writes_.clear();
        bounds_.clear();
    }

    bool read(const Location& loc, Value& out) override {
        bool exact;
        return read_as(loc, nullptr, out, exact);
    }
    bool read_bound(const Location& loc, const Value& bound, Value& out, bool& exact) override {
        if constexpr (requires { task_.satisfies(bound, out); })
            return read_as(loc, &bound, out, exact);
        else
            return read_as(loc, nullptr, out, exact);
    }
    void write(const Location& loc, const Value& value) override { writes_.write(loc, value); }
    void add(const Location& loc, const Delta& delta) override { writes_.add(task_, loc, delta); }

    bool blocked() const { return blocked_; }
    TxIdx blocker() const { return blocker_; }
    /// The location whose ESTIMATE blocked the incarnation.
    const Location& blocked_at() const { return blocked_at_; }
    const WriteSet<Location, Value>& writes() const { return writes_.ops(); }
    /// Exact-size copies: the buffers keep their capacity for the next incarnation.
    typename Memory::StoredReads copy_reads() const {
        return typename Memory::StoredReads(reads_, bounds_);
    }
    ArenaVector<WriteOp<Location, Value>> copy_writes() const {
        return {writes_.ops().begin(), writes_.ops().end()};
    }

private:
    /// read(), and with `bound` read_bound(): a location's first read in the incarnation is then
    /// recorded as bounded, unless its value is the sum of more than kMaxBoundDeltas deltas (each
    /// later read and validation would add them up again, and the reader, knowing the exact
    /// value, can write a full one that ends the run); any other read of it makes it exact, but
    /// the same bound again. `exact`: whether it is recorded exactly.
    bool read_as(const Location& loc, const Value* bound, Value& out, bool& exact) {
        exact = true;
        const auto* own = writes_.find(loc);
        if (own != nullptr && own->kind == WriteKind::kFull) {
            out = own->value;
            return true;
        }
        const Value* seen;
        // SAFETY: i < reads_.size() in the lambdas.
        auto key_at = [&](size_t i) -> const Location& { return reads_[i].location; };
        const uint32_t at = read_index_.find(loc, reads_.size(), key_at);
        if (at != ReadIndex::kNone) {
            // SAFETY: find() returned an index of reads_.
            auto& r = reads_[at];
            // SAFETY: a bounded read's bound_at indexes bounds_.
            if (r.bounded && (bound == nullptr || !(bounds_[r.bound_at] == *bound)))
                r.bounded = false;
            exact = !r.bounded;
            seen = &r.value;
        } else {
            typename Memory::Read r;
            if (memory_.read(loc, memory_.find(loc), tx_, r, blocker_, true) !=
                Memory::ReadStatus::kOk) {
                blocked_ = true;
                blocked_at_ = loc;
                return false;
            }
            if (bound != nullptr && bounds_.size() < kMaxBounds && r.deltas <= kMaxBoundDeltas) {
                r.bounded = true;
                r.bound_at = static_cast<uint16_t>(bounds_.size());
                bounds_.push_back(*bound);
                exact = false;
            }
            reads_.push_back(std::move(r));
            const auto pos = static_cast<uint32_t>(reads_.size() - 1);
            read_index_.added(loc, pos, key_at);
            seen = &reads_[pos].value;
        }
        out = own != nullptr ? task_.apply_delta(*seen, own->delta) : *seen;
        return true;
    }

    const Task& task_;
    const Memory& memory_;
    TxIdx tx_ = 0;
    bool blocked_ = false;
    TxIdx blocker_ = 0;
    Location blocked_at_{};
    using ReadIndex =
        LocationIndex<Location, typename Task::LocationHash, typename Task::LocationEq>;
    typename Memory::ReadSet reads_;
    ReadIndex read_index_;
    // The bounds of this incarnation's bounded reads (ReadEntry::bound_at), at most kMaxBounds:
    // past that, reads are exact.
    static constexpr size_t kMaxBounds = 65536;
    static constexpr uint32_t kMaxBoundDeltas = 16;
    std::vector<Value> bounds_;
    TxWriteBuffer<Task> writes_;
};

/// A task that can name the locations a transaction will likely touch, before it runs.
template <class T>
concept NamesLikelyLocations = requires(const T& t, void (*f)(const typename T::Location&)) {
    t.likely_locations(TxIdx{}, f);
};

/// Per-worker counters, summed once the block is done (no shared counters on the hot path).
struct alignas(64) WorkerMetrics {
    uint64_t executions = 0, validations = 0, validation_aborts = 0, estimate_waits = 0;
    uint64_t execution_ticks = 0, validation_ticks = 0, commit_ticks = 0, idle_ticks = 0;
};

/// The workers' conflict notes ({location, abort} each) counted per location, the costliest first.
template <ExecutorTask Task, class Notes>
std::vector<LocationConflicts<typename Task::Location>> count_conflicts(const Notes& per_worker) {
    std::vector<LocationConflicts<typename Task::Location>> out;
    std::unordered_map<typename Task::Location, size_t, typename Task::LocationHash,
                       typename Task::LocationEq>
        index;
    for (const auto& notes : per_worker) {
        for (const auto& note : notes) {
            const auto [it, inserted] = index.try_emplace(note.location, out.size());
            if (inserted) out.push_back({note.location, 0, 0});
            // SAFETY: the index's values are positions of `out`.
            auto& c = out[it->second];
            ++(note.abort ? c.aborts : c.waits);
        }
    }
    std::stable_sort(out.begin(), out.end(), CostlierConflict{});
    return out;
}

}  // namespace detail

/// What execute_block_parallel computes besides the transactions' outputs and write sets.
struct ParallelOptions {
    /// Fill TxResult::writes, TxResult::resolved and BlockOutput::state_changes (materialize()).
    /// A caller that applies the transactions' own change sets in order (resolving deltas on the
    /// way) skips it.
    bool materialize = true;
    /// Adaptive scheduling, for a task with a rolling commit: once at least
    /// max(64, transactions / 32) executions ran and more than this share of them were wasted (a
    /// validation abort, or a suspension on an ESTIMATE mid-execution; waiting on a declared
    /// dependency wastes nothing), stop: the caller continues the block sequentially from the
    /// committed prefix (BlockMetrics::bailed_out). 0: never.
    double bail_out_ratio = 0;
};

/// Executes the block on `threads` threads of `pool` with Block-STM. The result equals
/// execute_block_sequential's, whatever the thread count and timing.
template <ExecutorTask Task>
BlockOutput<Task> execute_block_parallel(const Task& task, unsigned threads,
                                         ParallelOptions options = {},
                                         ThreadPool& pool = ThreadPool::global()) {
    using Memory = MultiVersionMemory<Task>;
    using StoredReads = typename Memory::StoredReads;
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const size_t n = task.size();
    threads = std::clamp(threads, 1u, ThreadPool::kMaxThreads);
    // Declared first, destroyed last: the memory, the read sets and the write sets live in them.
    // The calling thread (worker 0) builds the memory's first table in its arena.
    BlockArenas arenas(threads);
    ArenaScope caller_arena(arenas[0]);

    struct alignas(64) TxState {
        // Guards everything below but `writes`; held while validating: only validators of this
        // transaction, its next incarnation's store and the committer wait on it. Nested outside
        // the cells' sequence locks, never inside.
        SpinLock mutex;
        StoredReads reads;  // the last incarnation's read set
        bool executed = false;
        Incarnation incarnation = 0;  // of `reads` and `output`
        typename Task::Output output{};
        // Rolling commit (see try_commit): the write sequence number of the last incarnation's
        // record or abort, and the write sequence seen when its last successful validation began.
        uint64_t last_write = 0;
        uint64_t validated_at = 0;
        bool validated = false;  // `validated_at` is for `incarnation`
        bool committed = false;
        bool ever_ran = false;  // set by the executing thread, read after the block
        // Written only by the thread executing the transaction, read after the block is done; kept
        // only for materialize().
        ArenaVector<WriteOp<typename Task::Location, typename Task::Value>> writes;
    };
    ArenaArray<TxState> states(arenas[0], n);
    Memory memory(task, n);
    Scheduler scheduler(n);
    std::vector<detail::WorkerMetrics> worker_metrics(threads);
    // Each worker's conflicts as they happen (location, abort or wait), counted after the run.
    struct ConflictNote {
        typename Task::Location location;
        bool abort;
    };
    std::vector<std::vector<ConflictNote>> conflict_notes(threads);
    detail::TickRate rate;  // the workers' timers' ticks to nanoseconds, over the run

    // ROLLING COMMIT. A task with a commit(TxIdx, Output&) hook gets each transaction's final
    // output, in block order, while later transactions still run, instead of all at the end.
    // Transaction k is final when every lower one is committed (final, so it never writes
    // again) and k's current incarnation passed a validation that began after the last write of
    // every lower transaction: its reads are then exactly the final ones, so nothing can abort
    // it. Writes that can change what a later validation sees are numbered by `write_seq`: the
    // aborts (entries become ESTIMATEs) and the records that write a location the previous
    // incarnation had not. A validation notes the count when it begins. A record at only the
    // locations of the previous incarnation is not numbered: that incarnation was aborted first,
    // so a validation that began after the abort and passed walked through none of its entries
    // (an ESTIMATE fails the read), and the record, replacing or removing only those entries,
    // changes none of that validation's reads. Numbering such records too left every
    // transaction above a re-executed one waiting for a validation that never came: at 2 threads
    // almost the whole block was committed after the run. Whatever is not committed during the
    // run is committed at the end, when everything is final; the incarnation each commit saw is
    // checked against the final one.
    constexpr bool kRolling = requires(typename Task::Output & o) {
        task.commit(TxIdx{}, o);
    };
    std::atomic<uint64_t> write_seq{0};
    std::mutex commit_mutex;  // held by the one thread committing; guards the two below
    size_t commit_idx = 0;
    uint64_t lower_last_write = 0;  // the highest last_write of the committed transactions
    std::vector<Incarnation> committed_incarnation(kRolling ? n : 0);
    // The dependency graph observed: each transaction's final read set against the final writes
    // below it (computed at its commit, while other threads still run, or at the end).
    std::vector<std::vector<TxIdx>> dependencies(n);
    auto note_dependencies = [&](size_t i, const StoredReads& reads) {
        // SAFETY: i < n == dependencies.size().
        auto& deps = dependencies[i];
        deps.clear();
        for (const auto& r : reads.items)
            memory.contributors(reads, r, static_cast<TxIdx>(i), deps);
        std::sort(deps.begin(), deps.end());
        deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    };
    // Adaptive scheduling (options.bail_out_ratio): executions per worker (each on its own cache
    // line, written only by its worker: no shared counter on the hot path) and conflicts so far.
    const bool adaptive = kRolling && options.bail_out_ratio > 0;
    struct alignas(64) RunCounter {
        std::atomic<uint64_t> runs{0};
    };
    auto run_counts = std::make_unique<RunCounter[]>(threads);
    std::atomic<uint64_t> conflict_count{0};
    std::atomic<bool> bailed_out{false};
    const uint64_t bail_out_warmup = std::max<uint64_t>(64, n / 32);
    auto note_conflict = [&] {
        if constexpr (kRolling) {
            if (!adaptive) return;
            const uint64_t conflicts = conflict_count.fetch_add(1, std::memory_order_relaxed) + 1;
            uint64_t runs = 0;
            for (unsigned w = 0; w < threads; ++w)
                runs += run_counts[w].runs.load(std::memory_order_relaxed);  // SAFETY: w < threads
            if (runs >= bail_out_warmup &&
                static_cast<double>(conflicts) >
                    options.bail_out_ratio * static_cast<double>(runs) &&
                !bailed_out.exchange(true, std::memory_order_relaxed))
                scheduler.halt();
        }
    };
    auto try_commit = [&](bool final_pass) {
        if constexpr (kRolling) {
            std::unique_lock lock(commit_mutex, std::defer_lock);
            if (final_pass)
                lock.lock();
            else if (!lock.try_lock())
                return;  // someone else is committing: it will pick up what is ready
            while (commit_idx < n) {
                // SAFETY: commit_idx < n.
                TxState& s = states[commit_idx];
                std::lock_guard tx_lock(s.mutex);
                if (!final_pass &&
                    !(s.executed && s.validated && s.validated_at >= lower_last_write &&
                      s.validated_at >= s.last_write))
                    return;
                task.commit(static_cast<TxIdx>(commit_idx), s.output);
                note_dependencies(commit_idx, s.reads);
                s.committed = true;
                // SAFETY: commit_idx < n == committed_incarnation.size().
                committed_incarnation[commit_idx] = s.incarnation;
                lower_last_write = std::max(lower_last_write, s.last_write);
                ++commit_idx;
            }
        }
    };

    auto worker = [&](unsigned id) {
        // SAFETY: id < threads, the size of arenas.
        ArenaScope arena(arenas[id]);
        detail::MvView<Task> view(task, memory);
        // SAFETY: id < threads == worker_metrics.size().
        detail::WorkerMetrics& m = worker_metrics[id];
        // SAFETY: id < threads == conflict_notes.size().
        std::vector<ConflictNote>& notes = conflict_notes[id];

        auto try_execute = [&](SchedulerTask t) -> SchedulerTask {
            if constexpr (requires { task.declared_dependency(TxIdx{}); }) {
                // A dependency the task knows before running (a sender's previous transaction):
                // wait for it instead of running on values it is about to change.
                const TxIdx d = task.declared_dependency(t.tx);
                if (d < t.tx && scheduler.add_dependency(t.tx, d)) {
                    ++m.estimate_waits;  // no execution was wasted: not a conflict for bail-out
                    return {};
                }
            }
            for (;;) {
                // SAFETY: t.tx < n (the scheduler only hands out block indices).
                states[t.tx].ever_ran = true;
                if (adaptive) {
                    // SAFETY: id < threads. Only this worker writes its counter: no RMW needed.
                    std::atomic<uint64_t>& runs = run_counts[id].runs;
                    runs.store(runs.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
                }
                // Start loading the multi-version table's slots for the locations the
                // transaction will surely touch: their misses overlap instead of coming one by
                // one as execution reaches them (6-7% of a block of plain transfers).
                if constexpr (detail::NamesLikelyLocations<Task>)
                    task.likely_locations(t.tx, [&](const auto& loc) { memory.prefetch(loc); });
                view.begin(t.tx);
                const uint64_t t0 = detail::ticks();
                typename Task::Output output = task.execute(t.tx, view);
                m.execution_ticks += detail::ticks_since(t0);
                ++m.executions;
                if (view.blocked()) {
                    if (scheduler.add_dependency(t.tx, view.blocker())) {
                        ++m.estimate_waits;
                        notes.push_back({view.blocked_at(), false});
                        note_conflict();
                        return {};
                    }
                    continue;  // the blocker finished meanwhile: run again at once
                }
                const bool wrote_new = memory.record(Version{t.tx, t.incarnation}, view.writes());
                // Numbered after the record: a validation that reads the count afterwards sees
                // these writes (seq_cst: one total order with the validations' loads). Only a
                // record at a new location is numbered (see ROLLING COMMIT).
                const uint64_t written =
                    wrote_new ? write_seq.fetch_add(1, std::memory_order_seq_cst) + 1 : 0;
                // SAFETY: t.tx < n (the scheduler only hands out block indices).
                TxState& s = states[t.tx];
                // Only materialize() needs the write sets afterwards; the memory has them.
                if (options.materialize) s.writes = view.copy_writes();
                StoredReads reads = view.copy_reads();
                {
                    std::lock_guard lock(s.mutex);
                    s.reads.swap(reads);  // the old set stays in its arena
                    s.output = std::move(output);
                    s.incarnation = t.incarnation;
                    s.executed = true;
                    s.validated = false;
                    if (wrote_new) s.last_write = written;
                }
                return scheduler.finish_execution(t.tx, t.incarnation, wrote_new);
            }
        };

        auto validate = [&](SchedulerTask t) -> SchedulerTask {
            const uint64_t t0 = detail::ticks();
            bool valid;
            typename Task::Location failed{};  // the read that no longer held, if one did
            // SAFETY: t.tx < n.
            TxState& s = states[t.tx];
            {
                // Before reading anything: every write numbered up to here is visible below.
                const uint64_t seen = write_seq.load(std::memory_order_seq_cst);
                std::lock_guard lock(s.mutex);
                valid = s.executed && memory.validate(t.tx, s.reads, &failed);
                if (valid && s.incarnation == t.incarnation &&
                    (!s.validated || s.validated_at < seen)) {
                    s.validated = true;
                    s.validated_at = seen;
                }
            }
            ++m.validations;
            const bool aborted = !valid && scheduler.try_validation_abort(t.tx, t.incarnation);
            if (aborted) {
                ++m.validation_aborts;
                notes.push_back({failed, true});
                memory.convert_writes_to_estimates(t.tx);
                const uint64_t written = write_seq.fetch_add(1, std::memory_order_seq_cst) + 1;
                {
                    std::lock_guard lock(s.mutex);
                    s.validated = false;
                    s.last_write = written;
                }
                note_conflict();
            }
            const uint64_t t1 = detail::ticks();
            m.validation_ticks += detail::ticks_between(t0, t1);
            if constexpr (kRolling) {
                if (valid) {
                    try_commit(false);
                    m.commit_ticks += detail::ticks_since(t1);
                }
            }
            return scheduler.finish_validation(t.tx, aborted);
        };

        SchedulerTask task_in_hand;
        // Set while this worker finds nothing to do (spinning on next_task or asleep). A flag and
        // a time point rather than an optional, which GCC 12 warned might be read uninitialized.
        bool idle = false;
        uint64_t idle_since = 0;
        try {
            while (!scheduler.done()) {
                if (task_in_hand.kind == SchedulerTask::Kind::kExecute) {
                    task_in_hand = try_execute(task_in_hand);
                } else if (task_in_hand.kind == SchedulerTask::Kind::kValidate) {
                    task_in_hand = validate(task_in_hand);
                }
                if (!task_in_hand) {
                    const uint64_t epoch = scheduler.epoch();
                    task_in_hand = scheduler.next_task();
                    if (!task_in_hand) {
                        if (!idle) {
                            idle = true;
                            idle_since = detail::ticks();
                        }
                        if (scheduler.indices_exhausted() && !scheduler.done())
                            scheduler.wait_for_work(epoch);
                    }
                }
                if (task_in_hand && idle) {
                    m.idle_ticks += detail::ticks_since(idle_since);
                    idle = false;
                }
            }
            if (idle) m.idle_ticks += detail::ticks_since(idle_since);
        } catch (...) {
            // A task threw (e.g. out of memory): stop every worker, the pool rethrows it.
            scheduler.halt();
            throw;
        }
    };
    if (n > 0) pool.run(threads, worker);
    rate.finish();

    BlockOutput<Task> out;
    BlockMetrics& metrics = out.metrics;
    metrics.threads = threads;
    metrics.bailed_out = bailed_out.load(std::memory_order_relaxed);
    const auto commit_start = Clock::now();
    if constexpr (kRolling) {
        // Everything is final now, unless the run stopped early: then only the prefix is.
        if (!metrics.bailed_out) try_commit(true);
        metrics.committed = commit_idx;
        for (size_t i = 0; i < commit_idx; ++i) {
            // SAFETY: i < commit_idx <= n == committed_incarnation.size().
            if (committed_incarnation[i] != states[i].incarnation) metrics.commit_mismatch = true;
        }
    }
    for (const auto& m : worker_metrics) {
        metrics.executions += m.executions;
        metrics.validations += m.validations;
        metrics.validation_aborts += m.validation_aborts;
        metrics.estimate_waits += m.estimate_waits;
        metrics.execution_ns += rate.ns(m.execution_ticks);
        metrics.validation_ns += rate.ns(m.validation_ticks);
        metrics.commit_ns += rate.ns(m.commit_ticks);
        metrics.idle_ns += rate.ns(m.idle_ticks);
    }
    uint64_t ran = 0;
    for (size_t i = 0; i < n; ++i) ran += states[i].ever_ran;  // SAFETY: i < n.
    metrics.reexecutions = metrics.executions - ran;

    out.txs.resize(n);
    for (size_t i = 0; i < n; ++i) {
        // SAFETY: i < n.
        TxState& s = states[i];
        out.txs[i].output = std::move(s.output);
        if (options.materialize) out.txs[i].writes.assign(s.writes.begin(), s.writes.end());
        if (!s.committed) note_dependencies(i, s.reads);  // not noted at a commit
    }
    metrics.dependencies = std::move(dependencies);
    out.conflicts = detail::count_conflicts<Task>(conflict_notes);
    if (options.materialize) materialize(task, out);
    metrics.commit_ns += elapsed_ns(commit_start);
    metrics.total_ns = elapsed_ns(start);
    return out;
}

}  // namespace pevm::stm
