// The in-memory StateView.
#include "state/state_view.hpp"

#include "crypto/keccak.hpp"

namespace pevm::state {

InMemoryState::Account& InMemoryState::put_account(const evmc_address& addr, uint64_t nonce,
                                                   const uint256& balance,
                                                   std::span<const uint8_t> code) {
    Account& acc = accounts_[addr];
    acc.info.nonce = nonce;
    acc.info.balance = balance;
    if (code.empty()) {
        acc.info.code_hash = kEmptyCodeHash;
    } else {
        crypto::keccak256(code.data(), code.size(), acc.info.code_hash.bytes);
        codes_.try_emplace(acc.info.code_hash, code.begin(), code.end());
    }
    return acc;
}

void InMemoryState::put_storage(const evmc_address& addr, const evmc_bytes32& key,
                                const evmc_bytes32& value) {
    Account& acc = accounts_[addr];
    if (is_zero(value)) {
        acc.storage.erase(key);
    } else {
        acc.storage[key] = value;
        acc.info.has_storage = true;
    }
}

std::optional<AccountInfo> InMemoryState::account(const evmc_address& addr) {
    const auto it = accounts_.find(addr);
    if (it == accounts_.end()) return std::nullopt;
    return it->second.info;
}

std::span<const uint8_t> InMemoryState::code(const evmc_bytes32& code_hash) {
    const auto it = codes_.find(code_hash);
    if (it == codes_.end()) return {};
    return it->second;
}

evmc_bytes32 InMemoryState::storage(const evmc_address& addr, const evmc_bytes32& key) {
    const auto it = accounts_.find(addr);
    if (it == accounts_.end()) return {};
    const auto slot = it->second.storage.find(key);
    return slot == it->second.storage.end() ? evmc_bytes32{} : slot->second;
}

evmc_bytes32 InMemoryState::block_hash(int64_t number) {
    const auto it = block_hashes_.find(number);
    return it == block_hashes_.end() ? evmc_bytes32{} : it->second;
}

}  // namespace pevm::state
