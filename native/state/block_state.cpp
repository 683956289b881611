// The block's pre-state and its write overlay. See block_state.hpp.
#include "state/block_state.hpp"

#include <algorithm>
#include <iterator>

#include "crypto/keccak.hpp"
#include "stm/prefetch.hpp"

namespace pevm::state {
namespace {

std::string hex(const uint8_t* p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string s = "0x";
    for (size_t i = 0; i < n; ++i) {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}

// Precompile addresses (0x01..0xff, 0x100..0x1ff) are warmed by every transaction without their
// state mattering; a prestate tracer does not list them, so they are never "missing".
bool precompile_range(const evmc_address& a) noexcept {
    return address_below(a, 0x200);
}

/// An item of the block's account map with its address's first 8 bytes as a big-endian number:
/// what the state diff sorts.
template <class Item>
struct KeyedItem {
    uint64_t key;
    const Item* item;
    friend bool operator<(const KeyedItem& a, const KeyedItem& b) noexcept {
        // Addresses that share their first 8 bytes are rare (tests craft them).
        return a.key != b.key ? a.key < b.key : less(a.item->first, b.item->first);
    }
};

/// Sorts by address: a counting pass over the keys' top 12 bits into 4,096 buckets, then each
/// bucket on its own (addresses are hashes, so a bucket holds a few; std::sort bounds the time
/// of a bucket that addresses were ground to fill). std::sort over 20,000 accounts took a tenth
/// of a sequential block of plain transfers.
template <class Item>
void sort_keyed(std::vector<KeyedItem<Item>>& v) {
    constexpr unsigned kBits = 12;
    constexpr size_t kSmall = 1024;
    if (v.size() < kSmall) {
        std::sort(v.begin(), v.end());
        return;
    }
    std::vector<uint32_t> start(size_t{1} << kBits, 0);
    for (const auto& k : v) ++start[k.key >> (64 - kBits)];
    uint32_t sum = 0;
    for (auto& s : start) {
        const uint32_t n = s;
        s = sum;
        sum += n;
    }
    std::vector<KeyedItem<Item>> out(v.size());
    std::vector<uint32_t> next = start;
    // SAFETY: next[b] < start[b + 1] <= v.size() for every key's bucket b.
    for (const auto& k : v) out[next[k.key >> (64 - kBits)]++] = k;
    for (size_t b = 0; b < start.size(); ++b) {
        const auto first = out.begin() + start[b];
        const auto last = out.begin() + next[b];
        if (last - first < 16) {
            for (auto i = first; i != last; ++i)  // insertion sort: a few items
                for (auto j = i; j != first && *j < *(j - 1); --j) std::iter_swap(j, j - 1);
        } else {
            std::sort(first, last);
        }
    }
    v.swap(out);
}

}  // namespace

// ---- PreState ---------------------------------------------------------------------------------

evmc_bytes32 PreState::put_code(std::span<const uint8_t> code, const evmc_bytes32* hash) {
    if (code.empty()) return kEmptyCodeHash;
    evmc_bytes32 h;
    if (hash != nullptr)
        h = *hash;
    else
        crypto::keccak256(code.data(), code.size(), h.bytes);
    codes_.try_emplace(h, code);
    return h;
}

void PreState::note_missing(std::string what) {
    const std::lock_guard<std::mutex> lock(missing_mutex_);
    if (!missing_) missing_ = std::move(what);
}

std::optional<AccountInfo> PreState::account(const evmc_address& addr) {
    const Entry* e = accounts_.find(addr);
    if (e == nullptr) {
        if (strict_ && !precompile_range(addr)) note_missing("account " + hex(addr.bytes, 20));
        return std::nullopt;
    }
    return e->info;
}

std::span<const uint8_t> PreState::code(const evmc_bytes32& code_hash) {
    if (equal(code_hash, kEmptyCodeHash)) return {};
    const auto it = codes_.find(code_hash);
    if (it == codes_.end()) {
        note_missing("code " + hex(code_hash.bytes, 32));  // always an error: the hash is known
        return {};
    }
    return it->second;
}

evmc_bytes32 PreState::storage(const evmc_address& addr, const evmc_bytes32& key) {
    const Entry* e = accounts_.find(addr);
    if (e == nullptr) {
        if (strict_ && !precompile_range(addr)) note_missing("account " + hex(addr.bytes, 20));
        return {};
    }
    const auto slot = e->storage.find(key);
    if (slot == e->storage.end()) {
        if (strict_) note_missing("storage " + hex(addr.bytes, 20) + " slot " + hex(key.bytes, 32));
        return {};
    }
    return slot->second;
}

evmc_bytes32 PreState::block_hash(int64_t number) {
    const auto it = block_hashes_.find(number);
    return it == block_hashes_.end() ? evmc_bytes32{} : it->second;
}

// ---- BlockState -------------------------------------------------------------------------------

BlockState::Entry& BlockState::load(const evmc_address& addr) {
    auto [entry, inserted] = accounts_.try_emplace(addr);
    Entry& e = *entry;
    if (inserted) {
        if (auto info = base_.account(addr)) {
            e.exists = e.base_exists = true;
            e.info = e.base_info = *info;
            e.base_has_storage = info->has_storage;
        }
    }
    return e;
}

std::optional<AccountInfo> BlockState::account(const evmc_address& addr) {
    const Entry* found = accounts_.find(addr);
    if (found == nullptr) return base_.account(addr);
    const Entry& e = *found;
    if (!e.exists) return std::nullopt;
    AccountInfo info = e.info;
    info.has_storage = e.nonzero != 0 || (!e.storage_reset && e.base_has_storage);
    return info;
}

std::span<const uint8_t> BlockState::code(const evmc_bytes32& code_hash) {
    const auto it = codes_.find(code_hash);
    if (it != codes_.end()) return it->second;
    return base_.code(code_hash);
}

evmc_bytes32 BlockState::storage(const evmc_address& addr, const evmc_bytes32& key) {
    const Entry* found = accounts_.find(addr);
    if (found == nullptr) return base_.storage(addr, key);
    const Entry& e = *found;
    if (const auto slot = e.storage.find(key); slot != e.storage.end()) return slot->second.value;
    if (!e.exists || e.storage_reset) return {};
    return base_.storage(addr, key);
}

void BlockState::apply(const std::vector<AccountChange>& changes) {
    for (const AccountChange& ch : changes) {
        Entry& e = load(ch.address);
        if (ch.credit_only) {
            e.exists = true;
            e.info.balance += ch.balance;
            continue;
        }
        if (ch.deleted) {
            e.exists = false;
            e.info = AccountInfo{};
            e.storage.clear();
            e.nonzero = 0;
            e.storage_reset = true;
            continue;
        }
        e.exists = true;
        e.info.nonce = ch.nonce;
        e.info.balance = ch.balance_delta ? e.info.balance + ch.balance : ch.balance;
        if (ch.code_changed) {
            if (ch.code.empty()) {
                e.info.code_hash = kEmptyCodeHash;
            } else {
                evmc_bytes32 hash;
                crypto::keccak256(ch.code.data(), ch.code.size(), hash.bytes);
                codes_.try_emplace(hash, ch.code);
                e.info.code_hash = hash;
            }
        }
        for (size_t i = 0; i < ch.storage.size(); ++i) {
            // SAFETY: i < ch.storage.size().
            const auto& [key, value] = ch.storage[i];
            auto [slot, inserted] = e.storage.try_emplace(key);
            if (inserted) {
                // First written in the block: unless the account was reset before, the value the
                // change started from is the pre-block one.
                if (!e.storage_reset && i < ch.storage_original.size()) {
                    slot->second.base = ch.storage_original[i];
                    slot->second.base_known = true;
                }
            } else if (!is_zero(slot->second.value)) {
                --e.nonzero;
            }
            slot->second.value = value;
            if (!is_zero(value)) ++e.nonzero;
        }
    }
}

void BlockState::add_balance(const evmc_address& addr, const uint256& amount) {
    Entry& e = load(addr);
    e.exists = true;
    e.info.balance += amount;
}

void BlockState::sub_balance(const evmc_address& addr, const uint256& amount) {
    Entry& e = load(addr);
    if (e.exists) e.info.balance -= amount;
}

void BlockState::remove_if_empty(const evmc_address& addr) {
    Entry& e = load(addr);
    if (!e.exists || e.info.nonce != 0 || e.info.balance ||
        !equal(e.info.code_hash, kEmptyCodeHash))
        return;
    e.exists = false;
    e.info = AccountInfo{};
    e.storage.clear();
    e.nonzero = 0;
    e.storage_reset = true;
}

void BlockState::merge(BlockState& part) {
    // The part's accounts are in its own cache lines, the slots they land in here are not: each
    // slot starts loading a few accounts ahead (as in diff()).
    constexpr size_t kAhead = 8;
    const size_t count = part.accounts_.size();
    for (size_t pos = 0; pos < count; ++pos) {
        if (pos + kAhead < count) accounts_.prefetch_slot(part.accounts_.item(pos + kAhead).first);
        auto& [addr, theirs] = part.accounts_.item(pos);
        auto [mine, inserted] = accounts_.try_emplace(addr);
        if (inserted) {
            *mine = std::move(theirs);
            continue;
        }
        // Both credited it: each part's balance is the pre-block one plus its credits.
        mine->exists = mine->exists || theirs.exists;
        mine->info.balance += theirs.info.balance - theirs.base_info.balance;
    }
    for (auto& [hash, code] : part.codes_) codes_.try_emplace(hash, std::move(code));
}

std::vector<AccountDiff> BlockState::diff(unsigned parts, const PartRunner* runner) {
    // Split by the address's first byte into `parts` ranges, each sorted and built on its own
    // (on several threads with a runner), then concatenated in range order. Sorted as 16-byte
    // (key, item) pairs (sort_keyed): sorting the AccountDiffs themselves moved ~100-byte
    // records around, and (address, entry) pairs compared up to three words each through the
    // items.
    // Below a few thousand accounts, waking other threads costs more than it saves.
    constexpr size_t kMinSplitAccounts = 4096;
    if (runner == nullptr || accounts_.size() < kMinSplitAccounts) parts = 1;
    parts = std::clamp(parts, 1u, 256u);
    using Item = AddressMap<Entry>::Item;
    using Keyed = KeyedItem<Item>;
    using Pairs = std::vector<Keyed>;
    // found[scanner][part]: the accounts of one range of the map's items, by address range.
    // Split, the scan runs on the pool too: after a Block-STM run the items sit in the caches
    // of the workers that committed them (serially, the scan of 20,000 accounts took as long as
    // building their diffs on two threads).
    std::vector<std::vector<Pairs>> found(parts, std::vector<Pairs>(parts));
    const size_t count = accounts_.size();
    auto scan = [&](unsigned scanner) {
        // SAFETY: scanner < parts, the size of found.
        std::vector<Pairs>& out = found[scanner];
        for (auto& o : out) o.reserve(count / parts / parts + 16);
        const size_t end = count * (scanner + 1) / parts;
        for (size_t pos = count * scanner / parts; pos < end; ++pos) {
            const Item& item = accounts_.item(pos);
            // SAFETY: (byte * parts) >> 8 < parts.
            out[(unsigned{item.first.bytes[0]} * parts) >> 8].push_back(
                Keyed{be64(item.first.bytes), &item});
        }
    };
    if (parts == 1)
        scan(0);
    else
        (*runner)(parts, scan);
    std::vector<std::vector<AccountDiff>> built(parts);
    auto build = [&](unsigned part) {
        // SAFETY: part < parts, the size of found and of each found[s].
        Pairs& pairs = found[0][part];
        size_t count = 0;
        for (unsigned s = 0; s < parts; ++s) count += found[s][part].size();
        pairs.reserve(count);
        for (unsigned s = 1; s < parts; ++s)
            pairs.insert(pairs.end(), found[s][part].begin(), found[s][part].end());
        sort_keyed(pairs);
        std::vector<AccountDiff>& out = built[part];
        out.reserve(pairs.size());
        // The sorted order visits the items at random: each one's entry (four cache lines)
        // starts loading a few accounts ahead.
        constexpr size_t kAhead = 8;
        for (size_t i = 0; i < pairs.size(); ++i) {
            if (i + kAhead < pairs.size()) {
                // SAFETY: i + kAhead < pairs.size().
                const auto* bytes = reinterpret_cast<const char*>(pairs[i + kAhead].item);
                for (size_t at = 0; at < sizeof(Item); at += 64) stm::prefetch_read(bytes + at);
            }
            // SAFETY: i < pairs.size().
            diff_account(pairs[i].item->first, pairs[i].item->second, out);
        }
    };
    if (parts == 1)
        build(0);
    else
        (*runner)(parts, build);
    if (parts == 1) return std::move(built[0]);
    size_t total = 0;
    for (const auto& b : built) total += b.size();
    std::vector<AccountDiff> out;
    out.reserve(total);
    for (auto& b : built) std::move(b.begin(), b.end(), std::back_inserter(out));
    return out;
}

void BlockState::diff_account(const evmc_address& addr, const Entry& e,
                              std::vector<AccountDiff>& out) {
    if (!e.exists) {
        if (e.base_exists) {
            AccountDiff& d = out.emplace_back();
            d.address = addr;
            d.deleted = true;
            d.storage_reset = true;
        }
        return;
    }
    // Built in place, and taken back when the account did not change.
    AccountDiff& d = out.emplace_back();
    d.address = addr;
    d.nonce = e.info.nonce;
    d.balance = e.info.balance;
    d.code_hash = e.info.code_hash;
    d.code_changed =
        !equal(e.info.code_hash, e.base_exists ? e.base_info.code_hash : kEmptyCodeHash);
    if (d.code_changed) d.code = code(e.info.code_hash);
    d.storage_reset = e.storage_reset && e.base_exists && e.base_has_storage;
    for (const auto& [key, slot] : e.storage) {
        const evmc_bytes32& value = slot.value;
        const bool changed =
            d.storage_reset || !e.base_exists
                ? !is_zero(value)
                : !equal(value, slot.base_known ? slot.base : base_.storage(addr, key));
        if (changed) d.storage.emplace_back(key, value);
    }
    std::sort(d.storage.begin(), d.storage.end(),
              [](const auto& a, const auto& b) { return less(a.first, b.first); });
    const bool changed = !e.base_exists || d.storage_reset || d.code_changed ||
                         !d.storage.empty() || d.nonce != e.base_info.nonce ||
                         d.balance != e.base_info.balance;
    if (!changed) out.pop_back();
}

}  // namespace pevm::state
