// A map from addresses to accounts for the block's state (PreState, BlockState): the items in
// chunks that never move, found through an open-addressing index of positions.
//
// It replaced std::unordered_map there. A block of 10,000 plain transfers touches 20,000 accounts
// that no cache holds, and each unordered_map lookup walked a bucket and its node chain with a
// 64-bit division per node visited (the bucket of the next node is recomputed from its hash):
// in the sequential loop these lookups were a quarter of the time, and more under Block-STM,
// whose commit looks every account up again. Here a lookup reads one index slot (8 bytes: a tag
// from the hash and the item's position; another address's slot is skipped on its tag) and then
// the item, and a caller that knows which accounts it will need can prefetch the slot.
#pragma once

#include <cstdint>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

#include "evm/evmc.h"
#include "state/state_view.hpp"
#include "stm/hash.hpp"
#include "stm/prefetch.hpp"

namespace pevm::state {

template <class V>
class AddressMap {
public:
    using Item = std::pair<const evmc_address, V>;

    AddressMap() = default;
    // Copies keep each chunk's capacity (appending never moves an item).
    AddressMap(const AddressMap& other) : slots_(other.slots_), size_(other.size_) {
        chunks_.reserve(other.chunks_.size());
        for (const auto& c : other.chunks_) {
            chunks_.emplace_back();
            chunks_.back().reserve(kChunk);
            for (const Item& it : c) chunks_.back().emplace_back(it);
        }
    }
    AddressMap& operator=(const AddressMap& other) {
        if (this != &other) *this = AddressMap(other);
        return *this;
    }
    AddressMap(AddressMap&&) noexcept = default;
    AddressMap& operator=(AddressMap&&) noexcept = default;

    size_t size() const noexcept { return size_; }

    static constexpr uint32_t kNone = UINT32_MAX;

    /// The position of `addr`'s item (item(pos)), or kNone.
    uint32_t position_of(const evmc_address& addr) const noexcept { return position(addr); }

    /// The value of `addr`, or nullptr.
    V* find(const evmc_address& addr) noexcept {
        const uint32_t pos = position(addr);
        return pos == kNone ? nullptr : &item(pos).second;
    }
    const V* find(const evmc_address& addr) const noexcept {
        const uint32_t pos = position(addr);
        return pos == kNone ? nullptr : &item(pos).second;
    }

    /// The value of `addr`, default-constructed when absent (true: it was inserted). References
    /// to values stay valid until the map is destroyed or assigned.
    std::pair<V*, bool> try_emplace(const evmc_address& addr) {
        const uint64_t h = hash(addr);
        if (!slots_.empty()) {
            const size_t mask = slots_.size() - 1;
            for (size_t i = h & mask;; i = (i + 1) & mask) {
                // SAFETY: i <= mask < slots_.size().
                const uint64_t slot = slots_[i];
                if (slot == 0) break;
                if ((slot >> 32) == (h >> 32)) {
                    Item& it = item(static_cast<uint32_t>(slot) - 1);
                    if (equal(it.first, addr)) return {&it.second, false};
                }
            }
        }
        if (2 * (size_ + 1) > slots_.size()) grow(2 * (size_ + 1));
        Item& it = append(addr);
        index(h, size_ - 1);
        return {&it.second, true};
    }
    V& operator[](const evmc_address& addr) { return *try_emplace(addr).first; }

    /// Room for `n` items without growing the index.
    void reserve(size_t n) {
        if (2 * n > slots_.size()) grow(2 * n);
        chunks_.reserve((n + kChunk - 1) / kChunk);
    }
    /// Starts loading the index slot where `addr`'s probe begins, without waiting for it.
    void prefetch_slot(const evmc_address& addr) const noexcept {
        if (slots_.empty()) return;
        // SAFETY: masked to the index's size.
        stm::prefetch_read(&slots_[hash(addr) & (slots_.size() - 1)]);
    }
    /// The items in insertion order: item(0) .. item(size() - 1).
    Item& item(size_t pos) noexcept {
        // SAFETY: pos < size_ (callers' contract), so its chunk exists.
        return chunks_[pos / kChunk][pos % kChunk];
    }
    const Item& item(size_t pos) const noexcept {
        // SAFETY: as above.
        return chunks_[pos / kChunk][pos % kChunk];
    }

private:
    static constexpr size_t kChunk = 256;

    static uint64_t hash(const evmc_address& a) noexcept {
        // Keyed, every byte counting (stm/hash.hpp): addresses are not all hashes (precompiles,
        // system contracts, synthetic ones), and a block's author can choose thousands that
        // any fixed function maps alike. The table indexes with the low bits, tags with the high.
        return stm::keyed_hash20(a.bytes);
    }
    uint32_t position(const evmc_address& addr) const noexcept {
        if (slots_.empty()) return kNone;
        const uint64_t h = hash(addr);
        const size_t mask = slots_.size() - 1;
        for (size_t i = h & mask;; i = (i + 1) & mask) {
            // SAFETY: i <= mask < slots_.size(); the index is at most half full.
            const uint64_t slot = slots_[i];
            if (slot == 0) return kNone;
            if ((slot >> 32) == (h >> 32)) {
                const uint32_t pos = static_cast<uint32_t>(slot) - 1;
                if (equal(item(pos).first, addr)) return pos;
            }
        }
    }

    // If an allocation throws, the map is as it was (an empty chunk may stay, to be filled next).
    Item& append(const evmc_address& addr) {
        const size_t c = size_ / kChunk;
        if (c == chunks_.size()) {
            std::vector<Item> chunk;
            chunk.reserve(kChunk);  // filled to kChunk: never reallocates
            chunks_.push_back(std::move(chunk));
        }
        // SAFETY: c < chunks_.size(), and chunk c holds size_ % kChunk < kChunk items.
        Item& it = chunks_[c].emplace_back(std::piecewise_construct, std::forward_as_tuple(addr),
                                           std::forward_as_tuple());
        ++size_;
        return it;
    }

    void index(uint64_t h, size_t pos) noexcept {
        const size_t mask = slots_.size() - 1;
        size_t i = h & mask;
        // SAFETY: i <= mask; the index is at most half full, so a free slot exists.
        while (slots_[i] != 0) i = (i + 1) & mask;
        slots_[i] = (h & 0xffffffff00000000ull) | (pos + 1);
    }
    void grow(size_t at_least) {
        size_t n = slots_.empty() ? 64 : slots_.size();
        while (n < at_least) n *= 2;
        slots_.assign(n, 0);
        for (size_t pos = 0; pos < size_; ++pos) index(hash(item(pos).first), pos);
    }

    std::vector<uint64_t> slots_;            // 0 empty, else (hash's high 32 bits, position + 1)
    std::vector<std::vector<Item>> chunks_;  // kChunk items each but the last; never reallocated
    size_t size_ = 0;
};

}  // namespace pevm::state
