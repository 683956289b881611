// Optimistic chunks. See block_chunks.hpp.
#include "state/block_chunks.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

#include "state/deep_stack.hpp"
#include "stm/thread_pool.hpp"

namespace pevm::state {
namespace {

using Clock = std::chrono::steady_clock;

/// What a transaction of a later chunk read, and the value it got: an account (nonce, balance,
/// code, storage emptiness, existence) or a storage slot.
struct ChunkRead {
    enum class Kind : uint8_t { kAccount, kSlot };
    Kind kind = Kind::kAccount;
    bool exists = false;  // kAccount
    evmc_address address{};
    evmc_bytes32 key{};
    evmc_bytes32 value{};  // kSlot
    AccountInfo info;      // kAccount, when it exists
    // kAccount: whether the transaction's outcome depended on the exact balance; else it needs
    // at least `balance_floor` (what its balance checks needed), and its change to the balance
    // is committed as a delta.
    bool balance_exact = false;
    uint256 balance_floor;
};

/// Whether `state` holds at `r`'s location what `r` read.
bool holds(BlockState& state, const ChunkRead& r) {
    if (r.kind == ChunkRead::Kind::kSlot) return equal(state.storage(r.address, r.key), r.value);
    const std::optional<AccountInfo> now = state.account(r.address);
    if (now.has_value() != r.exists) return false;
    if (!now) return true;
    if (now->nonce != r.info.nonce || !equal(now->code_hash, r.info.code_hash) ||
        now->has_storage != r.info.has_storage)
        return false;
    return r.balance_exact ? now->balance == r.info.balance : now->balance >= r.balance_floor;
}

/// The view of a later chunk's transactions: its own state over the pre-state, with every read
/// logged.
class ChunkView final : public StateView {
public:
    ChunkView(BlockState& own, std::vector<ChunkRead>& log) noexcept : own_(own), log_(log) {}

    /// Starts a transaction of `sender`: its balance is read exactly (the transaction's validity
    /// compares it with the most it may pay, with no Host hook to say so).
    void start(const evmc_address& sender) noexcept { sender_ = sender; }
    std::optional<AccountInfo> account(const evmc_address& addr) override {
        std::optional<AccountInfo> info = own_.account(addr);
        loaded_.push_back(log_.size());
        ChunkRead& r = log_.emplace_back();
        r.address = addr;
        r.exists = info.has_value();
        r.balance_exact = equal(addr, sender_);
        if (info) r.info = *info;
        return info;
    }
    void balance_observed(const evmc_address& addr) override {
        if (ChunkRead* r = loaded(addr)) r->balance_exact = true;
    }
    void balance_at_least(const evmc_address& addr, const uint256& amount,
                          const uint256& current) override {
        ChunkRead* r = loaded(addr);
        if (r == nullptr || r->balance_exact) return;
        // The check held with `current` = the balance read plus this transaction's changes so
        // far: it holds in order when the balance read is at least amount - those changes.
        const uint256 surplus = current - amount;
        const uint256& read = r->info.balance;
        const uint256 need = surplus >= read ? uint256{} : read - surplus;
        if (need > r->balance_floor) r->balance_floor = need;
    }
    std::span<const uint8_t> code(const evmc_bytes32& code_hash) override {
        return own_.code(code_hash);  // a code never changes under its hash
    }
    evmc_bytes32 storage(const evmc_address& addr, const evmc_bytes32& key) override {
        ChunkRead& r = log_.emplace_back();
        r.kind = ChunkRead::Kind::kSlot;
        r.address = addr;
        r.key = key;
        r.value = own_.storage(addr, key);
        return r.value;
    }
    evmc_bytes32 block_hash(int64_t number) override { return own_.block_hash(number); }
    void prefetch_account(const evmc_address& addr) const override { own_.prefetch_account(addr); }
    /// The fee recipient, loaded only to credit it a fee that is not zero: whatever its state,
    /// the credit leaves it existing, with its nonce and code, and its balance plus the fee, so
    /// nothing is read (not even whether it exists) and its change becomes a credit (settle()).
    std::optional<AccountInfo> fee_recipient(const evmc_address& addr) override {
        std::optional<AccountInfo> info = own_.account(addr);
        credited_ = addr;
        credited_before_ = info ? info->balance : uint256{};
        has_credited_ = true;
        return info;
    }
    /// Ends a transaction: the change of the account loaded through fee_recipient becomes a
    /// credit (its nonce and code are this chunk's view of them, its balance this chunk's plus
    /// the fee), and the balance change of every account whose exact balance the outcome did
    /// not depend on becomes a delta.
    void settle(std::vector<AccountChange>& changes) noexcept {
        for (AccountChange& ch : changes) {
            if (has_credited_ && equal(ch.address, credited_)) {
                ch.balance -= credited_before_;
                ch.balance_delta = true;
                ch.credit_only = true;
                continue;
            }
            const ChunkRead* r = loaded(ch.address);
            if (r == nullptr || r->balance_exact || ch.deleted) continue;
            ch.balance -= r->exists ? r->info.balance : uint256{};
            ch.balance_delta = true;
        }
        has_credited_ = false;
        loaded_.clear();
    }

private:
    /// This transaction's read of `addr`'s account, if it read it.
    ChunkRead* loaded(const evmc_address& addr) noexcept {
        for (auto it = loaded_.rbegin(); it != loaded_.rend(); ++it)
            if (equal(log_[*it].address, addr)) return &log_[*it];
        return nullptr;
    }

