// The host side of the VM/host seam for one transaction: an evmc_host_interface over a journaled,
// transaction-local overlay of a StateView.
//
// Every account the transaction reads is cached here (`Account`: its current fields, the view's
// fields it started from, warm/touched/created/destructed flags, and the storage slots it used
// with their original and current values). Every change appends an undo entry to the journal; a
// checkpoint is a journal length, and reverting a failed frame undoes entries back to it,
// including warm marks (EIP-2929 access lists are journaled, as geth does). Nested calls and
// creates (value transfer, precompiles, address derivation, collision rules, code deposit) are
// run here; the interpreter charges their gas. At the end, `finish` applies self-destructs and
// EIP-161 empty-account removal and returns the writes as a list of AccountChange, leaving the
// view untouched.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "evm/evmc.h"
#include "evm/uint256.hpp"
#include "state/state_view.hpp"

namespace pevm::state {

/// The VM a Host runs frames with: our interpreter (direct call) or an external EVMC VM.
struct VmChoice {
    evmc_vm* external = nullptr;  // null: the built-in interpreter
};

struct StorageSlot {
    evmc_bytes32 original{};  // the value at transaction start
    evmc_bytes32 current{};
    bool loaded = false;
    bool warm = false;
};

struct Account {
    /// The fields a journal entry saves and restores as a whole.
    struct Core {
        bool exists = false;
        uint64_t nonce = 0;
        uint256 balance;
        evmc_bytes32 code_hash = kEmptyCodeHash;
        std::span<const uint8_t> code;
        bool code_loaded = true;
        bool warm = false;
        bool touched = false;
        bool created = false;     // created by this transaction (EIP-6780)
        bool destructed = false;  // SELFDESTRUCT ran for it in this transaction
    };
    evmc_address address{};
    Core cur;
    Core base;  // as the view had it
    bool base_has_storage = false;
    // `base` (and cur's state fields) came from the view. An account only warmed (EIP-2929: the
    // precompiles, access lists, the coinbase) is not read from the view until something uses it.
    bool loaded = false;
    std::unordered_map<evmc_bytes32, StorageSlot, Bytes32Hash, Bytes32Eq> storage;

    bool is_empty() const noexcept {
        return cur.nonce == 0 && !cur.balance && equal(cur.code_hash, kEmptyCodeHash);
    }
};

/// The accounts one transaction touched: in the order first touched, each at an address that
/// stays put (the journal points at them). A transaction touches a few, so they are found by
/// comparing addresses one by one; past kLinear, through an index. The table goes from one
/// transaction's Host to the next on the same thread (see Host), accounts and their storage
/// tables included, so a transaction neither allocates nor zeroes a node per account (a map
/// node per account was a seventh of a sequential block of plain transfers). Not the block
/// state's AddressMap: that one hashes every lookup into an index and is never emptied for
/// reuse, where a transaction's few accounts are found faster by comparing them, and the table
/// lives on from one transaction to the next (AddressMap in its place measured within noise).
class AccountTable {
public:
    /// The account of `addr`, and whether it was just added (then holding only its address).
    std::pair<Account*, bool> try_emplace(const evmc_address& addr);
    size_t size() const noexcept { return size_; }
    /// The i-th account first touched (i < size()).
    Account& at(size_t i) noexcept { return chunks_[i / kChunk][i % kChunk]; }
    /// Forgets every account, keeping the memory (an unusually large storage table is freed).
    void clear() noexcept;
    /// Accounts the table has room for without allocating.
    size_t capacity() const noexcept { return chunks_.size() * kChunk; }
    void swap(AccountTable& other) noexcept {
        chunks_.swap(other.chunks_);
        std::swap(size_, other.size_);
        index_.swap(other.index_);
    }

private:
    static constexpr size_t kChunk = 16;
    static constexpr size_t kLinear = 16;
    std::vector<std::unique_ptr<Account[]>> chunks_;
    size_t size_ = 0;
    // Every account, once there are more than kLinear.
    std::unordered_map<evmc_address, Account*, AddressHash, AddressEq> index_;
};

class Host {
public:
    Host(StateView& view, evmc_revision rev, VmChoice vm,
         const evmc_tx_context& tx_context) noexcept;
    ~Host();
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    /// The table of host functions; pass `context()` with it.
    static const evmc_host_interface& interface() noexcept;
    evmc_host_context* context() noexcept { return reinterpret_cast<evmc_host_context*>(this); }

