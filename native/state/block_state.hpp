// The state a block runs on: a read-only pre-state (PreState) and, on top of it, the block's
// accumulated writes (BlockState). Each transaction reads the BlockState through the StateView
// seam and its change set is committed into the overlay before the next one runs; the pre-state
// is never modified, so the overlay is exactly the block's state diff.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "evm/evmc.h"
#include "evm/uint256.hpp"
#include "state/address_map.hpp"
#include "state/state_view.hpp"

namespace pevm::state {

using SlotMap = std::unordered_map<evmc_bytes32, evmc_bytes32, Bytes32Hash, Bytes32Eq>;

/// The pre-state of a block: accounts with their listed slots, codes by hash, block hashes.
/// With `strict`, a read of an account, slot or code the pre-state does not list is recorded as
/// missing (the first one is kept) and answered as empty; otherwise absent means empty.
class PreState final : public StateView {
public:
    explicit PreState(bool strict) noexcept : strict_(strict) {}

    /// Adds a code without copying it: the bytes must outlive this pre-state (a decoded request,
    /// whose buffer lives as long as the block's execution). Returns its hash, computed unless
    /// `hash` gives it.
    evmc_bytes32 put_code(std::span<const uint8_t> code, const evmc_bytes32* hash);
    /// Adds an account and the `count` slots that read_slot(key, value) yields (zero values are
    /// kept: a listed zero slot is known, not missing).
    template <class ReadSlot>
    void put_account(const evmc_address& addr, uint64_t nonce, const uint256& balance,
                     const evmc_bytes32& code_hash, uint32_t count, ReadSlot read_slot) {
        Entry& e = accounts_[addr];
        e.info.nonce = nonce;
        e.info.balance = balance;
        e.info.code_hash = code_hash;
        if (count > 1) e.storage.reserve(e.storage.size() + count);
        for (uint32_t i = 0; i < count; ++i) {
            evmc_bytes32 key, value;
            read_slot(key, value);
            e.storage[key] = value;
            if (!is_zero(value)) e.info.has_storage = true;
        }
    }
    /// Room for this many accounts (codes) without rehashing on the way.
    void reserve_accounts(size_t accounts) { accounts_.reserve(accounts); }
    void reserve_codes(size_t codes) { codes_.reserve(codes); }
    void put_block_hash(int64_t number, const evmc_bytes32& hash) { block_hashes_[number] = hash; }

    std::optional<AccountInfo> account(const evmc_address& addr) override;
    std::span<const uint8_t> code(const evmc_bytes32& code_hash) override;
    evmc_bytes32 storage(const evmc_address& addr, const evmc_bytes32& key) override;
    evmc_bytes32 block_hash(int64_t number) override;
    void prefetch_account(const evmc_address& addr) const override {
        accounts_.prefetch_slot(addr);
    }

    /// A planner's look-ups, never noted as missing: the listed accounts are numbered
    /// 0..account_count()-1; account_index is kNoAccount for an address not listed.
    static constexpr uint32_t kNoAccount = AddressMap<int>::kNone;
    size_t account_count() const noexcept { return accounts_.size(); }
    uint32_t account_index(const evmc_address& addr) const noexcept {
        return accounts_.position_of(addr);
    }
    const AccountInfo& account_at(uint32_t index) const noexcept {
        return accounts_.item(index).second.info;
    }

    /// What a strict read found missing ("account 0x..", "storage 0x.. slot 0x..", "code 0x..").
    const std::optional<std::string>& missing() const noexcept { return missing_; }
    /// Whether reads note what is missing. Noting is thread-safe; what was noted is read with
    /// missing() once no read runs.
    bool strict() const noexcept { return strict_; }
    /// Forgets what was found missing (after speculative reads that the result does not use).
    void clear_missing() noexcept { missing_.reset(); }

private:
    struct Entry {
        AccountInfo info;
        SlotMap storage;
    };
    void note_missing(std::string what);

