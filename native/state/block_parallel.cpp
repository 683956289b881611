// The Ethereum task for Block-STM and the parallel block executor. See block_parallel.hpp.
#include "state/block_parallel.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>

#include "crypto/keccak.hpp"
#include "state/block_chunks.hpp"
#include "state/block_transfers.hpp"
#include "state/deep_stack.hpp"
#include "stm/executor.hpp"
#include "stm/thread_pool.hpp"

namespace pevm::state {
namespace {

// kExists holds the fee recipient's existence alone (Val::exists), written with its kMeta by any
// change that creates or deletes it: a transaction that only pays it its fee reads only that
// (MvStateView::fee_recipient).
enum class LocKind : uint8_t { kMeta, kBalance, kStorage, kExists };

struct Loc {
    LocKind kind = LocKind::kMeta;
    evmc_address addr{};
    evmc_bytes32 key{};  // kStorage
    uint8_t shard = 0;   // kBalance of the coinbase: one of kCoinbaseShards (see below)
};
struct LocHash {
    size_t operator()(const Loc& l) const noexcept {
        // Keyed over every byte of the address and the slot (stm/hash.hpp: the block's author
        // chooses both), plus the kind and the shard; the engine's tables stir the bits again.
        uint64_t h = stm::keyed_hash20(l.addr.bytes) + static_cast<uint64_t>(l.kind) + 4u * l.shard;
        if (l.kind == LocKind::kStorage)
            h ^= stm::keyed_hash32(l.key.bytes) * 0x9e3779b97f4a7c15ull;
        return static_cast<size_t>(h);
    }
};
struct LocEq {
    bool operator()(const Loc& a, const Loc& b) const noexcept {
        return a.kind == b.kind && a.shard == b.shard && equal(a.addr, b.addr) &&
               (a.kind != LocKind::kStorage || equal(a.key, b.key));
    }
};

// The coinbase's balance is spread over this many balance locations, summed when read: every
// transaction adds its fee to it, and with one location every worker took the same cell's lock
// and wrote the same cache lines for every transaction it recorded (the hottest spot of the
// engine, worse with every core). Transaction i adds its fee to shard i % kCoinbaseShards, so
// the transactions that run at the same time write different cells. Shard 0 starts from the
// pre-block balance, the others from zero; a full write of the balance (the coinbase sends a
// transaction, or is destroyed) writes the value to shard 0 and zero to the others.
//
// A transaction the coinbase sends reads every shard and writes every shard. In a mining pool's
// payout block (the coinbase sends nearly every transaction: 11814555, 12300570, 12520364) that
// was 15 extra reads and 15 extra writes per transaction, and Block-STM ran 2.5-5 times slower than
// sequential execution there. So the balance is spread only when the coinbase sends at most one
// in kCoinbaseShards of the block's transactions (a builder's payment to the proposer, say).
constexpr uint8_t kCoinbaseShards = 16;

// One value type for every location kind, 48 bytes (it is copied into every read set and
// multi-version entry): the kind's 32-byte datum shares one field. The code hash is kept XORed
// with the empty code's hash, so that a zero datum means "no code", "balance 0" and "slot 0"
// alike: a default Val is the default of every kind.
struct Val {
    bool exists = false;       // kMeta, kExists
    bool has_storage = false;  // kMeta
    uint32_t epoch = 0;        // kMeta: destructions so far; kStorage: the epoch written under
    uint64_t nonce = 0;        // kMeta
    evmc_bytes32 data{};  // kMeta: code hash ^ empty; kBalance: the balance; kStorage: the word

    evmc_bytes32 code_hash() const noexcept { return xor_empty(data); }
    void set_code_hash(const evmc_bytes32& h) noexcept { data = xor_empty(h); }
    uint256 balance() const noexcept {
        uint256 b;
        static_assert(sizeof(b) == sizeof(data));
        std::memcpy(&b, data.bytes, sizeof(b));
        return b;
    }
    void set_balance(const uint256& b) noexcept { std::memcpy(data.bytes, &b, sizeof(b)); }
    const evmc_bytes32& word() const noexcept { return data; }
    void set_word(const evmc_bytes32& w) noexcept { data = w; }

