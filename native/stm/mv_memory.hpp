// Multi-version memory: for each location, the values written by each transaction of the block
// (full writes and deltas, tagged with their incarnation) and the ESTIMATE markers left by aborted
// incarnations. A read by transaction `r` returns the highest entry below `r`; deltas on top of it
// are accumulated and resolved against it (or against the pre-block storage). See block_stm.hpp.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "stm/prefetch.hpp"
#include "stm/spin_lock.hpp"
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
        // 1 when the incarnation that wrote it was aborted. A byte, not a bool: a reader racing
        // a writer may copy any bytes before it finds out and retries (see Cell).
        uint8_t estimate = 0;
        // What was written, by `kind`: 64 bytes an entry instead of 96 with both (a hot
        // location holds one entry per transaction of the block).
        union {
            Value value;  // kFull
            Delta delta;  // kDelta
        };
        Entry() : value{} {}
    };

    /// All entries of one location, sorted by tx. Cells never move or die during a block, so read
    /// sets keep plain pointers to them.
    ///
    /// Reads take no lock: `seq` is a sequence lock. A writer makes it odd (a compare-and-swap
    /// from even, which also keeps other writers out), changes the entries, and makes it even
    /// again; a reader notes an even `seq`, copies what it needs, and starts again if `seq` has
    /// moved meanwhile. A read of a location that many transactions read (a token's balance
    /// table, a pool's reserves) so leaves the cell's cache lines shared among the cores, where a
    /// lock taken by every reader wrote them and moved them from core to core. So that a reader
    /// racing a writer reads nothing but atomics, the entries are kept as 64-bit words accessed
    /// through std::atomic_ref, in an array whose first word is its capacity; a grown array
    /// replaces the old one, which stays in the arena until the block ends (a reader may still
    /// be walking it, and finds out by `seq`).
    struct Cell {
        explicit Cell(const Location& loc) : location(loc) {}
        const Location location;
        std::atomic<uint32_t> seq{0};           // odd while a writer changes the entries
        std::atomic<uint32_t> size{0};          // entries in `words`
        std::atomic<uint64_t*> words{nullptr};  // [capacity, entry 0's words, entry 1's, ...]
    };
    // Cells and tables live in the workers' arenas and are never destroyed one by one.
    static_assert(std::is_trivially_destructible_v<Entry> && std::is_trivially_copyable_v<Entry> &&
                  std::is_trivially_destructible_v<Location> &&
                  std::is_trivially_destructible_v<Cell>);
    static_assert(sizeof(Entry) % sizeof(uint64_t) == 0 && alignof(Entry) <= alignof(uint64_t));
    static constexpr size_t kEntryWords = sizeof(Entry) / sizeof(uint64_t);

    using Read = ReadEntry<Location, Value, Cell>;
    using ReadSet = stm::ReadSet<Location, Value, Cell>;
    using StoredReads = stm::StoredReads<Location, Value, Cell>;

    enum class ReadStatus : uint8_t { kOk, kDependency };

    /// Thrown when the block writes more locations than the chain of tables holds (far beyond
    /// the task's location_capacity() bound): the caller runs the block another way.
    struct TableFull : std::runtime_error {
        TableFull() : std::runtime_error("Block-STM location table full") {}
    };

    MultiVersionMemory(const Task& task, size_t num_txs) : task_(task), written_(num_txs) {
        // The first table is sized for a typical block (a few locations per transaction), small
        // enough to stay in cache; bigger ones are chained on when a probe window fills up.
        size_t bound = 4 * num_txs + 256;
        if constexpr (requires { task.location_capacity(); })
            bound = std::min<size_t>(bound, task.location_capacity() + 256);
        size_t capacity = 1024;
        while (capacity < 2 * bound) capacity *= 2;
        first_ = make_table(capacity);
    }

    /// The cell of `loc`, or nullptr when no transaction has written it yet. Lock-free.
    const Cell* find(const Location& loc) const {
        const Hash h = hash_of(loc);
        for (size_t t = 0; t < kMaxTables; ++t) {
            // SAFETY: t < kMaxTables. Acquire: pairs with the release that published the table.
            const Table* table = t == 0 ? first_ : next_[t].load(std::memory_order_acquire);
            if (table == nullptr) return nullptr;
            bool window_full = true;
            const Cell* c = table->find(loc, h, window_full);
            if (c != nullptr || !window_full) return c;
        }
        return nullptr;
    }

    /// Starts loading the table slot where `loc`'s probe begins, without waiting for it. A block's
    /// locations are scattered over a table larger than a core's private caches, so the first
    /// find() of a location (or the record that creates its cell) usually misses them; a worker
    /// that names a transaction's likely locations before running it overlaps those misses
    /// instead of taking them one after the other.
    void prefetch(const Location& loc) const noexcept {
        // SAFETY: the index is masked to the first table's capacity.
        // For writing: the record that creates the location's cell swaps it in.
        prefetch_write(&first_->slots[hash_of(loc).index & first_->mask]);
    }

    /// Reads `loc` as transaction `reader` sees it. On kDependency, `blocker` is the transaction
    /// whose ESTIMATE was hit. With `values` false, only the origin and version are computed (what
    /// validation of a non-resolved read needs): no storage read, no value copy, no resolution.
    ReadStatus read(const Location& loc, const Cell* cell, TxIdx reader, Read& out, TxIdx& blocker,
                    bool values) const {
        out.location = loc;
        out.cell = cell;
        Walk walk;
        if (cell != nullptr) {
            // Lock-free (see Cell): the walk copies what it found, and is taken only when no
            // writer changed the cell meanwhile.
            for (unsigned spins = 0;; spin_wait(spins)) {
                const uint32_t seq = cell->seq.load(std::memory_order_acquire);
                if (seq & 1u) continue;
                walk = walk_below(*cell, reader);
                // Orders the walk's loads before the second look at seq (a sequence lock's read).
                std::atomic_thread_fence(std::memory_order_acquire);
                if (cell->seq.load(std::memory_order_relaxed) == seq) break;
            }
        }
        if (walk.dependency) {
            blocker = walk.blocker;
            return ReadStatus::kDependency;
        }
        const bool has_delta = walk.has_delta;
        const Delta& acc = walk.acc;
        out.deltas = walk.deltas;
        bool base_from_storage = true;
        if (walk.found_full) {
            base_from_storage = false;
            if (!has_delta) {
                out.origin = ReadOrigin::kVersioned;
                out.version = Version{walk.full.tx, walk.full.incarnation};
                if (values) out.value = walk.full.value;
                return ReadStatus::kOk;
            }
            if (values) out.value = walk.full.value;
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
            Entry e;
            e.tx = v.tx;
            e.incarnation = v.incarnation;
            e.kind = w.kind;
            if (w.kind == WriteKind::kFull)
                e.value = w.value;
            else
                e.delta = w.delta;
            bool born_with_it = false;
            Cell& cell = cell_for(w.location, e, born_with_it);
            if (!born_with_it) {
                const Writing writing(cell);
                uint64_t* array = cell.words.load(std::memory_order_relaxed);
                const size_t n = cell.size.load(std::memory_order_relaxed);
                size_t at;
                bool replace = false;
                if (n == 0 || tx_at(array, n - 1) < v.tx) {
                    // Transactions mostly record in block order: a hot location (the coinbase's
                    // balance takes a delta from every transaction) grows at its end, and a
                    // binary search over thousands of entries missed the cache at every step.
                    at = n;
                } else {
                    at = lower_bound(array, n, v.tx);
                    replace = at < n && tx_at(array, at) == v.tx;
                }
                if (!replace) array = insert_at(cell, array, n, at);
                store_entry(array, at, e);
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
            const Writing writing(*cell);
            uint64_t* array = cell->words.load(std::memory_order_relaxed);
            const size_t n = cell->size.load(std::memory_order_relaxed);
            const size_t at = lower_bound(array, n, tx);
            if (at < n && tx_at(array, at) == tx) {
                Entry e = load_entry(array, at);
                e.estimate = 1;
                store_entry(array, at, e);
            }
        }
    }

    /// Re-reads every location of `reads` as transaction `tx` and checks each still returns what
    /// the incarnation saw: the same version, storage still, or (deltas) the same resolved value.
    /// On failure, `*failed` (when given) receives the location of the first read that no longer
    /// holds.
    bool validate(TxIdx tx, const StoredReads& reads, Location* failed = nullptr) const {
        Read now;
        for (const auto& r : reads.items) {
            const Location& loc = reads.location(r);
            if (!still_holds(tx, reads, r, loc, now)) {
                if (failed != nullptr) *failed = loc;
                return false;
            }
        }
        return true;
    }

    /// Whether read `r` (of `reads`, at `loc`) would still see what it saw, for reader `tx`.
    bool still_holds(TxIdx tx, const StoredReads& reads, const typename StoredReads::Item& r,
                     const Location& loc, Read& now) const {
        const Cell* cell = r.cell != nullptr ? r.cell : find(loc);
        TxIdx blocker = 0;
        const bool values = r.origin == ReadOrigin::kResolved || r.origin == ReadOrigin::kBound;
        if (read(loc, cell, tx, now, blocker, values) != ReadStatus::kOk) return false;
        if (r.origin == ReadOrigin::kBound) return satisfies(reads.bound(r), now.value);
        if (now.origin != r.origin) return false;
        switch (r.origin) {
            case ReadOrigin::kStorage:
                return true;
            case ReadOrigin::kVersioned:
                return now.version == r.version;
            case ReadOrigin::kResolved:
                return now.value == reads.value(r);
            case ReadOrigin::kBound:
                break;
        }
        return false;
    }

    /// Task::satisfies, for a task that has it (only such a task's views make bounded reads).
    bool satisfies(const Value& bound, const Value& value) const {
        if constexpr (requires { task_.satisfies(bound, value); })
            return task_.satisfies(bound, value);
        return false;
    }

    /// The transactions `reader`'s read `r` (of `reads`) took its value from (for the dependency
    /// graph; call once the block is done).
    void contributors(const StoredReads& reads, const typename StoredReads::Item& r, TxIdx reader,
                      std::vector<TxIdx>& out) const {
        if (r.origin == ReadOrigin::kStorage) return;
        // A bound that the pre-block value already satisfies needed no write; one that it does
        // not needed all of them down to the last full write, like a resolved read.
        if (r.origin == ReadOrigin::kBound &&
            satisfies(reads.bound(r), task_.storage_read(reads.location(r))))
            return;
        if (r.origin == ReadOrigin::kVersioned) {
            out.push_back(r.version.tx);
            return;
        }
        const Cell* cell = r.cell != nullptr ? r.cell : find(reads.location(r));
        if (cell == nullptr) return;
        const size_t start = out.size();
        for (unsigned spins = 0;; spin_wait(spins)) {
            const uint32_t seq = cell->seq.load(std::memory_order_acquire);
            if (seq & 1u) continue;
            out.resize(start);
            const uint64_t* array = cell->words.load(std::memory_order_acquire);
            const size_t n = readable_size(*cell, array);
            for (size_t i = lower_bound(array, n, reader); i-- > 0;) {
                const Entry e = load_entry(array, i);
                out.push_back(e.tx);
                if (e.kind == WriteKind::kFull) break;
            }
            std::atomic_thread_fence(std::memory_order_acquire);
            if (cell->seq.load(std::memory_order_relaxed) == seq) break;
        }
    }

private:
    static constexpr unsigned kTagShift = 48;
    static constexpr uint64_t kAddressMask = (uint64_t{1} << kTagShift) - 1;

    /// Where a location's probe starts, and the tag its slots carry.
    struct Hash {
        size_t index;
        uint16_t tag;
    };
    static Hash hash_of(const Location& loc) {
        const uint64_t h = mix_hash(static_cast<uint64_t>(typename Task::LocationHash{}(loc)));
        // The index from the middle bits (the high ones mixed down), the tag from the top 16.
        return {static_cast<size_t>(h >> 20), static_cast<uint16_t>(h >> 48)};
    }

    /// One open-addressing table of cells (linear probing). A slot goes from 0 to a cell once,
    /// by compare-and-swap, and never changes again. A location lives in the first table whose
    /// probe window (kWindow slots from its hash) had room: two threads inserting the same
    /// location see the same window contents and agree; a window that is full stays full.
    ///
    /// A slot holds the cell's address in its low 48 bits and 16 bits of the location's hash in
    /// its high ones, so a probe past another location's slot compares tags and does not load
    /// that cell. Most reads of a block are of locations nobody wrote (no cell), and the table
    /// is larger than a core's private caches: without tags, every occupied slot probed cost a
    /// second cache miss, on a cell that was not the one sought.
    struct Table {
        std::atomic<uint64_t>* slots;  // 0 when free; in an arena, like the table itself
        size_t mask;                   // capacity - 1 (a power of two)

        static const Cell* cell_of(uint64_t slot) {
            return reinterpret_cast<const Cell*>(static_cast<uintptr_t>(slot & kAddressMask));
        }

        /// The cell of `loc` in this table; `window_full` tells whether the location may be in a
        /// later table (the whole window was taken by other locations).
        const Cell* find(const Location& loc, Hash h, bool& window_full) const {
            size_t i = h.index & mask;
            for (size_t probe = 0; probe < kWindow; ++probe, i = (i + 1) & mask) {
                // SAFETY: i <= mask. Acquire: the cell's location is published with it.
                const uint64_t slot = slots[i].load(std::memory_order_acquire);
                if (slot == 0) {
                    window_full = false;
                    return nullptr;
                }
                if ((slot >> kTagShift) != h.tag) continue;
                const Cell* c = cell_of(slot);
                if (typename Task::LocationEq{}(c->location, loc)) return c;
            }
            window_full = true;
            return nullptr;
        }

        /// The cell of `loc` in this table, inserting `mine` (built on first need through
        /// `make`) into the first free slot of the window; nullptr when the window is full.
        template <class Make>
        Cell* find_or_insert(const Location& loc, Hash h, Cell*& mine, Make make) {
            size_t i = h.index & mask;
            for (size_t probe = 0; probe < kWindow; ++probe, i = (i + 1) & mask) {
                // SAFETY: i <= mask.
                std::atomic<uint64_t>& slot = slots[i];
                uint64_t seen = slot.load(std::memory_order_acquire);
                if (seen == 0) {
                    if (mine == nullptr) mine = make();
                    const uint64_t word = (uint64_t{h.tag} << kTagShift) |
                                          static_cast<uint64_t>(reinterpret_cast<uintptr_t>(mine));
                    // Release: publishes the constructed cell; acquire on failure: the winner's.
                    if (slot.compare_exchange_strong(seen, word, std::memory_order_acq_rel,
                                                     std::memory_order_acquire))
                        return mine;
                }
                if ((seen >> kTagShift) != h.tag) continue;
                Cell* c = const_cast<Cell*>(cell_of(seen));
                if (typename Task::LocationEq{}(c->location, loc)) return c;
            }
            return nullptr;
        }
    };
    static constexpr size_t kWindow = 32;
    static constexpr size_t kMaxTables = 6;  // each 4x the previous one

    /// The cell of `loc`, created (in the calling worker's arena) when absent. Lock-free; the
    /// loser of a race for the same location uses the winner's cell (its own allocation stays
    /// unused in its arena). A cell it creates holds `first` as its one entry from the start
    /// (`born_with_it`): most locations of a block are written once, and the entry then needs no
    /// writer's hold on the cell (a locked instruction, a full barrier) once the cell is shared.
    Cell& cell_for(const Location& loc, const Entry& first, bool& born_with_it) {
        const Hash h = hash_of(loc);
        Cell* mine = nullptr;
        auto make = [&loc, &first] {
            void* memory = ArenaAllocator<Cell>().allocate(1);
            // A slot keeps 48 bits of address (every x86-64 and AArch64 Linux user address
            // unless a program maps memory above 2^47 on purpose). Otherwise: run another way.
            if ((reinterpret_cast<uintptr_t>(memory) & ~kAddressMask) != 0) throw TableFull();
            Cell* cell = new (memory) Cell(loc);
            // Right behind the cell in the arena: most locations have one or two writers, so a
            // read usually finds the cell and its entries in neighbouring cache lines. Published
            // with the cell (the slot's compare-and-swap releases it).
            uint64_t* array = new_array(2);
            store_entry(array, 0, first);
            cell->words.store(array, std::memory_order_relaxed);
            cell->size.store(1, std::memory_order_relaxed);
            return cell;
        };
        Table* table = first_;
        for (size_t t = 0;;) {
            if (Cell* c = table->find_or_insert(loc, h, mine, make)) {
                born_with_it = c == mine;
                return *c;
            }
            if (++t == kMaxTables) throw TableFull();
            table = next_table(t, table->mask + 1);
        }
    }

    /// A table of `capacity` free slots, in the calling thread's arena.
    static Table* make_table(size_t capacity) {
        std::atomic<uint64_t>* slots = ArenaAllocator<std::atomic<uint64_t>>().allocate(capacity);
        for (size_t i = 0; i < capacity; ++i) new (&slots[i]) std::atomic<uint64_t>(0);
        return new (ArenaAllocator<Table>().allocate(1)) Table{slots, capacity - 1};
    }

    /// Table `t` (> 0), created 4x the size of the one before when absent. A thread that loses
    /// the race to publish it leaves its own copy unused in its arena.
    Table* next_table(size_t t, size_t previous_capacity) {
        // SAFETY: 0 < t < kMaxTables.
        std::atomic<Table*>& next = next_[t];
        Table* table = next.load(std::memory_order_acquire);
        if (table != nullptr) return table;
        Table* fresh = make_table(4 * previous_capacity);
        // Release: publishes the zeroed slots; acquire on failure: the winner's table.
        if (next.compare_exchange_strong(table, fresh, std::memory_order_acq_rel,
                                         std::memory_order_acquire))
            return fresh;
        return table;
    }

    static void remove_entry(Cell& cell, TxIdx tx) {
        const Writing writing(cell);
        uint64_t* array = cell.words.load(std::memory_order_relaxed);
        const size_t n = cell.size.load(std::memory_order_relaxed);
        const size_t at = lower_bound(array, n, tx);
        if (at == n || tx_at(array, at) != tx) return;
        for (size_t w = (at + 1) * kEntryWords; w < n * kEntryWords; ++w)
            store_word(array + 1 + w - kEntryWords, load_word(array + 1 + w));
        cell.size.store(static_cast<uint32_t>(n - 1), std::memory_order_relaxed);
    }

    // ---- the entries' words (see Cell) ----

    static uint64_t load_word(const uint64_t* p) noexcept {
        // SAFETY: atomic_ref needs a non-const object; the load does not write it.
        return std::atomic_ref<uint64_t>(*const_cast<uint64_t*>(p)).load(std::memory_order_relaxed);
    }
    static void store_word(uint64_t* p, uint64_t w) noexcept {
        std::atomic_ref<uint64_t>(*p).store(w, std::memory_order_relaxed);
    }
    static Entry load_entry(const uint64_t* array, size_t i) noexcept {
        uint64_t words[kEntryWords];
        // SAFETY: i < the array's capacity (callers bound i by readable_size or size).
        const uint64_t* from = array + 1 + i * kEntryWords;
        for (size_t w = 0; w < kEntryWords; ++w) words[w] = load_word(from + w);
        Entry e;
        std::memcpy(static_cast<void*>(&e), words, sizeof e);
        return e;
    }
    static void store_entry(uint64_t* array, size_t i, const Entry& e) noexcept {
        uint64_t words[kEntryWords];
        std::memcpy(words, static_cast<const void*>(&e), sizeof e);
        uint64_t* to = array + 1 + i * kEntryWords;
        for (size_t w = 0; w < kEntryWords; ++w) store_word(to + w, words[w]);
    }
    static TxIdx tx_at(const uint64_t* array, size_t i) noexcept {
        static_assert(offsetof(Entry, tx) == 0);
        const uint64_t word = load_word(array + 1 + i * kEntryWords);
        TxIdx tx;
        std::memcpy(&tx, &word, sizeof tx);
        return tx;
    }
    /// The first of the n entries whose tx is not below `tx`.
    static size_t lower_bound(const uint64_t* array, size_t n, TxIdx tx) noexcept {
        size_t lo = 0;
        while (n > 0) {
            const size_t half = n / 2;
            if (tx_at(array, lo + half) < tx) {
                lo += half + 1;
                n -= half + 1;
            } else {
                n = half;
            }
        }
        return lo;
    }
    /// How many entries of `array` a reader may look at: the cell's size, bounded by the array's
    /// capacity (a reader racing a writer may see a new size with an old, smaller array).
    static size_t readable_size(const Cell& cell, const uint64_t* array) noexcept {
        const size_t n = cell.size.load(std::memory_order_relaxed);
        const size_t capacity = load_word(array);
        return n < capacity ? n : capacity;
    }
    /// A fresh array for `capacity` entries, in the calling worker's arena.
    static uint64_t* new_array(size_t capacity) {
        uint64_t* array = ArenaAllocator<uint64_t>().allocate(1 + capacity * kEntryWords);
        store_word(array, capacity);
        return array;
    }
    /// Makes room for an entry at `at` among the n entries of `array` (the cell's), growing into
    /// a new array when full; returns the array that now holds the entries. Writers only.
    static uint64_t* insert_at(Cell& cell, uint64_t* array, size_t n, size_t at) {
        const size_t capacity = load_word(array);
        if (n == capacity) {
            uint64_t* grown = new_array(2 * capacity);
            for (size_t w = 0; w < at * kEntryWords; ++w)
                store_word(grown + 1 + w, load_word(array + 1 + w));
            for (size_t w = at * kEntryWords; w < n * kEntryWords; ++w)
                store_word(grown + 1 + w + kEntryWords, load_word(array + 1 + w));
            // Release: a reader that sees the new array sees its capacity word.
            cell.words.store(grown, std::memory_order_release);
            array = grown;
        } else {
            for (size_t w = n * kEntryWords; w-- > at * kEntryWords;)
                store_word(array + 1 + w + kEntryWords, load_word(array + 1 + w));
        }
        cell.size.store(static_cast<uint32_t>(n + 1), std::memory_order_relaxed);
        return array;
    }

    /// A writer's hold on a cell (see Cell): makes its seq odd for as long as it lives, waiting
    /// for another writer to finish first.
    class Writing {
    public:
        explicit Writing(Cell& cell) noexcept : cell_(cell) {
            for (unsigned spins = 0;; spin_wait(spins)) {
                seq_ = cell.seq.load(std::memory_order_relaxed);
                // Acquire: the previous writer's changes (its release of seq) before ours.
                if ((seq_ & 1u) == 0 &&
                    cell.seq.compare_exchange_weak(seq_, seq_ + 1, std::memory_order_acquire,
                                                   std::memory_order_relaxed))
                    break;
            }
            // Orders the odd seq before every change that follows: a reader that sees any of
            // them then sees seq moved (a sequence lock's write).
            std::atomic_thread_fence(std::memory_order_release);
        }
        ~Writing() { cell_.seq.store(seq_ + 2, std::memory_order_release); }
        Writing(const Writing&) = delete;
        Writing& operator=(const Writing&) = delete;

    private:
        Cell& cell_;
        uint32_t seq_ = 0;
    };

    /// What a read found below a transaction in one cell.
    struct Walk {
        bool dependency = false;  // an ESTIMATE of `blocker` came first
        TxIdx blocker = 0;
        bool has_delta = false;  // deltas were summed into `acc`
        uint32_t deltas = 0;     // how many
        Delta acc{};
        bool found_full = false;  // a full write `full` ends the walk
        Entry full;
    };
    /// Walks the cell's entries below `reader` down to the first full write. Reads atomics only
    /// and keeps nothing but its result: under a writer it may return garbage (copied bytes,
    /// never looked at as values), which the caller's second look at seq discards.
    static Walk walk_below(const Cell& cell, TxIdx reader) noexcept {
        Walk walk;
        const uint64_t* array = cell.words.load(std::memory_order_acquire);
        const size_t n = readable_size(cell, array);
        for (size_t i = lower_bound(array, n, reader); i-- > 0;) {
            const Entry e = load_entry(array, i);
            if (e.estimate != 0) {
                walk.dependency = true;
                walk.blocker = e.tx;
                return walk;
            }
            if (e.kind == WriteKind::kDelta) {
                walk.acc += e.delta;
                walk.has_delta = true;
                ++walk.deltas;
                continue;
            }
            walk.found_full = true;
            walk.full = e;
            return walk;
        }
        return walk;
    }

    const Task& task_;
    Table* first_ = nullptr;                     // built by the constructor
    std::atomic<Table*> next_[kMaxTables] = {};  // tables 1.. once created (next_[0] unused)
    std::vector<ArenaVector<Cell*>> written_;    // per tx: the cells its last incarnation wrote
};

}  // namespace pevm::stm
