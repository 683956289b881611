// The sequential executor: the oracle every parallel run is compared against. Transactions run
// one after the other against the running block state, through the same task interface.
#pragma once

#include <chrono>
#include <unordered_map>
#include <vector>

#include "stm/types.hpp"
#include "stm/write_buffer.hpp"

namespace pevm::stm {

namespace detail {

template <ExecutorTask Task>
class SequentialView final : public TxView<typename Task::Location, typename Task::Value> {
public:
    using Location = typename Task::Location;
    using Value = typename Task::Value;
    using State =
        std::unordered_map<Location, Value, typename Task::LocationHash, typename Task::LocationEq>;

    SequentialView(const Task& task, const State& state) : task_(task), state_(state) {}

    bool read(const Location& loc, Value& out) override {
        const auto* own = writes_.find(loc);
        if (own != nullptr && own->kind == WriteKind::kFull) {
            out = own->value;
            return true;
        }
        auto it = state_.find(loc);
        const Value base = it != state_.end() ? it->second : task_.storage_read(loc);
        out = own != nullptr ? task_.apply_delta(base, own->delta) : base;
        return true;
    }
    void write(const Location& loc, const Value& value) override { writes_.write(loc, value); }
    void add(const Location& loc, const Delta& delta) override { writes_.add(task_, loc, delta); }

    WriteSet<Location, Value> take_writes() { return writes_.take(); }

private:
    const Task& task_;
    const State& state_;
    TxWriteBuffer<Task> writes_;
};

}  // namespace detail

/// Executes the block's transactions in order on the calling thread.
template <ExecutorTask Task>
BlockOutput<Task> execute_block_sequential(const Task& task) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const size_t n = task.size();
    typename detail::SequentialView<Task>::State state;
    BlockOutput<Task> out;
    out.txs.resize(n);
    for (size_t i = 0; i < n; ++i) {
        detail::SequentialView<Task> view(task, state);
        auto& tx = out.txs[i];
        tx.output = task.execute(static_cast<TxIdx>(i), view);
        tx.writes = view.take_writes();
        for (const auto& w : tx.writes) {
            if (w.kind == WriteKind::kFull) {
                state.insert_or_assign(w.location, w.value);
                continue;
            }
            auto it = state.find(w.location);
            if (it == state.end()) {
                state.emplace(w.location, task.apply_delta(task.storage_read(w.location), w.delta));
            } else {
                it->second = task.apply_delta(it->second, w.delta);
            }
        }
    }
    BlockMetrics& metrics = out.metrics;
    metrics.threads = 1;
    metrics.executions = n;
    metrics.execution_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
    const auto commit_start = Clock::now();
    materialize(task, out);
    metrics.commit_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - commit_start).count());
    metrics.total_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
    metrics.dependencies.resize(n);
    return out;
}

}  // namespace pevm::stm