    friend bool operator==(const Val& a, const Val& b) noexcept {
        return a.exists == b.exists && a.has_storage == b.has_storage && a.epoch == b.epoch &&
               a.nonce == b.nonce && equal(a.data, b.data);
    }

private:
    static evmc_bytes32 xor_empty(const evmc_bytes32& h) noexcept {
        evmc_bytes32 out;
        for (size_t i = 0; i < 32; ++i) out.bytes[i] = h.bytes[i] ^ kEmptyCodeHash.bytes[i];
        return out;
    }
};
static_assert(sizeof(Val) == 48);
static_assert(std::is_trivially_copyable_v<uint256>);

struct TxResultOut {
    // Changes of accounts whose balance was written as a delta carry that delta (balance_delta):
    // the oracle resolves it when it applies the change sets in block order.
    TxOutcome outcome;
    // The has-storage flag of an account could not be tracked exactly (every slot cleared of an
    // account with nonce 0 and no code): the block must run sequentially.
    bool inexact = false;
};

using View = stm::TxView<Loc, Val>;

// Adaptive scheduling: the share of conflicted executions beyond which Block-STM stops and the
// block continues sequentially (see bench/README.md, "The auto policy").
constexpr double kBailOutRatio = 0.5;

class EthTask;

// The StateView the transition reads through: every read goes through the engine's view.
// Balances are read lazily: the transaction's sender (always checked) and any account whose
// balance the transaction observed (Host reports it through balance_observed) are read through the
// engine; any other account gets a placeholder (its pre-block balance, not recorded), and its
// change becomes a delta (new - placeholder). That is exact because such a balance changes only by
// amounts that do not depend on it: credits, and payments whose cover was checked, which
// balance_at_least turns into a bound on the real balance, read through the engine as such. When
// an observed balance turns out to differ from its placeholder, or a bound is not met, the
// transaction runs again with the real value (run_transition).
class MvStateView final : public StateView {
public:
    MvStateView(const EthTask& task, View& view, const evmc_address& sender)
        : task_(task), view_(view), sender_(sender) {
        known_.clear();
        placeholders_.clear();
        observed_.clear();
        bounds_.clear();
    }

    /// Runs the transition until no observed balance differed from its placeholder.
    TxOutcome run_transition(const BlockEnv& env, const Transaction& tx, evmc_revision rev,
                             VmChoice vm);
    /// The balance the run used for `addr`: real (true) or a placeholder (false).
    bool known(const evmc_address& addr, uint256* value) const {
        if (const uint256* k = balance_in(known_, addr)) {
            *value = *k;
            return true;
        }
        const uint256* p = balance_in(placeholders_, addr);
        *value = p != nullptr ? *p : uint256{};
        return false;
    }
    void balance_observed(const evmc_address& addr) override {
        if (balance_in(known_, addr) == nullptr && !observed(addr)) observed_.push_back(addr);
    }
    /// A balance that only had to cover `amount`: with a placeholder P, the run's `current` is P
    /// plus the transaction's own changes, so the real start balance R works alike exactly when
    /// R + (current - P) >= amount, i.e. R >= P - (current - amount). That bound is kept (the
    /// largest per account) and checked through the engine after the run (run_transition).
    void balance_at_least(const evmc_address& addr, const uint256& amount,
                          const uint256& current) override;

    bool blocked() const { return blocked_; }
    bool read(const Loc& loc, Val& out) {
        if (blocked_) {
            out = Val{};
            return false;
        }
        if (!view_.read(loc, out)) {
            blocked_ = true;
            out = Val{};
            return false;
        }
        return true;
    }
    /// Reads `addr`'s balance (one location) for the bound `need`: its value, and whether the
    /// engine recorded the read exactly after all (`exact`).
    uint256 bounded_balance(const evmc_address& addr, const uint256& need, bool& exact) {
        exact = true;
        if (blocked_) return {};
        Val bound, b;
        bound.set_balance(need);
        if (!view_.read_bound(Loc{LocKind::kBalance, addr, {}}, bound, b, exact)) {
            blocked_ = true;
            return {};
        }
        return b.balance();
    }
    Val meta(const evmc_address& addr) {
        Val v;
        read(Loc{LocKind::kMeta, addr, {}}, v);
        return v;
    }