    // ---- the EVMC host functions -------------------------------------------------------------
    bool account_exists(const evmc_address& addr) noexcept;
    evmc_bytes32 get_storage(const evmc_address& addr, const evmc_bytes32& key) noexcept;
    evmc_storage_status set_storage(const evmc_address& addr, const evmc_bytes32& key,
                                    const evmc_bytes32& value) noexcept;
    evmc_bytes32 get_balance(const evmc_address& addr) noexcept;
    size_t get_code_size(const evmc_address& addr) noexcept;
    evmc_bytes32 get_code_hash(const evmc_address& addr) noexcept;
    size_t copy_code(const evmc_address& addr, size_t offset, uint8_t* out, size_t size) noexcept;
    bool selfdestruct(const evmc_address& addr, const evmc_address& beneficiary) noexcept;
    evmc_result call(const evmc_message& msg) noexcept;
    evmc_tx_context get_tx_context() const noexcept { return tx_context_; }
    evmc_bytes32 get_block_hash(int64_t number) noexcept { return view_.block_hash(number); }
    void emit_log(const evmc_address& addr, const uint8_t* data, size_t size,
                  const evmc_bytes32 topics[], size_t count) noexcept;
    evmc_access_status access_account(const evmc_address& addr) noexcept;
    evmc_access_status access_storage(const evmc_address& addr, const evmc_bytes32& key) noexcept;
    evmc_bytes32 get_transient_storage(const evmc_address& addr, const evmc_bytes32& key) noexcept;
    void set_transient_storage(const evmc_address& addr, const evmc_bytes32& key,
                               const evmc_bytes32& value) noexcept;

    // ---- what the transaction-level code uses ------------------------------------------------
    /// The cached account (loaded from the view on first use; exists == false when absent).
    Account& get(const evmc_address& addr) noexcept;
    std::span<const uint8_t> code_of(Account& acc) noexcept;
    /// Adds to the balance, creating the account when absent, and touches it.
    void add_balance(const evmc_address& addr, const uint256& amount) noexcept;
    /// add_balance for the fee recipient's fee, the transaction's last state change: an account
    /// not loaded before is loaded through StateView::fee_recipient when the fee is not zero.
    void credit_fee(const evmc_address& addr, const uint256& amount) noexcept;
    void sub_balance(const evmc_address& addr, const uint256& amount) noexcept;
    void set_nonce(const evmc_address& addr, uint64_t nonce) noexcept;
    /// Sets the code (kept alive by the host), creating the account when absent.
    void set_code(const evmc_address& addr, std::span<const uint8_t> code) noexcept;
    void touch(const evmc_address& addr) noexcept;
    bool has_storage(Account& acc) noexcept;
    /// Account::is_empty, telling the view when the balance decided it.
    bool is_empty_observed(Account& acc) noexcept;
    /// Whether `addr`'s balance covers `amount`, telling the view that only this decided: a
    /// predicate when it does (StateView::balance_at_least), the balance itself when it does not.
    bool balance_covers(const evmc_address& addr, const uint256& amount) noexcept;

    /// Removes self-destructed accounts and, when `delete_empty` (EIP-161), touched empty ones,
    /// then returns every account that differs from the view.
    std::vector<AccountChange> finish(bool delete_empty);

    std::vector<Log>& logs() noexcept { return logs_; }
    evmc_revision revision() const noexcept { return rev_; }

    /// Runs `code` for `msg` with the chosen VM (the frame's state is not checkpointed here).
    evmc_result run_vm(const evmc_message& msg, const uint8_t* code, size_t size,
                       const evmc_bytes32* code_hash) noexcept;