    BlockState& own_;
    std::vector<ChunkRead>& log_;
    std::vector<size_t> loaded_;  // this transaction's account reads (indices into log_)
    evmc_address sender_{};
    evmc_address credited_{};
    uint256 credited_before_;
    bool has_credited_ = false;
};

void add_bloom(TxOutcome& r) {
    if (r.logs.empty()) return;
    r.bloom = std::make_unique<std::array<uint8_t, 256>>();
    r.bloom->fill(0);
    for (const Log& log : r.logs) bloom_add(r.bloom->data(), log);
}

}  // namespace

bool chunks_apply(const Block& block, unsigned threads, std::string* why) {
    if (threads >= 2 && block.txs.size() >= 2) return true;
    if (why != nullptr) *why = "fewer than two threads or transactions";
    return false;
}

std::vector<TxOutcome> execute_chunks(BlockState& state, PreState& pre, const Block& block,
                                      VmChoice vm, unsigned threads, stm::BlockMetrics& metrics) {
    const auto start = Clock::now();
    const size_t n = block.txs.size();
    const size_t parts = std::min<size_t>(threads, n);
    // The work a transaction may be, for splitting: its gas limit (at most the block's).
    // SAFETY: each term is at most the block's gas limit plus one, far below 2^64 / n.
    const uint64_t cap = static_cast<uint64_t>(block.env.gas_limit);
    std::vector<uint64_t> gas_before(n + 1, 0);  // prefix sums
    for (size_t i = 0; i < n; ++i)
        gas_before[i + 1] = gas_before[i] + (std::min(block.txs[i].gas_limit.low64(), cap) | 1);
    // Where the gas of [from, to) is halved (a split point strictly inside, when to - from >= 2).
    auto halfway = [&](size_t from, size_t to) {
        const uint64_t mid = gas_before[from] + (gas_before[to] - gas_before[from]) / 2;
        size_t m = static_cast<size_t>(
            std::upper_bound(gas_before.begin() + static_cast<std::ptrdiff_t>(from),
                             gas_before.begin() + static_cast<std::ptrdiff_t>(to), mid) -
            gas_before.begin());
        return std::clamp(m, from + 1, to - 1);
    };

    // The chunks: one per worker to start with, of about equal gas limits; a worker that runs out
    // takes the second half of what is left of the chunk with the most left (its owner stops
    // there), so that no worker idles while much is left. At most 8 per worker.
    struct Chunk {
        size_t begin = 0;
        size_t end = 0;   // guarded by lock: lowered when a worker takes the rest
        size_t next = 0;  // guarded by lock: the next transaction its owner runs
        size_t ran = 0;   // transactions run, from begin (the owner's; read after the run)
        std::mutex lock;
        std::vector<ChunkRead> reads;
    };
    const size_t max_chunks = 8 * parts;
    std::vector<std::unique_ptr<Chunk>> chunks(max_chunks);
    std::atomic<size_t> chunk_count{parts};
    std::mutex split_lock;  // one split at a time (they are rare)
    {
        size_t from = 0;
        for (size_t p = 0; p < parts; ++p) {
            chunks[p] = std::make_unique<Chunk>();
            Chunk& c = *chunks[p];
            c.begin = c.next = from;
            // Chunk p ends where p + 1 parts of the gas are, leaving one transaction at least to
            // each chunk after it.
            size_t to = n;
            if (p + 1 < parts) {
                const uint64_t target = gas_before[n] / parts * (p + 1);
                to = static_cast<size_t>(
                    std::upper_bound(gas_before.begin(), gas_before.end(), target) -
                    gas_before.begin());
                to = std::clamp(to, from + 1, n - (parts - p - 1));
            }
            c.end = to;
            from = to;
        }
    }

    std::vector<TxOutcome> outcomes(n);
    std::vector<size_t> read_end(n, 0);  // its chunk's reads up to here are transaction i's
    std::vector<uint64_t> busy(parts, 0);
    // The first chunk runs on the block's state: an invalid transaction there is invalid in the
    // block, and no later chunk need run on.
    std::atomic<bool> first_invalid{false};
    auto run_chunk = [&](Chunk& c) {
        const bool on_state = c.begin == 0;
        std::unique_ptr<BlockState> own;
        std::unique_ptr<ChunkView> logged;
        if (!on_state) {
            size_t size;
            {
                const std::lock_guard<std::mutex> hold(c.lock);  // a split may lower c.end
                size = c.end - c.begin;
            }
            own = std::make_unique<BlockState>(pre);
            own->reserve(2 * size + 16);
            c.reads.reserve(8 * size);
            logged = std::make_unique<ChunkView>(*own, c.reads);
        }
        StateView& view = on_state ? static_cast<StateView&>(state) : *logged;
        BlockState& commit = on_state ? state : *own;
        for (;;) {
            if (!on_state && first_invalid.load(std::memory_order_relaxed)) break;
            size_t i;
            bool more;
            {
                const std::lock_guard<std::mutex> hold(c.lock);
                if (c.next >= c.end) break;
                i = c.next++;
                more = c.next < c.end;
            }
            if (more) {
                const Transaction& next = block.txs[i + 1];
                commit.prefetch_account(next.sender);
                if (next.to) commit.prefetch_account(*next.to);
            }
            // SAFETY: i < n, the size of block.txs, outcomes and read_end.
            if (!on_state) logged->start(block.txs[i].sender);
            TxOutcome r;
            // Pool threads have default stacks: sanitizer builds need a deep one for 1024 frames.
            run_with_deep_stack(
                [&] { r = transition(view, block.env, block.txs[i], block.rev, vm); });
            if (on_state) {
                if (r.invalid) {
                    first_invalid.store(true, std::memory_order_relaxed);
                    break;
                }
                commit_outcome(state, r);
            } else {
                // Invalid here, it may be valid in order (a nonce an earlier chunk raises): it
                // runs again then.
                read_end[i] = c.reads.size();
                logged->settle(r.changes);
                if (!r.invalid) own->apply(r.changes);
            }
            if (!r.invalid) add_bloom(r);
            outcomes[i] = std::move(r);
            c.ran = i + 1 - c.begin;
        }
    };
    // Takes the second half of the rest of the chunk with the most gas left; nullptr when none
    // has two transactions left or the chunks are all used.
    auto split = [&]() -> Chunk* {
        const std::lock_guard<std::mutex> hold(split_lock);
        const size_t count = chunk_count.load(std::memory_order_relaxed);
        if (count == max_chunks || first_invalid.load(std::memory_order_relaxed)) return nullptr;
        for (;;) {
            Chunk* victim = nullptr;
            uint64_t most = 0;
            for (size_t k = 0; k < count; ++k) {
                Chunk& c = *chunks[k];
                const std::lock_guard<std::mutex> look(c.lock);
                if (c.end - c.next >= 2 && gas_before[c.end] - gas_before[c.next] > most) {
                    most = gas_before[c.end] - gas_before[c.next];
                    victim = &c;
                }
            }
            if (victim == nullptr) return nullptr;
            const std::lock_guard<std::mutex> take(victim->lock);
            if (victim->end - victim->next < 2) continue;  // its owner moved on meanwhile
            auto fresh = std::make_unique<Chunk>();
            fresh->begin = fresh->next = halfway(victim->next, victim->end);
            fresh->end = victim->end;
            victim->end = fresh->begin;
            Chunk* taken = fresh.get();
            chunks[count] = std::move(fresh);
            chunk_count.store(count + 1, std::memory_order_relaxed);
            return taken;
        }
    };
    stm::ThreadPool::global().run(static_cast<unsigned>(parts), [&](unsigned p) {
        const auto t0 = Clock::now();
        // SAFETY: p < parts <= chunk_count, the size of busy.
        for (Chunk* c = chunks[p].get(); c != nullptr; c = split()) run_chunk(*c);
        busy[p] = stm::elapsed_ns(t0);
    });
    const uint64_t run_ns = stm::elapsed_ns(start);

    // In block order: the first chunk is committed already (up to an invalid transaction). A later
    // chunk's transaction is committed as it ran when the state holds what it read (the state
    // then holds everything before it), else it runs again on the state; one invalid there ends
    // the run.
    const auto commit_start = Clock::now();
    const size_t count = chunk_count.load(std::memory_order_relaxed);
    std::sort(chunks.begin(), chunks.begin() + static_cast<std::ptrdiff_t>(count),
              [](const auto& a, const auto& b) { return a->begin < b->begin; });
    std::vector<bool> ran_again(n, false);
    uint64_t reexecutions = 0;
    size_t committed = chunks[0]->begin + chunks[0]->ran;
    for (size_t k = 1; k < count && committed == chunks[k]->begin; ++k) {
        Chunk& c = *chunks[k];
        size_t r = 0;
        for (size_t i = c.begin; i < c.end; ++i) {
            TxOutcome& out = outcomes[i];
            bool ok = i < c.begin + c.ran && !out.invalid;
            for (; r < read_end[i]; ++r)
                if (ok && !holds(state, c.reads[r])) ok = false;
            if (ok) {
                commit_outcome(state, out);
            } else {
                TxOutcome again = transition(state, block.env, block.txs[i], block.rev, vm);
                if (again.invalid) break;
                commit_outcome(state, again);
                add_bloom(again);
                out = std::move(again);
                ran_again[i] = true;
                ++reexecutions;
            }
            committed = i + 1;
        }
    }
    outcomes.resize(committed);

    metrics = stm::BlockMetrics{};
    metrics.threads = static_cast<unsigned>(parts);
    for (size_t k = 0; k < count; ++k) metrics.executions += chunks[k]->ran;
    for (size_t p = 0; p < parts; ++p) {
        metrics.execution_ns += busy[p];
        metrics.idle_ns += run_ns > busy[p] ? run_ns - busy[p] : 0;
    }
    metrics.executions += reexecutions;
    metrics.reexecutions = reexecutions;
    metrics.validations = committed > chunks[0]->end ? committed - chunks[0]->end : 0;
    metrics.validation_aborts = reexecutions;
    metrics.commit_ns = stm::elapsed_ns(commit_start);
    metrics.committed = committed;
    // How they ran: each after the one before it, except a later chunk's first transaction when
    // its run held.
    metrics.dependencies.resize(n);
    std::vector<bool> chunk_start(n, false);
    for (size_t k = 1; k < count; ++k) chunk_start[chunks[k]->begin] = true;
    for (size_t i = 1; i < n; ++i)
        if (!chunk_start[i] || ran_again[i])
            metrics.dependencies[i].push_back(static_cast<stm::TxIdx>(i - 1));
    metrics.total_ns = stm::elapsed_ns(start);
    return outcomes;
}

}  // namespace pevm::state