    std::optional<AccountInfo> account(const evmc_address& addr) override {
        const Val m = meta(addr);
        const uint256 balance = balance_of(addr, m.exists);
        if (!m.exists) return std::nullopt;
        AccountInfo info;
        info.nonce = m.nonce;
        info.balance = balance;
        info.code_hash = m.code_hash();
        info.has_storage = m.has_storage;
        return info;
    }
    /// The fee recipient, loaded only for its fee: if it exists, its existence is all this
    /// transaction reads of it, and its change becomes a credit (credited()).
    std::optional<AccountInfo> fee_recipient(const evmc_address& addr) override {
        Val e;
        read(Loc{LocKind::kExists, addr, {}}, e);
        if (!e.exists) return account(addr);  // created by the fee: the whole account
        credited_ = addr;
        has_credited_ = true;
        AccountInfo info;  // nonce and code: placeholders
        info.balance = balance_of(addr, true);
        return info;
    }
    /// Whether `addr` was loaded through fee_recipient as an existing account.
    bool credited(const evmc_address& addr) const {
        return has_credited_ && equal(credited_, addr);
    }
    std::span<const uint8_t> code(const evmc_bytes32& code_hash) override;
    evmc_bytes32 storage(const evmc_address& addr, const evmc_bytes32& key) override {
        const Val m = meta(addr);
        Val s;
        read(Loc{LocKind::kStorage, addr, key}, s);
        if (!m.exists || s.epoch != m.epoch) return {};
        return s.word();
    }
    evmc_bytes32 block_hash(int64_t number) override;

private:
    using Balances = std::vector<std::pair<evmc_address, uint256>>;
    /// `addr`'s balance in `list` (known_ or placeholders_), or null.
    static const uint256* balance_in(const Balances& list, const evmc_address& addr) {
        for (const auto& [a, v] : list)
            if (equal(a, addr)) return &v;
        return nullptr;
    }
    bool observed(const evmc_address& addr) const {
        for (const auto& a : observed_)
            if (equal(a, addr)) return true;
        return false;
    }
    uint256 read_balance(const evmc_address& addr);
    uint256 pre_balance(const evmc_address& addr) const;
    /// The balance a run uses for `addr`: the one it used before, else the sender's read through
    /// the engine, else a placeholder (the pre-block balance of an account that `exists`).
    uint256 balance_of(const evmc_address& addr, bool exists) {
        uint256 balance;
        if (known(addr, &balance)) return balance;
        if (equal(addr, sender_)) {
            balance = read_balance(addr);
            known_.emplace_back(addr, balance);
        } else {
            balance = exists ? pre_balance(addr) : uint256{};
            placeholders_.emplace_back(addr, balance);
        }
        return balance;
    }

    const EthTask& task_;
    View& view_;
    evmc_address sender_;
    bool blocked_ = false;
    bool has_credited_ = false;
    evmc_address credited_{};  // the fee recipient, when fee_recipient gave placeholders
    // One set of buffers per thread, reused by every transaction it runs (a view is never nested
    // on one thread): no allocation per transaction.
    struct Scratch {
        std::vector<std::pair<evmc_address, uint256>> known;         // read through the engine
        std::vector<std::pair<evmc_address, uint256>> placeholders;  // this run's guesses
        std::vector<evmc_address> observed;                          // this run's observations
        std::vector<std::pair<evmc_address, uint256>> bounds;        // this run's balance_at_least
    };
    static Scratch& scratch() {
        thread_local Scratch s;
        return s;
    }
    std::vector<std::pair<evmc_address, uint256>>& known_ = scratch().known;
    std::vector<std::pair<evmc_address, uint256>>& placeholders_ = scratch().placeholders;
    std::vector<evmc_address>& observed_ = scratch().observed;
    std::vector<std::pair<evmc_address, uint256>>& bounds_ = scratch().bounds;
};

class EthTask {
public:
    using Location = Loc;
    using LocationHash = LocHash;
    using LocationEq = LocEq;
    using Value = Val;
    using Output = TxResultOut;

    /// Workers read `base` (the state before the transactions, unchanged during the run); the
    /// rolling commit applies the final change sets to `target` in block order.
    EthTask(BlockState& base, BlockState& target, const Block& block, VmChoice vm,
            bool serialize_reads)
        : base_(base),
          target_(target),
          block_(block),
          vm_(vm),
          serialize_reads_(serialize_reads),
          keep_changes_(std::getenv("PEVM_PEXEC_CHECK") != nullptr),
          previous_of_sender_(block.txs.size()) {
        static std::atomic<uint64_t> tasks{0};
        id_ = tasks.fetch_add(1, std::memory_order_relaxed) + 1;
        std::unordered_map<evmc_address, std::pair<stm::TxIdx, size_t>, AddressHash, AddressEq>
            last;  // sender -> (its latest transaction so far, how many it sent so far)
        last.reserve(block.txs.size());
        for (size_t i = 0; i < block.txs.size(); ++i) {
            const auto idx = static_cast<stm::TxIdx>(i);
            auto [it, inserted] = last.try_emplace(block.txs[i].sender, idx, 0);
            previous_of_sender_[i] = inserted ? idx : it->second.first;
            it->second.first = idx;
            longest_chain_ = std::max(longest_chain_, ++it->second.second);
        }
        const auto coinbase = last.find(block.env.coinbase);
        const size_t coinbase_sends = coinbase == last.end() ? 0 : coinbase->second.second;
        coinbase_shards_ =
            coinbase_sends * kCoinbaseShards > block.txs.size() ? 1 : kCoinbaseShards;
    }

