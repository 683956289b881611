// The pieces both executors share: a transaction's private write buffer (its own writes, read
// back first; repeated writes and deltas to one location merged into one WriteOp), and the final
// materialization of a block's writes (deltas resolved, in transaction order).
#pragma once

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "stm/types.hpp"

namespace pevm::stm {

template <ExecutorTask Task>
class TxWriteBuffer {
public:
    using Location = typename Task::Location;
    using Value = typename Task::Value;
    using Op = WriteOp<Location, Value>;

    const Op* find(const Location& loc) const {
        auto it = index_.find(loc);
        // SAFETY: index_ only holds positions of ops_.
        return it == index_.end() ? nullptr : &ops_[it->second];
    }

    void write(const Location& loc, const Value& value) {
        Op& op = slot(loc);
        op.kind = WriteKind::kFull;
        op.value = value;
        op.delta = Delta{};
    }

    void add(const Task& task, const Location& loc, const Delta& delta) {
        auto [it, inserted] = index_.try_emplace(loc, static_cast<uint32_t>(ops_.size()));
        if (inserted) {
            ops_.push_back(Op{loc, WriteKind::kDelta, Value{}, delta});
            return;
        }
        // SAFETY: index_ only holds positions of ops_.
        Op& op = ops_[it->second];
        if (op.kind == WriteKind::kFull) {
            op.value = task.apply_delta(op.value, delta);
        } else {
            op.delta += delta;
        }
    }

    void clear() {
        ops_.clear();
        index_.clear();
    }
    const WriteSet<Location, Value>& ops() const { return ops_; }
    WriteSet<Location, Value> take() {
        index_.clear();
        return std::move(ops_);
    }

private:
    Op& slot(const Location& loc) {
        auto [it, inserted] = index_.try_emplace(loc, static_cast<uint32_t>(ops_.size()));
        if (inserted) ops_.push_back(Op{loc, WriteKind::kFull, Value{}, Delta{}});
        // SAFETY: index_ only holds positions of ops_.
        return ops_[it->second];
    }

    WriteSet<Location, Value> ops_;
    std::unordered_map<Location, uint32_t, typename Task::LocationHash, typename Task::LocationEq>
        index_;
};

/// Fills each transaction's `resolved` values and the block's `state_changes` from the final
/// write sets, applying them in transaction order (deltas resolved against the value before).
template <ExecutorTask Task>
void materialize(const Task& task, BlockOutput<Task>& out) {
    using Location = typename Task::Location;
    std::unordered_map<Location, size_t, typename Task::LocationHash, typename Task::LocationEq>
        position;
    auto& changes = out.state_changes;
    changes.clear();
    for (auto& tx : out.txs) {
        tx.resolved.clear();
        tx.resolved.reserve(tx.writes.size());
        for (const auto& w : tx.writes) {
            auto [it, inserted] = position.try_emplace(w.location, changes.size());
            if (inserted) {
                changes.emplace_back(
                    w.location, w.kind == WriteKind::kFull
                                    ? w.value
                                    : task.apply_delta(task.storage_read(w.location), w.delta));
            } else {
                // SAFETY: position only holds indices of changes.
                auto& current = changes[it->second].second;
                current = w.kind == WriteKind::kFull ? w.value : task.apply_delta(current, w.delta);
            }
            tx.resolved.push_back(changes[it->second].second);
        }
    }
}

}  // namespace pevm::stm
