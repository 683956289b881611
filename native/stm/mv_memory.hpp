// Multi-version memory: for each location, the values written by each transaction of the block
// (full writes and deltas, tagged with their incarnation) and the ESTIMATE markers left by aborted
// incarnations. A read by transaction `r` returns the highest entry below `r`; deltas on top of it
// are accumulated and resolved against it (or against the pre-block storage). See block_stm.hpp.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "stm/types.hpp"

namespace pevm::stm {

template <ExecutorTask Task>
class MultiVersionMemory {
public:
    using Location = typename Task::Location;
    using Value = typename Task::Value;

    /// One transaction's entry at one location.
    struct Entry {
        TxIdx tx = 0;
        Incarnation incarnation = 0;
        WriteKind kind = WriteKind::kFull;
        bool estimate = false;  // the incarnation that wrote it was aborted
        Value value{};
        Delta delta{};
    };

    /// All entries of one location, sorted by tx. Cells never move or die during a block, so read
    /// sets keep plain pointers to them.
    struct Cell {
        mutable std::mutex mutex;
        ArenaVector<Entry> entries;
    };

    using Read = ReadEntry<Location, Value, Cell>;
    using ReadSet = stm::ReadSet<Location, Value, Cell>;

    enum class ReadStatus : uint8_t { kOk, kDependency };

    MultiVersionMemory(const Task& task, size_t num_txs)
        : task_(task), shards_(std::make_unique<Shard[]>(kShards)), written_(num_txs) {
        // About four locations per transaction: no rehash on the way for typical blocks.
        for (size_t i = 0; i < kShards; ++i) shards_[i].cells.reserve(4 * num_txs / kShards + 8);
    }

    /// The cell of `loc`, or nullptr when no transaction has written it yet.
    const Cell* find(const Location& loc) const {
        const Shard& shard = shard_of(loc);
        std::shared_lock lock(shard.mutex);
        auto it = shard.cells.find(loc);
        return it == shard.cells.end() ? nullptr : &it->second;
    }

    /// Reads `loc` as transaction `reader` sees it. On kDependency, `blocker` is the transaction
    /// whose ESTIMATE was hit. With `values` false, only the origin and version are computed (what
    /// validation of a non-resolved read needs): no storage read, no value copy, no resolution.
    ReadStatus read(const Location& loc, const Cell* cell, TxIdx reader, Read& out, TxIdx& blocker,
                    bool values) const {
        out.location = loc;
        out.cell = cell;
        bool has_delta = false;
        bool base_from_storage = true;
        Delta acc{};
        if (cell != nullptr) {
            std::lock_guard lock(cell->mutex);
            const auto& entries = cell->entries;
            auto it = std::lower_bound(entries.begin(), entries.end(), reader,
                                       [](const Entry& e, TxIdx t) { return e.tx < t; });
            while (it != entries.begin()) {
                --it;
                if (it->estimate) {
                    blocker = it->tx;
                    return ReadStatus::kDependency;
                }
                if (it->kind == WriteKind::kDelta) {
                    acc += it->delta;
                    has_delta = true;
                    continue;
                }
                base_from_storage = false;
                if (!has_delta) {
                    out.origin = ReadOrigin::kVersioned;
                    out.version = Version{it->tx, it->incarnation};
                    if (values) out.value = it->value;
                    return ReadStatus::kOk;
                }
                if (values) out.value = it->value;
                break;
            }
        }
        if (!has_delta) {
            out.origin = ReadOrigin::kStorage;
            if (values) out.value = task_.storage_read(loc);
            return ReadStatus::kOk;
        }
        out.origin = ReadOrigin::kResolved;
        if (values) {
            if (base_from_storage) out.value = task_.storage_read(loc);
            out.value = task_.apply_delta(out.value, acc);
        }
        return ReadStatus::kOk;
    }

    /// Records the writes of incarnation `v` (replacing the previous incarnation's, and removing
    /// the entries that incarnation wrote at locations this one did not write). Returns true when
    /// it wrote a location the previous incarnation had not written: later transactions may then
    /// have read around it, so all of them must be validated again.
    bool record(Version v, const WriteSet<Location, Value>& writes) {
        // SAFETY: v.tx < num_txs; only the thread holding tx's EXECUTING status touches
        // written_[tx].
        ArenaVector<Cell*>& previous = written_[v.tx];
        ArenaVector<Cell*> now;
        now.reserve(writes.size());
        for (const auto& w : writes) {
            Cell& cell = cell_for(w.location);
            {
                std::lock_guard lock(cell.mutex);
                auto& entries = cell.entries;
                auto it = std::lower_bound(entries.begin(), entries.end(), v.tx,
                                           [](const Entry& e, TxIdx t) { return e.tx < t; });
                if (it == entries.end() || it->tx != v.tx) it = entries.insert(it, Entry{});
                it->tx = v.tx;
                it->incarnation = v.incarnation;
                it->kind = w.kind;
                it->estimate = false;
                if (w.kind == WriteKind::kFull) {
                    it->value = w.value;
                    it->delta = Delta{};
                } else {
                    it->value = Value{};
                    it->delta = w.delta;
                }
            }
            now.push_back(&cell);
        }
        std::sort(now.begin(), now.end());
        bool wrote_new = false;
        auto p = previous.begin();
        auto n = now.begin();
        while (p != previous.end() || n != now.end()) {
            if (n == now.end() || (p != previous.end() && *p < *n)) {
                remove_entry(**p, v.tx);  // written before, not any more
                ++p;
            } else if (p == previous.end() || *n < *p) {
                wrote_new = true;
                ++n;
            } else {
                ++p;
                ++n;
            }
        }
        previous = std::move(now);
        return wrote_new;
    }