    /// Block-STM's bounded reads (TxView::read_bound) are of balances that must cover a bound.
    bool satisfies(const Val& bound, const Val& v) const {
        return !(v.balance() < bound.balance());
    }

    /// The most transactions one sender has in the block: they run one after the other.
    size_t longest_chain() const { return longest_chain_; }

    /// Rolling commit: transaction i's final change set, applied while later ones still run.
    void commit(stm::TxIdx, TxResultOut& out) const {
        std::unique_lock<std::mutex> lock;
        if (serialize_reads_) lock = std::unique_lock(base_mutex_);  // the strict pre-state
        for (const AccountChange& ch : out.outcome.changes) target_.prefetch_account(ch.address);
        target_.apply(out.outcome.changes);
        out.outcome.applied = true;
        // Freed here, on a worker while others run, rather than by the block executor after the
        // run (a few thousand frees per block of swaps). Kept for the PEVM_PEXEC_CHECK aid.
        if (!keep_changes_) std::vector<AccountChange>().swap(out.outcome.changes);
    }

    /// A sender's transactions form a nonce chain: each reads the nonce and balance the previous
    /// one writes, so running it earlier only wastes an execution.
    stm::TxIdx declared_dependency(stm::TxIdx i) const {
        // SAFETY: i < size() (the engine only asks about the block's transactions).
        return previous_of_sender_[i];
    }

    /// The locations transaction i will almost surely read or write, named before it runs so the
    /// engine can start loading them (MultiVersionMemory::prefetch): its sender's account and
    /// balance, and its recipient's.
    template <class F>
    void likely_locations(stm::TxIdx i, F&& f) const {
        // SAFETY: i < size() (the engine only asks about the block's transactions).
        const Transaction& tx = block_.txs[i];
        f(Loc{LocKind::kMeta, tx.sender, {}});
        f(Loc{LocKind::kBalance, tx.sender, {}});
        if (tx.to) {
            f(Loc{LocKind::kMeta, *tx.to, {}});
            f(Loc{LocKind::kBalance, *tx.to, {}});
        }
    }

    size_t size() const { return block_.txs.size(); }
    /// A bound on the distinct locations the block writes, for sizing the multi-version table: a
    /// few per transaction (sender, recipient, coinbase), and a changed slot or account costs at
    /// least ~2,500 gas.
    size_t location_capacity() const {
        const auto gas = static_cast<uint64_t>(std::max<int64_t>(block_.env.gas_limit, 0));
        return 4 * block_.txs.size() + 2 * static_cast<size_t>(gas / 2500) + 64;
    }

    Val storage_read(const Loc& loc) const {
        std::unique_lock<std::mutex> lock;
        if (serialize_reads_) lock = std::unique_lock(base_mutex_);
        Val v;
        switch (loc.kind) {
            case LocKind::kMeta:
                if (auto a = base_account(loc.addr)) {
                    v.exists = true;
                    v.nonce = a->nonce;
                    v.set_code_hash(a->code_hash);
                    v.has_storage = a->has_storage;
                }
                break;
            case LocKind::kBalance:
                // A coinbase shard other than 0 starts from zero.
                if (loc.shard == 0)
                    if (auto a = base_account(loc.addr)) v.set_balance(a->balance);
                break;
            case LocKind::kStorage:
                v.set_word(base_.storage(loc.addr, loc.key));
                break;
            case LocKind::kExists:
                v.exists = base_account(loc.addr).has_value();
                break;
        }
        return v;
    }

    /// How many balance locations hold `addr`'s balance (coinbase_shards_ for the coinbase).
    uint8_t balance_shards(const evmc_address& addr) const {
        return equal(addr, block_.env.coinbase) ? coinbase_shards_ : 1;
    }
    /// A full write of `addr`'s balance: the value in shard 0, zero in the others.
    void write_balance(View& view, const evmc_address& addr, const uint256& balance) const {
        Val v;
        v.set_balance(balance);
        view.write(Loc{LocKind::kBalance, addr, {}}, v);
        for (uint8_t i = 1; i < balance_shards(addr); ++i)
            view.write(Loc{LocKind::kBalance, addr, {}, i}, Val{});
    }

    Val apply_delta(const Val& base, const stm::Delta& d) const {
        Val v = base;
        v.set_balance(v.balance() + d);
        return v;
    }