    /// Nanoseconds the VM spent executing the transaction's top-level frame (nested frames run
    /// inside it): the interpreter's execution alone, as other interpreters' benchmarks time it.
    uint64_t top_frame_vm_ns() const noexcept { return top_frame_vm_ns_; }

private:
    struct Checkpoint {
        size_t journal;
        size_t logs;
    };
    /// One undoable change. The saved account core and the slot fields share their bytes: an
    /// entry is written for every balance, nonce, storage and warmth change, and with both it
    /// was about 210 bytes, zeroed and copied each time (a tenth of a plain transfer's
    /// sequential run went to saving account cores).
    struct JournalEntry {
        enum class Kind : uint8_t { Core, AccountWarm, Storage, StorageWarm, Transient };
        struct Slot {
            evmc_bytes32 key;         // Storage, StorageWarm, Transient
            evmc_bytes32 prev_value;  // Storage, Transient
            evmc_address address;     // Transient
        };
        JournalEntry(Account* acc, const Account::Core& core) noexcept
            : kind(Kind::Core), account(acc), prev_core(core) {}
        JournalEntry(Kind k, Account* acc, const Slot& s = {}) noexcept
            : kind(k), account(acc), slot(s) {}

        Kind kind;
        Account* account;  // all but Transient (AccountTable keeps accounts in place)
        union {
            Account::Core prev_core;  // Core
            Slot slot;                // the others
        };
    };
    static_assert(std::is_trivially_copyable_v<Account::Core>);
    using TransientMap = std::unordered_map<evmc_bytes32, evmc_bytes32, Bytes32Hash, Bytes32Eq>;

    /// Fills a freshly loaded account from what the view returned.
    static void fill(Account& acc, const std::optional<AccountInfo>& info) noexcept;
    Checkpoint checkpoint() const noexcept { return {journal_.size(), logs_.size()}; }
    void revert(Checkpoint cp) noexcept;
    void save(Account& acc) noexcept;
    /// Whether `addr` is a precompile of this revision.
    bool precompile(const evmc_address& addr) const noexcept;
    /// The account's entry, not necessarily loaded from the view (only its warm mark is valid).
    Account& entry(const evmc_address& addr) noexcept;
    StorageSlot& slot(Account& acc, const evmc_address& addr, const evmc_bytes32& key,
                      bool load) noexcept;
    evmc_result create(const evmc_message& msg) noexcept;

    StateView& view_;
    evmc_revision rev_;
    VmChoice vm_;
    evmc_tx_context tx_context_;
    AccountTable accounts_;
    std::unordered_map<evmc_address, TransientMap, AddressHash, AddressEq> transient_;
    std::vector<JournalEntry> journal_;
    // Buffers handed from one transaction's Host to the next on the same thread, so that a
    // transaction does not regrow its journal and account table from nothing.
    static thread_local std::vector<JournalEntry> spare_journal_;
    static thread_local AccountTable spare_accounts_;
    std::vector<Log> logs_;
    uint64_t top_frame_vm_ns_ = 0;
    // Code deployed by this transaction (each buffer stays put: spans point into it). Not a
    // deque: libstdc++'s allocates on construction, i.e. for every transaction.
    std::vector<std::unique_ptr<const std::vector<uint8_t>>> owned_code_;
};

/// CREATE: keccak(rlp([sender, nonce]))[12:].
evmc_address create_address(const evmc_address& sender, uint64_t nonce) noexcept;
/// CREATE2: keccak(0xff ++ sender ++ salt ++ keccak(initcode))[12:].
evmc_address create2_address(const evmc_address& sender, const evmc_bytes32& salt,
                             const uint8_t* initcode, size_t size) noexcept;

/// The EIP-7702 delegation designator 0xef0100 ++ address: the address, if `code` is one.
bool delegation_target(std::span<const uint8_t> code, evmc_address* target) noexcept;

}  // namespace pevm::state