    /// Marks every entry of `tx`'s last incarnation as an ESTIMATE: readers will wait for its
    /// re-execution instead of reading a value that is likely to change.
    void convert_writes_to_estimates(TxIdx tx) {
        // SAFETY: tx < num_txs; called by the one thread that moved tx from EXECUTED to ABORTING.
        for (Cell* cell : written_[tx]) {
            std::lock_guard lock(cell->mutex);
            auto& entries = cell->entries;
            auto it = std::lower_bound(entries.begin(), entries.end(), tx,
                                       [](const Entry& e, TxIdx t) { return e.tx < t; });
            if (it != entries.end() && it->tx == tx) it->estimate = true;
        }
    }

    /// Re-reads every location of `reads` as transaction `tx` and checks each still returns what
    /// the incarnation saw: the same version, storage still, or (deltas) the same resolved value.
    bool validate(TxIdx tx, const ReadSet& reads) const {
        Read now;
        for (const Read& r : reads) {
            const Cell* cell = r.cell != nullptr ? r.cell : find(r.location);
            TxIdx blocker = 0;
            const bool values = r.origin == ReadOrigin::kResolved;
            if (read(r.location, cell, tx, now, blocker, values) != ReadStatus::kOk) return false;
            if (now.origin != r.origin) return false;
            switch (r.origin) {
                case ReadOrigin::kStorage:
                    break;
                case ReadOrigin::kVersioned:
                    if (!(now.version == r.version)) return false;
                    break;
                case ReadOrigin::kResolved:
                    if (!(now.value == r.value)) return false;
                    break;
            }
        }
        return true;
    }

    /// The transactions `reader`'s read `r` took its value from (for the dependency graph; call
    /// once the block is done).
    void contributors(const Read& r, TxIdx reader, std::vector<TxIdx>& out) const {
        if (r.origin == ReadOrigin::kStorage) return;
        if (r.origin == ReadOrigin::kVersioned) {
            out.push_back(r.version.tx);
            return;
        }
        const Cell* cell = r.cell != nullptr ? r.cell : find(r.location);
        if (cell == nullptr) return;
        std::lock_guard lock(cell->mutex);
        const auto& entries = cell->entries;
        auto it = std::lower_bound(entries.begin(), entries.end(), reader,
                                   [](const Entry& e, TxIdx t) { return e.tx < t; });
        while (it != entries.begin()) {
            --it;
            out.push_back(it->tx);
            if (it->kind == WriteKind::kFull) break;
        }
    }

private:
    static constexpr size_t kShards = 64;

    struct alignas(64) Shard {
        mutable std::shared_mutex mutex;
        // Cells live in an arena released at once with the block (no per-cell free at the end);
        // it is only allocated from under the shard's exclusive lock.
        std::pmr::monotonic_buffer_resource arena;
        std::pmr::unordered_map<Location, Cell, typename Task::LocationHash,
                                typename Task::LocationEq>
            cells{&arena};
    };

    static size_t shard_index(const Location& loc) {
        const uint64_t h = static_cast<uint64_t>(typename Task::LocationHash{}(loc));
        return static_cast<size_t>((h * 0x9e3779b97f4a7c15ull) >> 58);  // top 6 bits: 64 shards
    }
    const Shard& shard_of(const Location& loc) const {
        // SAFETY: shard_index < kShards (a 6-bit value).
        return shards_[shard_index(loc)];
    }

    Cell& cell_for(const Location& loc) {
        Shard& shard = shards_[shard_index(loc)];
        {
            std::shared_lock lock(shard.mutex);
            auto it = shard.cells.find(loc);
            if (it != shard.cells.end()) return it->second;
        }
        std::unique_lock lock(shard.mutex);
        return shard.cells.try_emplace(loc).first->second;  // node-based: the cell never moves
    }

    static void remove_entry(Cell& cell, TxIdx tx) {
        std::lock_guard lock(cell.mutex);
        auto& entries = cell.entries;
        auto it = std::lower_bound(entries.begin(), entries.end(), tx,
                                   [](const Entry& e, TxIdx t) { return e.tx < t; });
        if (it != entries.end() && it->tx == tx) entries.erase(it);
    }

    const Task& task_;
    std::unique_ptr<Shard[]> shards_;
    std::vector<ArenaVector<Cell*>> written_;  // per tx: the cells its last incarnation wrote
};

}  // namespace pevm::stm