    Output execute(stm::TxIdx i, View& view) const {
        Output out;
        const Transaction& tx = block_.txs[i];
        base_.prefetch_account(tx.sender);
        if (tx.to) base_.prefetch_account(*tx.to);
        MvStateView sv(*this, view, tx.sender);
        out.outcome = sv.run_transition(block_.env, tx, block_.rev, vm_);
        if (sv.blocked()) return out;
        if (!out.outcome.logs.empty()) {  // the receipt's bloom, here rather than in block order
            out.outcome.bloom = std::make_unique<std::array<uint8_t, 256>>();
            auto& bloom = *out.outcome.bloom;
            bloom.fill(0);
            for (const Log& log : out.outcome.logs) bloom_add(bloom.data(), log);
        }
        for (AccountChange& ch : out.outcome.changes) {
            if (sv.credited(ch.address)) {
                // The fee alone: a delta over the placeholder balance, and no read of the meta.
                // Anything else would mean the transaction touched it after all: run the block
                // sequentially rather than trust placeholders.
                if (ch.deleted || ch.code_changed || !ch.storage.empty()) out.inexact = true;
                uint256 before;
                sv.known(ch.address, &before);
                add_delta(view, i, ch, before);
                ch.credit_only = true;
                continue;
            }
            const Val old = sv.meta(ch.address);
            if (sv.blocked()) return out;
            Val m;
            if (ch.deleted) {
                m.epoch = i + 1;
            } else {
                m.exists = true;
                m.epoch = old.epoch;
                m.nonce = ch.nonce;
                evmc_bytes32 code_hash = old.exists ? old.code_hash() : kEmptyCodeHash;
                if (ch.code_changed) {
                    if (ch.code.empty()) {
                        code_hash = kEmptyCodeHash;
                    } else {
                        crypto::keccak256(ch.code.data(), ch.code.size(), code_hash.bytes);
                        remember_code(code_hash, ch.code);
                    }
                }
                bool nonzero = false;
                for (const auto& kv : ch.storage) nonzero = nonzero || !is_zero(kv.second);
                m.has_storage = (old.exists && old.has_storage) || nonzero;
                if (!ch.storage.empty() && !nonzero && m.has_storage && m.nonce == 0 &&
                    equal(code_hash, kEmptyCodeHash))
                    out.inexact = true;
                m.set_code_hash(code_hash);
                uint256 before;
                if (sv.known(ch.address, &before)) {
                    if (ch.balance != before) write_balance(view, ch.address, ch.balance);
                } else {
                    add_delta(view, i, ch, before);
                }
                for (const auto& [key, value] : ch.storage) {
                    Val s;
                    s.set_word(value);
                    s.epoch = m.epoch;
                    view.write(Loc{LocKind::kStorage, ch.address, key}, s);
                }
            }
            if (!(m == old)) view.write(Loc{LocKind::kMeta, ch.address, {}}, m);
            // Only the fee recipient's existence is ever read alone (fee_recipient): other
            // accounts' creations (every transfer to a new address) do not pay for a second write.
            if (m.exists != old.exists && equal(ch.address, block_.env.coinbase)) {
                Val e;
                e.exists = m.exists;
                view.write(Loc{LocKind::kExists, ch.address, {}}, e);
            }
            if (ch.deleted) write_balance(view, ch.address, uint256{});
        }
        return out;
    }

    /// Turns transaction i's change `ch` of a balance it did not observe into a delta over
    /// `before` (its placeholder). Even a zero delta: the change's balance becomes it. But only a
    /// non-zero one goes to the multi-version memory, where a zero one would change no read's
    /// value: every call of a contract without value (a token's transfer, a pool's swap) made one,
    /// so the contracts of a block's busiest calls had one entry per transaction at their balance,
    /// recorded under the cell's writer hold from every core in turn.
    void add_delta(View& view, stm::TxIdx i, AccountChange& ch, const uint256& before) const {
        ch.balance -= before;
        ch.balance_delta = true;
        if (ch.balance) {
            const auto shard = static_cast<uint8_t>(i % balance_shards(ch.address));
            view.add(Loc{LocKind::kBalance, ch.address, {}, shard}, ch.balance);
        }
    }

    // Through a small per-thread cache, like base_account: every call frame reads its code, and
    // the mutex would otherwise bounce between the workers' cores. A code lives as long as the
    // block (the pre-state's table, or codes_), so a cached span stays valid.
    std::span<const uint8_t> code(const evmc_bytes32& hash) const {
        struct Slot {
            uint64_t owner = 0;
            evmc_bytes32 hash{};
            std::span<const uint8_t> code;
        };
        thread_local std::array<Slot, 32> cache;
        // SAFETY: the index is below 32.
        Slot& slot = cache[hash.bytes[0] & 31u];
        if (slot.owner == id_ && equal(slot.hash, hash)) return slot.code;
        std::span<const uint8_t> code;
        {
            std::lock_guard lock(base_mutex_);
            if (auto it = codes_.find(hash); it != codes_.end())
                code = *it->second;
            else
                code = base_.code(hash);
        }
        slot.owner = id_;
        slot.hash = hash;
        slot.code = code;
        return code;
    }
    evmc_bytes32 block_hash(int64_t number) const {
        std::lock_guard lock(base_mutex_);
        return base_.block_hash(number);
    }

private:
    // The pre-block account, through a small per-thread cache: a transaction reads an account's
    // meta and its balance back to back, and the base is read-only while the block runs. Entries
    // are tagged with the task's id, so a later block never sees them.
    std::optional<AccountInfo> base_account(const evmc_address& addr) const {
        struct Slot {
            uint64_t owner = 0;
            evmc_address addr{};
            std::optional<AccountInfo> info;
        };
        thread_local std::array<Slot, 8> cache;
        // SAFETY: the index is below 8.
        Slot& slot = cache[addr.bytes[19] & 7u];
        if (slot.owner != id_ || !equal(slot.addr, addr)) {
            slot.info = base_.account(addr);
            slot.owner = id_;
            slot.addr = addr;
        }
        return slot.info;
    }