    bool strict_;
    std::mutex missing_mutex_;  // several threads' reads may note misses at once (chunks)
    std::optional<std::string> missing_;
    AddressMap<Entry> accounts_;
    // Views into a buffer that outlives the pre-state (see put_code).
    std::unordered_map<evmc_bytes32, std::span<const uint8_t>, Bytes32Hash, Bytes32Eq> codes_;
    std::unordered_map<int64_t, evmc_bytes32> block_hashes_;
};

/// One account of the state diff, relative to the pre-state.
struct AccountDiff {
    evmc_address address{};
    bool deleted = false;        // absent at the end of the block
    bool storage_reset = false;  // the pre-state's storage is gone (destroyed, maybe recreated)
    bool code_changed = false;
    uint64_t nonce = 0;
    uint256 balance;
    evmc_bytes32 code_hash = kEmptyCodeHash;
    std::span<const uint8_t> code;                               // when code_changed
    std::vector<std::pair<evmc_bytes32, evmc_bytes32>> storage;  // sorted by key
};

/// Runs fn(part) for part = 0..parts-1, possibly on several threads at once; returns when all
/// have returned.
using PartRunner = std::function<void(unsigned parts, const std::function<void(unsigned)>& fn)>;

/// The pre-state plus the writes committed so far in the block.
class BlockState final : public StateView {
public:
    explicit BlockState(StateView& base) noexcept : base_(base) {}

    std::optional<AccountInfo> account(const evmc_address& addr) override;
    std::span<const uint8_t> code(const evmc_bytes32& code_hash) override;
    evmc_bytes32 storage(const evmc_address& addr, const evmc_bytes32& key) override;
    evmc_bytes32 block_hash(int64_t number) override { return base_.block_hash(number); }
    void prefetch_account(const evmc_address& addr) const override {
        accounts_.prefetch_slot(addr);
        base_.prefetch_account(addr);
    }

    /// Commits one transaction's (or system call's) change set.
    void apply(const std::vector<AccountChange>& changes);
    /// Adds to a balance, creating the account when absent (rewards, withdrawals).
    void add_balance(const evmc_address& addr, const uint256& amount);
    /// Subtracts from the balance of an existing account (the DAO-fork drain).
    void sub_balance(const evmc_address& addr, const uint256& amount);
    /// Removes an account that exists and is empty (EIP-4895 zero withdrawals).
    void remove_if_empty(const evmc_address& addr);

    /// Room for `accounts` touched accounts without rehashing on the way (a block of n
    /// transactions touches about 2n: senders and recipients).
    void reserve(size_t accounts) { accounts_.reserve(accounts); }

    /// Every account whose end state differs from the pre-state, sorted by address. With a
    /// runner, the accounts are split into `parts` address ranges built concurrently: the base
    /// view must then be safe to read from several threads (no strict pre-state noting misses).
    std::vector<AccountDiff> diff(unsigned parts = 1, const PartRunner* runner = nullptr);
    /// Whether the block has written `addr` so far.
    bool touched(const evmc_address& addr) const noexcept {
        return accounts_.find(addr) != nullptr;
    }
    /// The view this state is an overlay on.
    const StateView& base() const noexcept { return base_; }
    /// Adds the writes of `part`, a state over the same base that ran other transactions of the
    /// block (block_transfers.hpp). An account both hold must have changed in both only by
    /// credits (its balance grew, it may have come into existence): the credits are summed.
    /// Everything else moves over; `part` is left empty-handed.
    void merge(BlockState& part);
    /// Makes this state equal to `from` (a copy of it taken earlier, over the same base).
    void restore(const BlockState& from) {
        accounts_ = from.accounts_;
        codes_ = from.codes_;
    }

private:
    struct Entry {
        bool exists = false;
        AccountInfo info;
        bool storage_reset = false;
        // Written slots (zero values included), each with its pre-block value when the change
        // that first wrote it knew it (AccountChange::storage_original), so that diff() need
        // not look it up in the base again.
        struct Slot {
            evmc_bytes32 value{};
            evmc_bytes32 base{};
            bool base_known = false;
        };
        std::unordered_map<evmc_bytes32, Slot, Bytes32Hash, Bytes32Eq> storage;
        size_t nonzero = 0;  // written slots holding a non-zero value
        bool base_exists = false;
        bool base_has_storage = false;
        AccountInfo base_info;
    };
    Entry& load(const evmc_address& addr);
    /// Appends `addr`'s diff to `out` when its end state differs from the pre-state.
    void diff_account(const evmc_address& addr, const Entry& e, std::vector<AccountDiff>& out);

    StateView& base_;
    AddressMap<Entry> accounts_;
    std::unordered_map<evmc_bytes32, std::vector<uint8_t>, Bytes32Hash, Bytes32Eq> codes_;
};

}  // namespace pevm::state
