// The world state as the state transition reads it: one narrow, read-only seam (account, code by
// hash, storage slot, block hash). The transition never writes through it; it returns its writes
// as a separate StateChanges set (reads and commits are separate, like revm's Database +
// DatabaseCommit), so that Block-STM can later put a multi-version view behind the same seam.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "evm/evmc.h"
#include "evm/uint256.hpp"
#include "stm/hash.hpp"

namespace pevm::state {

// ---- small value helpers shared by the state code ---------------------------------------------

// Keyed (stm/hash.hpp): the keys of the state's tables are the block's author's to choose.
struct AddressHash {
    size_t operator()(const evmc_address& a) const noexcept {
        return static_cast<size_t>(stm::keyed_hash20(a.bytes));
    }
};
struct AddressEq {
    bool operator()(const evmc_address& a, const evmc_address& b) const noexcept {
        return std::memcmp(a.bytes, b.bytes, 20) == 0;
    }
};
struct Bytes32Hash {
    size_t operator()(const evmc_bytes32& b) const noexcept {
        return static_cast<size_t>(stm::keyed_hash32(b.bytes));
    }
};
struct Bytes32Eq {
    bool operator()(const evmc_bytes32& a, const evmc_bytes32& b) const noexcept {
        return std::memcmp(a.bytes, b.bytes, 32) == 0;
    }
};

inline bool is_zero(const evmc_bytes32& b) noexcept {
    for (uint8_t x : b.bytes)
        if (x != 0) return false;
    return true;
}
inline bool equal(const evmc_bytes32& a, const evmc_bytes32& b) noexcept {
    return std::memcmp(a.bytes, b.bytes, 32) == 0;
}
inline bool equal(const evmc_address& a, const evmc_address& b) noexcept {
    return std::memcmp(a.bytes, b.bytes, 20) == 0;
}

// Lexicographic byte order (the order of every sorted output: the state diff, its storage,
// executeTransaction's changes) through big-endian words: sorting a block's accounts compared
// them through a memcmp call each, 15% of a block of plain transfers (callgrind).
inline uint64_t be64(const uint8_t* p) noexcept {
    uint64_t v;
    std::memcpy(&v, p, 8);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
    return v;
}
inline uint32_t be32(const uint8_t* p) noexcept {
    uint32_t v;
    std::memcpy(&v, p, 4);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
    return v;
}
inline bool less(const evmc_address& a, const evmc_address& b) noexcept {
    const uint64_t a0 = be64(a.bytes), b0 = be64(b.bytes);
    if (a0 != b0) return a0 < b0;
    const uint64_t a1 = be64(a.bytes + 8), b1 = be64(b.bytes + 8);
    if (a1 != b1) return a1 < b1;
    return be32(a.bytes + 16) < be32(b.bytes + 16);
}
inline bool less(const evmc_bytes32& a, const evmc_bytes32& b) noexcept {
    for (int i = 0; i < 32; i += 8) {
        const uint64_t x = be64(a.bytes + i), y = be64(b.bytes + i);
        if (x != y) return x < y;
    }
    return false;
}

/// Whether `a`, read as a number, is below `bound` (at most 2^32): the precompiles' range and the
/// like.
inline bool address_below(const evmc_address& a, uint64_t bound) noexcept {
    return be64(a.bytes) == 0 && be64(a.bytes + 8) == 0 && be32(a.bytes + 16) < bound;
}

/// keccak256 of the empty string: the code hash of an account without code.
inline constexpr evmc_bytes32 kEmptyCodeHash = {{0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c,
                                                 0x92, 0x7e, 0x7d, 0xb2, 0xdc, 0xc7, 0x03, 0xc0,
                                                 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82, 0x27, 0x3b,
                                                 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70}};

/// An account as the view holds it. Code is referenced by hash and fetched separately.
struct AccountInfo {
    uint64_t nonce = 0;
    uint256 balance;
    evmc_bytes32 code_hash = kEmptyCodeHash;
    bool has_storage = false;  // any non-zero slot (EIP-7610 create collision)
};

/// The read seam. Spans returned by `code` stay valid as long as the view lives.
class StateView {
public:
    virtual ~StateView() = default;
    /// The account at `addr`, or nullopt when it does not exist.
    virtual std::optional<AccountInfo> account(const evmc_address& addr) = 0;
    /// The code with this hash (empty for kEmptyCodeHash or an unknown hash).
    virtual std::span<const uint8_t> code(const evmc_bytes32& code_hash) = 0;
    /// A storage slot; zero when unset or the account does not exist.
    virtual evmc_bytes32 storage(const evmc_address& addr, const evmc_bytes32& key) = 0;
    /// What BLOCKHASH returns for `number` (zero when unknown).
    virtual evmc_bytes32 block_hash(int64_t number) = 0;
    /// The transaction's result depended on the balance `account()` returned for `addr` (beyond
    /// adding to it). Block-STM keeps unobserved balance changes as lazy deltas.
    virtual void balance_observed(const evmc_address& /*addr*/) {}
    /// The transaction's result depended on `addr`'s balance only through its covering `amount`
    /// (a value transfer's or an endowment's check, which passed): `current` (>= amount) is the
    /// balance account() returned plus this transaction's changes to it so far. Block-STM then
    /// validates that predicate instead of the exact balance: a payment out of WETH need not
    /// conflict with every deposit before it. By default the balance counts as observed.
    virtual void balance_at_least(const evmc_address& addr, const uint256& /*amount*/,
                                  const uint256& /*current*/) {
        balance_observed(addr);
    }
    /// account(addr) for the block's fee recipient when the transaction touched it in no other
    /// way and loads it only to credit it a non-zero fee as it ends. Then nothing but whether the
    /// account exists can change the outcome, so a view may return placeholders for the rest (nonce
    /// and code; the balance as account() would) and must then turn the account's change into a
    /// pure credit (AccountChange::credit_only). Block-STM does: otherwise every transaction would
    /// read the recipient's nonce, and one that the fee recipient sends itself (a builder paying
    /// out in the middle of its block) would conflict with every transaction after it.
    virtual std::optional<AccountInfo> fee_recipient(const evmc_address& addr) {
        return account(addr);
    }
    /// Starts loading what account(addr) will read, without waiting for it: a hint from a
    /// caller that knows which accounts it is about to need (it may do nothing).
    virtual void prefetch_account(const evmc_address& /*addr*/) const {}
};

/// A plain in-memory state: the pre-state of a state test, or of a block.
class InMemoryState final : public StateView {
public:
    struct Account {
        AccountInfo info;
        std::unordered_map<evmc_bytes32, evmc_bytes32, Bytes32Hash, Bytes32Eq> storage;
    };