    void remember_code(const evmc_bytes32& hash, const std::vector<uint8_t>& code) const {
        std::lock_guard lock(base_mutex_);
        if (codes_.count(hash) == 0)
            codes_.emplace(hash, std::make_unique<const std::vector<uint8_t>>(code));
    }

    // The state after the pre-transaction system calls: only looked up, so concurrent account
    // and slot reads are safe unless a strict pre-state records what it misses
    // (serialize_reads_). Codes and block hashes are always read under the mutex (rare reads,
    // and the code table also holds the block's new codes).
    BlockState& base_;
    BlockState& target_;
    const Block& block_;
    VmChoice vm_;
    bool serialize_reads_;
    bool keep_changes_;  // committed change sets stay in the outputs (check_against_sequential)
    uint64_t id_ = 0;    // unique per task (never 0): tags base_account's cache
    std::vector<stm::TxIdx> previous_of_sender_;  // the sender's previous tx, else the tx itself
    size_t longest_chain_ = 0;
    uint8_t coinbase_shards_ = kCoinbaseShards;  // see kCoinbaseShards
    mutable std::mutex base_mutex_;
    // Codes deployed during the block (by any incarnation), kept for the block's lifetime.
    mutable std::unordered_map<evmc_bytes32, std::unique_ptr<const std::vector<uint8_t>>,
                               Bytes32Hash, Bytes32Eq>
        codes_;
};

// Every read of a transaction is one of these in its live read set: 128 bytes, two cache lines.
static_assert(sizeof(stm::MultiVersionMemory<EthTask>::Read) == 128);

uint256 MvStateView::read_balance(const evmc_address& addr) {
    const uint8_t shards = task_.balance_shards(addr);
    uint256 sum;
    for (uint8_t i = 0; i < shards; ++i) {
        Val b;
        read(Loc{LocKind::kBalance, addr, {}, i}, b);
        sum += b.balance();
    }
    return sum;
}

void MvStateView::balance_at_least(const evmc_address& addr, const uint256& amount,
                                   const uint256& current) {
    // Read exactly already, or to be read exactly after the run.
    if (balance_in(known_, addr) != nullptr || observed(addr)) return;
    const uint256* placeholder = balance_in(placeholders_, addr);
    if (task_.balance_shards(addr) != 1 || placeholder == nullptr) {
        balance_observed(addr);  // a spread balance (the coinbase's) is read exactly
        return;
    }
    const uint256 slack = current - amount;  // current >= amount: no wrap
    if (slack >= *placeholder) return;       // R >= 0 suffices: nothing to check
    const uint256 need = *placeholder - slack;
    for (auto& [a, b] : bounds_)
        if (equal(a, addr)) {
            if (b < need) b = need;
            return;
        }
    bounds_.emplace_back(addr, need);
}

uint256 MvStateView::pre_balance(const evmc_address& addr) const {
    return task_.storage_read(Loc{LocKind::kBalance, addr, {}}).balance();
}

TxOutcome MvStateView::run_transition(const BlockEnv& env, const Transaction& tx, evmc_revision rev,
                                      VmChoice vm) {
    for (;;) {
        placeholders_.clear();
        observed_.clear();
        bounds_.clear();
        has_credited_ = false;
        TxOutcome out;
        // Pool threads have default stacks: sanitizer builds need a deep one for 1024 frames.
        // The transition's reads land in this worker's arena, whichever thread runs it.
        run_with_deep_stack([&, arena = stm::active_arena()] {
            stm::ArenaScope scope(arena);
            out = transition(*this, env, tx, rev, vm);
        });
        if (blocked_) return out;
        bool again = false;
        for (const evmc_address& addr : observed_) {
            uint256 guess;
            const bool was_known = known(addr, &guess);
            const uint256 real = read_balance(addr);
            if (blocked_) return out;
            known_.emplace_back(addr, real);
            again = again || (!was_known && real != guess);
        }
        for (const auto& [addr, need] : bounds_) {
            uint256 guess;
            if (known(addr, &guess)) continue;  // observed too: read exactly above
            bool exact;
            uint256 real = bounded_balance(addr, need, exact);
            if (blocked_) return out;
            if (!exact && !(real < need)) continue;  // covered: the bound is all it read
            if (!exact) {
                // The real balance does not cover what the run paid from it: again, with it.
                real = read_balance(addr);
                if (blocked_) return out;
            }
            // Read exactly (uncovered, or so the engine chose): the run must use it, and its
            // change becomes a full write.
            known_.emplace_back(addr, real);
            again = again || real != guess;
        }
        if (!again) return out;
    }
}

std::span<const uint8_t> MvStateView::code(const evmc_bytes32& code_hash) {
    return task_.code(code_hash);
}
evmc_bytes32 MvStateView::block_hash(int64_t number) {
    return task_.block_hash(number);
}

// The engine's conflict locations as sites: the coinbase's balance shards count as its balance.
std::vector<ConflictSite> conflict_sites(const std::vector<stm::LocationConflicts<Loc>>& found) {
    std::vector<ConflictSite> out;
    for (const auto& c : found) {
        ConflictSite site;
        switch (c.location.kind) {
            case LocKind::kMeta:
                site.kind = ConflictSite::Kind::kAccount;
                break;
            case LocKind::kBalance:
                site.kind = ConflictSite::Kind::kBalance;
                break;
            case LocKind::kStorage:
                site.kind = ConflictSite::Kind::kStorage;
                site.key = c.location.key;
                break;
            case LocKind::kExists:
                site.kind = ConflictSite::Kind::kExistence;
                break;
        }
        site.address = c.location.addr;
        auto same = [&](const ConflictSite& s) {
            return s.kind == site.kind && equal(s.address, site.address) && equal(s.key, site.key);
        };
        // Only balances can meet again (one site per coinbase shard); the others are distinct.
        const auto it = site.kind == ConflictSite::Kind::kBalance
                            ? std::find_if(out.begin(), out.end(), same)
                            : out.end();
        if (it != out.end()) {
            it->aborts += c.aborts;
            it->waits += c.waits;
        } else {
            site.aborts = c.aborts;
            site.waits = c.waits;
            out.push_back(site);
        }
    }
    std::stable_sort(out.begin(), out.end(), stm::CostlierConflict{});
    return out;
}

// Debugging aid (PEVM_PEXEC_CHECK=1): re-runs the transactions one by one and prints the first
// transaction whose change set differs from the parallel one.
void check_against_sequential(BlockState& base, const Block& block, VmChoice vm,
                              const std::vector<TxOutcome>& outcomes) {
    BlockState seq(base);
    for (size_t i = 0; i < outcomes.size(); ++i) {
        TxOutcome r = transition(seq, block.env, block.txs[i], block.rev, vm);
        for (const AccountChange& a : r.changes) {
            const AccountChange* b = nullptr;
            for (const AccountChange& c : outcomes[i].changes)
                if (equal(c.address, a.address)) b = &c;
            if (b == nullptr || (!b->balance_delta && b->balance != a.balance) ||
                (!b->credit_only && b->nonce != a.nonce) || b->deleted != a.deleted ||
                b->storage.size() != a.storage.size()) {
                std::fprintf(stderr, "pexec: tx %zu account %02x%02x%02x.. differs (%s)\n", i,
                             a.address.bytes[0], a.address.bytes[1], a.address.bytes[2],
                             b == nullptr ? "missing" : "fields");
                return;
            }
        }
        if (r.changes.size() != outcomes[i].changes.size()) {
            std::fprintf(stderr, "pexec: tx %zu has %zu changes, parallel %zu\n", i,
                         r.changes.size(), outcomes[i].changes.size());
            return;
        }
        seq.apply(r.changes);
    }
}

}  // namespace

namespace {
// PEVM_ENGINE=chunks runs blocks as optimistic chunks instead of Block-STM: an experiment
// (block_chunks.hpp; bench/README.md, "Optimistic chunks").
bool chunks_requested() {
    const char* engine = std::getenv("PEVM_ENGINE");
    return engine != nullptr && std::strcmp(engine, "chunks") == 0;
}
}  // namespace

BlockOutcome execute_block_parallel(BlockState& state, PreState* pre, const Block& block,
                                    VmChoice vm, unsigned threads, ParallelStats* stats,
                                    bool adaptive, bool groups_only) {
    ParallelStats local;
    ParallelStats& st = stats != nullptr ? *stats : local;
    st = ParallelStats{};
    const TxBatch batch = [&](BlockState& state) -> std::vector<TxOutcome> {
        const bool missing_before = pre != nullptr && pre->missing().has_value();
        std::string why_not_groups = "no pre-state to plan with";
        if (pre != nullptr && &state.base() == pre && !missing_before) {
            if (auto plan = plan_transfers(block, state, *pre, threads, &why_not_groups)) {
                std::vector<TxOutcome> outcomes =
                    execute_transfers(state, *pre, block, vm, std::move(*plan), st.metrics);
                if (outcomes.empty()) {
                    st.fallback = "an invalid transaction: sequential, to report it";
                    return {};
                }
                st.parallel = true;
                st.engine = ParallelStats::Engine::kTransferGroups;
                return outcomes;
            }
        }
        if (groups_only) {
            st.fallback = "no transfer groups: " + why_not_groups;
            return {};
        }
        if (chunks_requested() && pre != nullptr && &state.base() == pre && !missing_before &&
            chunks_apply(block, threads)) {
            const BlockState before(state);  // a handful of accounts: the system calls'
            std::vector<TxOutcome> outcomes =
                execute_chunks(state, *pre, block, vm, threads, st.metrics);
            if (pre->missing()) {
                // Maybe only a transaction that then ran again read it: let the oracle decide.
                pre->clear_missing();
                state.restore(before);
                st.fallback = "missing pre-state";
                return {};
            }
            if (outcomes.size() < block.txs.size()) {
                st.fallback = "an invalid transaction: sequential from it, to report it";
                if (outcomes.empty()) return {};
            }
            st.parallel = true;
            st.engine = ParallelStats::Engine::kChunks;
            return outcomes;
        }
        // The workers read a copy of the state before the transactions (a handful of accounts
        // the system calls wrote over the pre-state); `state` receives the rolling commit.
        BlockState before(state);
        EthTask task(before, state, block, vm, pre == nullptr || pre->strict());
        auto fall_back = [&](std::string why) {
            state.restore(before);
            st.fallback = std::move(why);
            return std::vector<TxOutcome>{};
        };
        if (adaptive && 2 * task.longest_chain() > task.size()) {
            // Most of the block is one sender's nonce chain: Block-STM cannot win here.
            st.fallback = "one sender has " + std::to_string(task.longest_chain()) + " of the " +
                          std::to_string(task.size()) + " transactions";
            return {};
        }
        stm::BlockOutput<EthTask> run;
        try {
            run = stm::execute_block_parallel(
                task, threads,
                {.materialize = false, .bail_out_ratio = adaptive ? kBailOutRatio : 0.0});
        } catch (const stm::MultiVersionMemory<EthTask>::TableFull&) {
            return fall_back("more written locations than the multi-version table holds");
        }
        st.metrics = std::move(run.metrics);
        st.conflicts = conflict_sites(run.conflicts);
        if (pre != nullptr && !missing_before && pre->missing()) {
            // Maybe only a doomed incarnation read it: let the oracle decide.
            pre->clear_missing();
            return fall_back("missing pre-state");
        }
        if (st.metrics.commit_mismatch) return fall_back("rolling commit saw a non-final result");
        // All of them, or after an adaptive bail-out the committed prefix (the oracle runs the
        // rest one by one on the state that prefix left).
        const size_t final_txs =
            st.metrics.bailed_out ? static_cast<size_t>(st.metrics.committed) : run.txs.size();
        std::vector<TxOutcome> outcomes;
        outcomes.reserve(final_txs);
        for (size_t i = 0; i < final_txs; ++i) {
            TxResultOut& tx = run.txs[i].output;
            if (tx.inexact) return fall_back("storage emptiness of a nonce-0 account");
            outcomes.push_back(std::move(tx.outcome));
        }
        if (st.metrics.bailed_out)
            st.fallback = "conflicts: sequential from transaction " + std::to_string(final_txs);
        st.parallel = !outcomes.empty();
        if (std::getenv("PEVM_PEXEC_CHECK") != nullptr)
            check_against_sequential(before, block, vm, outcomes);
        return outcomes;
    };
    // The diff of a block that touched many accounts is built on the pool too (serially it was
    // ~10% of a Block-STM run of 4,000 swaps). Only over a pre-state that is safe to read from
    // several threads: a strict one records what it misses.
    const ParallelDiff parallel_diff{threads,
                                     [](unsigned parts, const std::function<void(unsigned)>& fn) {
                                         stm::ThreadPool::global().run(parts, fn);
                                     }};
    const bool split_diff = threads > 1 && pre != nullptr && !pre->strict();
    return execute_block(state, pre, block, vm, &batch, split_diff ? &parallel_diff : nullptr);
}

}  // namespace pevm::state
