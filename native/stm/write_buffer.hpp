// The pieces both executors share: a transaction's private write buffer (its own writes, read
// back first; repeated writes and deltas to one location merged into one WriteOp), and the final
// materialization of a block's writes (deltas resolved, in transaction order).
#pragma once

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "stm/types.hpp"

namespace pevm::stm {

/// Positions of locations in a small per-transaction list: a linear scan while the list is short
/// (most transactions touch a handful of locations), beyond that an open-addressing table of
/// positions that keeps its memory from one transaction to the next (no allocation per lookup,
/// insertion or transaction).
template <class Location, class Hash, class Eq>
class LocationIndex {
public:
    static constexpr uint32_t kNone = UINT32_MAX;
    static constexpr size_t kLinear = 8;

    /// The position of `loc` among the `count` items whose locations `key_at(i)` returns.
    template <class KeyAt>
    uint32_t find(const Location& loc, size_t count, KeyAt key_at) const {
        if (count <= kLinear) {
            for (size_t i = 0; i < count; ++i)
                if (Eq{}(key_at(i), loc)) return static_cast<uint32_t>(i);
            return kNone;
        }
        const size_t mask = slots_.size() - 1;
        for (size_t i = slot_of(loc) & mask;; i = (i + 1) & mask) {
            // SAFETY: i <= mask < slots_.size() (a power of two, never full: at most half used).
            const uint32_t pos = slots_[i];
            if (pos == kNone || Eq{}(key_at(pos), loc)) return pos;
        }
    }

    /// Records that item `pos` (the last one; there are now pos+1) has location `loc`.
    template <class KeyAt>
    void added(const Location& loc, uint32_t pos, KeyAt key_at) {
        if (pos < kLinear) return;
        if (pos == kLinear || 2 * (size_t{pos} + 1) > slots_.size()) {
            // Switching to the table, or growing it: index every item so far.
            size_t size = slots_.empty() ? 64 : slots_.size();
            while (size < 4 * (size_t{pos} + 1)) size *= 2;
            slots_.assign(size, kNone);
            for (uint32_t i = 0; i < pos; ++i) insert(key_at(i), i);
        }
        insert(loc, pos);
        indexed_ = true;
    }

    void clear() {
        if (indexed_) std::fill(slots_.begin(), slots_.end(), kNone);
        indexed_ = false;
    }

private:
    void insert(const Location& loc, uint32_t pos) {
        const size_t mask = slots_.size() - 1;
        size_t i = slot_of(loc) & mask;
        // SAFETY: i <= mask; the table is at most half full, so an empty slot exists.
        while (slots_[i] != kNone) i = (i + 1) & mask;
        slots_[i] = pos;
    }

    static size_t slot_of(const Location& loc) {
        return static_cast<size_t>(mix_hash(static_cast<uint64_t>(Hash{}(loc))));
    }

    std::vector<uint32_t> slots_;  // positions, kNone when empty; size a power of two
    bool indexed_ = false;
};

template <ExecutorTask Task>
class TxWriteBuffer {
public:
    using Location = typename Task::Location;
    using Value = typename Task::Value;
    using Op = WriteOp<Location, Value>;

    const Op* find(const Location& loc) const {
        const uint32_t i = position(loc);
        // SAFETY: position() returns kNone or an index of ops_.
        return i == Index::kNone ? nullptr : &ops_[i];
    }

    void write(const Location& loc, const Value& value) {
        Op& op = slot(loc, WriteKind::kFull);
        op.kind = WriteKind::kFull;
        op.value = value;
        op.delta = Delta{};
    }

    void add(const Task& task, const Location& loc, const Delta& delta) {
        const uint32_t i = position(loc);
        if (i == Index::kNone) {
            append(Op{loc, WriteKind::kDelta, Value{}, delta});
            return;
        }
        // SAFETY: position() returned an index of ops_.
        Op& op = ops_[i];
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
    using Index = LocationIndex<Location, typename Task::LocationHash, typename Task::LocationEq>;

    uint32_t position(const Location& loc) const {
        // SAFETY: i < ops_.size() in the lambda.
        return index_.find(loc, ops_.size(),
                           [&](size_t i) -> const Location& { return ops_[i].location; });
    }
    void append(Op op) {
        ops_.push_back(std::move(op));
        const auto pos = static_cast<uint32_t>(ops_.size() - 1);
        // SAFETY: i <= pos < ops_.size() in the lambda.
        index_.added(ops_[pos].location, pos,
                     [&](size_t i) -> const Location& { return ops_[i].location; });
    }
    Op& slot(const Location& loc, WriteKind kind) {
        uint32_t i = position(loc);
        if (i == Index::kNone) {
            append(Op{loc, kind, Value{}, Delta{}});
            i = static_cast<uint32_t>(ops_.size() - 1);
        }
        // SAFETY: i is an index of ops_.
        return ops_[i];
    }

    WriteSet<Location, Value> ops_;
    Index index_;
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