    /// Adds (or replaces) an account; the code is stored under its keccak hash.
    Account& put_account(const evmc_address& addr, uint64_t nonce, const uint256& balance,
                         std::span<const uint8_t> code);
    void put_storage(const evmc_address& addr, const evmc_bytes32& key, const evmc_bytes32& value);
    void put_block_hash(int64_t number, const evmc_bytes32& hash) { block_hashes_[number] = hash; }

    std::optional<AccountInfo> account(const evmc_address& addr) override;
    std::span<const uint8_t> code(const evmc_bytes32& code_hash) override;
    evmc_bytes32 storage(const evmc_address& addr, const evmc_bytes32& key) override;
    evmc_bytes32 block_hash(int64_t number) override;

private:
    std::unordered_map<evmc_address, Account, AddressHash, AddressEq> accounts_;
    std::unordered_map<evmc_bytes32, std::vector<uint8_t>, Bytes32Hash, Bytes32Eq> codes_;
    std::unordered_map<int64_t, evmc_bytes32> block_hashes_;
};

/// The writes of one transaction, relative to the view it read: what a commit applies.
struct AccountChange {
    evmc_address address{};
    bool deleted = false;       // the account no longer exists (its storage is gone too)
    bool code_changed = false;  // `code` holds the new code
    // `balance` is added (mod 2^256) to the balance before the change instead of replacing it
    // (the parallel executor's lazy balances: the absolute value is known only in block order).
    bool balance_delta = false;
    // Only the balance (a delta) applies: the account exists and its nonce, code and storage stay
    // as they are (StateView::fee_recipient). Implies balance_delta.
    bool credit_only = false;
    uint64_t nonce = 0;
    uint256 balance;
    std::vector<uint8_t> code;
    std::vector<std::pair<evmc_bytes32, evmc_bytes32>> storage;  // changed slots (key, value)
    // The value each changed slot had when the transaction started (same order as `storage`;
    // may be empty when unknown).
    std::vector<evmc_bytes32> storage_original;
};

struct Log {
    evmc_address address{};
    std::vector<evmc_bytes32> topics;
    std::vector<uint8_t> data;
};

}  // namespace pevm::state
