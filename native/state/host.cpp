// The journaled transaction-local host. See host.hpp for the model.
#include "state/host.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "crypto/keccak.hpp"
#include "evm/evm.hpp"
#include "precompiles/precompiles.hpp"

namespace pevm::state {
namespace {

constexpr size_t kMaxCodeSize = 24576;  // EIP-170
constexpr int64_t kCodeDepositGasPerByte = 200;
constexpr evmc_address kRipemd = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3}};

Host& self(evmc_host_context* ctx) noexcept {
    return *reinterpret_cast<Host*>(ctx);
}

const evmc_host_interface kInterface = {
    [](evmc_host_context* c, const evmc_address* a) { return self(c).account_exists(*a); },
    [](evmc_host_context* c, const evmc_address* a, const evmc_bytes32* k) {
        return self(c).get_storage(*a, *k);
    },
    [](evmc_host_context* c, const evmc_address* a, const evmc_bytes32* k, const evmc_bytes32* v) {
        return self(c).set_storage(*a, *k, *v);
    },
    [](evmc_host_context* c, const evmc_address* a) { return self(c).get_balance(*a); },
    [](evmc_host_context* c, const evmc_address* a) { return self(c).get_code_size(*a); },
    [](evmc_host_context* c, const evmc_address* a) { return self(c).get_code_hash(*a); },
    [](evmc_host_context* c, const evmc_address* a, size_t off, uint8_t* out, size_t n) {
        return self(c).copy_code(*a, off, out, n);
    },
    [](evmc_host_context* c, const evmc_address* a, const evmc_address* b) {
        return self(c).selfdestruct(*a, *b);
    },
    [](evmc_host_context* c, const evmc_message* m) { return self(c).call(*m); },
    [](evmc_host_context* c) { return self(c).get_tx_context(); },
    [](evmc_host_context* c, int64_t n) { return self(c).get_block_hash(n); },
    [](evmc_host_context* c, const evmc_address* a, const uint8_t* d, size_t n,
       const evmc_bytes32 t[], size_t tn) { self(c).emit_log(*a, d, n, t, tn); },
    [](evmc_host_context* c, const evmc_address* a) { return self(c).access_account(*a); },
    [](evmc_host_context* c, const evmc_address* a, const evmc_bytes32* k) {
        return self(c).access_storage(*a, *k);
    },
    [](evmc_host_context* c, const evmc_address* a, const evmc_bytes32* k) {
        return self(c).get_transient_storage(*a, *k);
    },
    [](evmc_host_context* c, const evmc_address* a, const evmc_bytes32* k, const evmc_bytes32* v) {
        self(c).set_transient_storage(*a, *k, *v);
    },
};

// For the built-in interpreter run in-process (run_vm): its value checks become predicates.
const evm::HostExtensions kExtensions = {
    [](evmc_host_context* c, const evmc_address& a, const evmc_uint256be& amount) noexcept {
        return self(c).balance_covers(a, uint256::from_bytes32(amount));
    },
};

evmc_result make_result(evmc_status_code status, int64_t gas_left) noexcept {
    evmc_result r{};
    r.status_code = status;
    r.gas_left = gas_left;
    return r;
}

void release(evmc_result& r) noexcept {
    if (r.release != nullptr) r.release(&r);
    r.release = nullptr;
    r.output_data = nullptr;
    r.output_size = 0;
}

// RLP of a byte string that is at most 55 bytes long.
size_t rlp_short_string(const uint8_t* data, size_t n, uint8_t* out) noexcept {
    if (n == 1 && data[0] < 0x80) {
        out[0] = data[0];
        return 1;
    }
    out[0] = static_cast<uint8_t>(0x80 + n);
    std::memcpy(out + 1, data, n);
    return n + 1;
}

}  // namespace

evmc_address create_address(const evmc_address& sender, uint64_t nonce) noexcept {
    uint8_t nonce_be[8];
    size_t nonce_len = 0;
    for (int i = 7; i >= 0; --i) {
        const auto b = static_cast<uint8_t>(nonce >> (8 * i));
        if (b != 0 || nonce_len != 0) nonce_be[nonce_len++] = b;
    }
    uint8_t payload[1 + 20 + 9];
    size_t n = rlp_short_string(sender.bytes, 20, payload);
    n += rlp_short_string(nonce_be, nonce_len, payload + n);  // nonce 0 encodes as 0x80
    uint8_t buf[1 + sizeof payload];
    buf[0] = static_cast<uint8_t>(0xc0 + n);
    std::memcpy(buf + 1, payload, n);
    uint8_t hash[32];
    crypto::keccak256(buf, n + 1, hash);
    evmc_address a;
    std::memcpy(a.bytes, hash + 12, 20);
    return a;
}

evmc_address create2_address(const evmc_address& sender, const evmc_bytes32& salt,
                             const uint8_t* initcode, size_t size) noexcept {
    uint8_t buf[1 + 20 + 32 + 32];
    buf[0] = 0xff;
    std::memcpy(buf + 1, sender.bytes, 20);
    std::memcpy(buf + 21, salt.bytes, 32);
    crypto::keccak256(initcode, size, buf + 53);
    uint8_t hash[32];
    crypto::keccak256(buf, sizeof buf, hash);
    evmc_address a;
    std::memcpy(a.bytes, hash + 12, 20);
    return a;
}

bool delegation_target(std::span<const uint8_t> code, evmc_address* target) noexcept {
    if (code.size() != 23 || code[0] != 0xef || code[1] != 0x01 || code[2] != 0x00) return false;
    if (target != nullptr) std::memcpy(target->bytes, code.data() + 3, 20);
    return true;
}

thread_local std::vector<Host::JournalEntry> Host::spare_journal_;
thread_local AccountTable Host::spare_accounts_;

std::pair<Account*, bool> AccountTable::try_emplace(const evmc_address& addr) {
    if (size_ <= kLinear) {
        for (size_t i = 0; i < size_; ++i)
            if (Account& acc = at(i); equal(acc.address, addr)) return {&acc, false};
    } else if (const auto it = index_.find(addr); it != index_.end()) {
        return {it->second, false};
    }
    if (size_ == capacity()) chunks_.push_back(std::make_unique<Account[]>(kChunk));
    Account& acc = at(size_++);
    // A reused account: as a new one (clear() emptied its storage table).
    acc.address = addr;
    acc.cur = Account::Core{};
    acc.base = Account::Core{};
    acc.base_has_storage = false;
    acc.loaded = false;
    if (size_ == kLinear + 1) {
        for (size_t i = 0; i < size_; ++i) index_.emplace(at(i).address, &at(i));
    } else if (size_ > kLinear + 1) {
        index_.emplace(addr, &acc);
    }
    return {&acc, true};
}

void AccountTable::clear() noexcept {
    for (size_t i = 0; i < size_; ++i) {
        auto& storage = at(i).storage;
        if (storage.bucket_count() > 1024)
            std::unordered_map<evmc_bytes32, StorageSlot, Bytes32Hash, Bytes32Eq>().swap(storage);
        else
            storage.clear();
    }
    size_ = 0;
    index_.clear();
}

Host::Host(StateView& view, evmc_revision rev, VmChoice vm,
           const evmc_tx_context& tx_context) noexcept
    : view_(view), rev_(rev), vm_(vm), tx_context_(tx_context) {
    // Both spares are empty (a Host left them so, or none ran on this thread yet); a nested
    // Host on the same thread simply finds them empty.
    journal_.swap(spare_journal_);
    accounts_.swap(spare_accounts_);
}

Host::~Host() {
    // Hand the buffers on, emptied, unless one grew unusually large (a contract touching
    // thousands of accounts should not pin that memory for the thread's lifetime).
    journal_.clear();
    accounts_.clear();
    if (journal_.capacity() <= 4096) journal_.swap(spare_journal_);
    if (accounts_.capacity() <= 4096) accounts_.swap(spare_accounts_);
}

const evmc_host_interface& Host::interface() noexcept {
    return kInterface;
}

// ---- accounts --------------------------------------------------------------------------------

Account& Host::entry(const evmc_address& addr) noexcept {
    return *accounts_.try_emplace(addr).first;
}

Account& Host::get(const evmc_address& addr) noexcept {
    Account& acc = entry(addr);
    if (!acc.loaded) {
        // Before loading, only the warm mark can have been set (access_account), and its journal
        // entry restores only that mark.
        acc.loaded = true;
        fill(acc, view_.account(addr));
    }
    return acc;
}

void Host::fill(Account& acc, const std::optional<AccountInfo>& info) noexcept {
    if (info) {
        acc.base.exists = true;
        acc.base.nonce = info->nonce;
        acc.base.balance = info->balance;
        acc.base.code_hash = info->code_hash;
        acc.base.code_loaded = equal(info->code_hash, kEmptyCodeHash);
        acc.base_has_storage = info->has_storage;
    }
    const bool warm = acc.cur.warm;
    acc.cur = acc.base;
    acc.cur.warm = warm;
}

std::span<const uint8_t> Host::code_of(Account& acc) noexcept {
    if (!acc.cur.code_loaded) {
        acc.cur.code = view_.code(acc.cur.code_hash);
        acc.cur.code_loaded = true;
    }
    return acc.cur.code;
}

void Host::save(Account& acc) noexcept {
    journal_.emplace_back(&acc, acc.cur);
}

void Host::add_balance(const evmc_address& addr, const uint256& amount) noexcept {
    Account& acc = get(addr);
    save(acc);
    acc.cur.exists = true;
    acc.cur.balance += amount;
    acc.cur.touched = true;
}

void Host::credit_fee(const evmc_address& addr, const uint256& amount) noexcept {
    Account& acc = entry(addr);
    if (!acc.loaded && amount) {
        acc.loaded = true;
        fill(acc, view_.fee_recipient(addr));
    }
    add_balance(addr, amount);
}

void Host::sub_balance(const evmc_address& addr, const uint256& amount) noexcept {
    Account& acc = get(addr);
    save(acc);
    acc.cur.balance -= amount;
    acc.cur.touched = true;
}

void Host::set_nonce(const evmc_address& addr, uint64_t nonce) noexcept {
    Account& acc = get(addr);
    save(acc);
    acc.cur.exists = true;
    acc.cur.nonce = nonce;
    acc.cur.touched = true;
}

void Host::set_code(const evmc_address& addr, std::span<const uint8_t> code) noexcept {
    Account& acc = get(addr);
    save(acc);
    acc.cur.exists = true;
    acc.cur.touched = true;
    acc.cur.code_loaded = true;
    if (code.empty()) {
        acc.cur.code = {};
        acc.cur.code_hash = kEmptyCodeHash;
        return;
    }
    const auto& owned = *owned_code_.emplace_back(
        std::make_unique<const std::vector<uint8_t>>(code.begin(), code.end()));
    acc.cur.code = owned;
    crypto::keccak256(owned.data(), owned.size(), acc.cur.code_hash.bytes);
}

void Host::touch(const evmc_address& addr) noexcept {
    Account& acc = get(addr);
    if (acc.cur.touched) return;
    save(acc);
    acc.cur.touched = true;
}

bool Host::has_storage(Account& acc) noexcept {
    if (acc.base_has_storage) return true;
    for (const auto& [key, s] : acc.storage)
        if (s.loaded && !is_zero(s.current)) return true;
    return false;
}

StorageSlot& Host::slot(Account& acc, const evmc_address& addr, const evmc_bytes32& key,
                        bool load) noexcept {
    StorageSlot& s = acc.storage[key];
    if (load && !s.loaded) {
        s.original = acc.base.exists ? view_.storage(addr, key) : evmc_bytes32{};
        s.current = s.original;
        s.loaded = true;
    }
    return s;
}

// ---- journal ---------------------------------------------------------------------------------

void Host::revert(Checkpoint cp) noexcept {
    while (journal_.size() > cp.journal) {
        JournalEntry& e = journal_.back();
        switch (e.kind) {
            case JournalEntry::Kind::Core: {
                // A touch of the RIPEMD-160 precompile survives a revert: the consensus quirk of
                // mainnet block 2675119 that every client reproduces.
                const bool keep_touch =
                    e.account->cur.touched && equal(e.account->address, kRipemd);
                e.account->cur = e.prev_core;
                if (keep_touch) e.account->cur.touched = true;
                break;
            }
            case JournalEntry::Kind::AccountWarm:
                e.account->cur.warm = false;
                break;
            case JournalEntry::Kind::Storage:
                e.account->storage[e.slot.key].current = e.slot.prev_value;
                break;
            case JournalEntry::Kind::StorageWarm:
                e.account->storage[e.slot.key].warm = false;
                break;
            case JournalEntry::Kind::Transient:
                transient_[e.slot.address][e.slot.key] = e.slot.prev_value;
                break;
        }
        journal_.pop_back();
    }
    logs_.resize(cp.logs);
}

// ---- host functions --------------------------------------------------------------------------

bool Host::account_exists(const evmc_address& addr) noexcept {
    Account& acc = get(addr);
    // From Spurious Dragon, "exists" for gas purposes means "exists and is not empty".
    return acc.cur.exists && (rev_ < EVMC_SPURIOUS_DRAGON || !is_empty_observed(acc));
}

bool Host::balance_covers(const evmc_address& addr, const uint256& amount) noexcept {
    const uint256& balance = get(addr).cur.balance;
    if (balance < amount) {
        view_.balance_observed(addr);  // a failure is rare: the exact balance, simply
        return false;
    }
    view_.balance_at_least(addr, amount, balance);
    return true;
}

bool Host::is_empty_observed(Account& acc) noexcept {
    if (acc.cur.nonce != 0 || !equal(acc.cur.code_hash, kEmptyCodeHash)) return false;
    view_.balance_observed(acc.address);
    return !acc.cur.balance;
}

evmc_bytes32 Host::get_storage(const evmc_address& addr, const evmc_bytes32& key) noexcept {
    Account& acc = get(addr);
    return slot(acc, addr, key, true).current;
}

evmc_storage_status Host::set_storage(const evmc_address& addr, const evmc_bytes32& key,
                                      const evmc_bytes32& value) noexcept {
    Account& acc = get(addr);
    StorageSlot& s = slot(acc, addr, key, true);
    const evmc_bytes32& o = s.original;
    const evmc_bytes32& c = s.current;
    if (equal(c, value)) return EVMC_STORAGE_ASSIGNED;
    evmc_storage_status status = EVMC_STORAGE_ASSIGNED;
    if (equal(o, c)) {
        if (is_zero(o))
            status = EVMC_STORAGE_ADDED;
        else if (is_zero(value))
            status = EVMC_STORAGE_DELETED;
        else
            status = EVMC_STORAGE_MODIFIED;
    } else if (!is_zero(o)) {
        if (is_zero(c))
            status = equal(value, o) ? EVMC_STORAGE_DELETED_RESTORED : EVMC_STORAGE_DELETED_ADDED;
        else if (is_zero(value))
            status = EVMC_STORAGE_MODIFIED_DELETED;
        else if (equal(value, o))
            status = EVMC_STORAGE_MODIFIED_RESTORED;
    } else if (is_zero(value)) {
        status = EVMC_STORAGE_ADDED_DELETED;
    }
    journal_.emplace_back(JournalEntry::Kind::Storage, &acc,
                          JournalEntry::Slot{key, s.current, {}});
    s.current = value;
    return status;
}

evmc_bytes32 Host::get_balance(const evmc_address& addr) noexcept {
    Account& acc = get(addr);
    view_.balance_observed(addr);
    return acc.cur.balance.to_bytes32();
}

size_t Host::get_code_size(const evmc_address& addr) noexcept {
    return code_of(get(addr)).size();
}

evmc_bytes32 Host::get_code_hash(const evmc_address& addr) noexcept {
    Account& acc = get(addr);
    if (!acc.cur.exists || is_empty_observed(acc)) return {};
    return acc.cur.code_hash;
}

size_t Host::copy_code(const evmc_address& addr, size_t offset, uint8_t* out,
                       size_t size) noexcept {
    const auto code = code_of(get(addr));
    if (offset >= code.size()) return 0;
    const size_t n = std::min(size, code.size() - offset);
    std::memcpy(out, code.data() + offset, n);
    return n;
}

bool Host::selfdestruct(const evmc_address& addr, const evmc_address& beneficiary) noexcept {
    Account& acc = get(addr);
    view_.balance_observed(addr);
    const uint256 balance = acc.cur.balance;
    if (rev_ >= EVMC_CANCUN && !acc.cur.created) {
        // EIP-6780: only the balance moves; a transfer to itself changes nothing.
        if (!equal(addr, beneficiary)) {
            sub_balance(addr, balance);
            add_balance(beneficiary, balance);
        } else {
            touch(beneficiary);
        }
    } else {
        add_balance(beneficiary, balance);
        save(acc);
        acc.cur.balance = 0;  // burned when the beneficiary is the account itself
    }
    save(acc);
    const bool first = !acc.cur.destructed;
    acc.cur.destructed = true;
    return first;
}

void Host::emit_log(const evmc_address& addr, const uint8_t* data, size_t size,
                    const evmc_bytes32 topics[], size_t count) noexcept {
    Log& log = logs_.emplace_back();
    log.address = addr;
    log.topics.assign(topics, topics + count);
    log.data.assign(data, data + size);
}

bool Host::precompile(const evmc_address& addr) const noexcept {
    for (int i = 0; i < 18; ++i)
        if (addr.bytes[i] != 0) return false;  // most addresses: no table lookup
    return precompiles::is_precompile(addr, rev_);
}

evmc_access_status Host::access_account(const evmc_address& addr) noexcept {
    if (rev_ >= EVMC_BERLIN && precompile(addr)) return EVMC_ACCESS_WARM;  // warm by rule
    Account& acc = entry(addr);
    if (acc.cur.warm) return EVMC_ACCESS_WARM;
    journal_.emplace_back(JournalEntry::Kind::AccountWarm, &acc);
    acc.cur.warm = true;
    return EVMC_ACCESS_COLD;
}

evmc_access_status Host::access_storage(const evmc_address& addr,
                                        const evmc_bytes32& key) noexcept {
    Account& acc = get(addr);
    StorageSlot& s = slot(acc, addr, key, false);
    if (s.warm) return EVMC_ACCESS_WARM;
    journal_.emplace_back(JournalEntry::Kind::StorageWarm, &acc, JournalEntry::Slot{key, {}, {}});
    s.warm = true;
    return EVMC_ACCESS_COLD;
}

evmc_bytes32 Host::get_transient_storage(const evmc_address& addr,
                                         const evmc_bytes32& key) noexcept {
    const auto it = transient_.find(addr);
    if (it == transient_.end()) return {};
    const auto v = it->second.find(key);
    return v == it->second.end() ? evmc_bytes32{} : v->second;
}

void Host::set_transient_storage(const evmc_address& addr, const evmc_bytes32& key,
                                 const evmc_bytes32& value) noexcept {
    evmc_bytes32& slot_value = transient_[addr][key];
    journal_.emplace_back(JournalEntry::Kind::Transient, nullptr,
                          JournalEntry::Slot{key, slot_value, addr});
    slot_value = value;
}

// ---- calls and creates -----------------------------------------------------------------------

evmc_result Host::run_vm(const evmc_message& msg, const uint8_t* code, size_t size,
                         const evmc_bytes32* code_hash) noexcept {
    const bool top = msg.depth == 0;
    const auto t0 =
        top ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    evmc_result r =
        vm_.external != nullptr
            ? vm_.external->execute(vm_.external, &kInterface, context(), rev_, &msg, code, size)
            : evm::execute(kInterface, context(), rev_, msg, code, size, code_hash, &kExtensions);
    if (top) {
        top_frame_vm_ns_ +=
            static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      std::chrono::steady_clock::now() - t0)
                                      .count());
    }
    return r;
}

evmc_result Host::call(const evmc_message& msg) noexcept {
    if (msg.kind == EVMC_CREATE || msg.kind == EVMC_CREATE2) return create(msg);
    if (msg.kind != EVMC_CALL && msg.kind != EVMC_CALLCODE && msg.kind != EVMC_DELEGATECALL)
        return make_result(EVMC_REJECTED, 0);

    const Checkpoint cp = checkpoint();
    if (msg.kind == EVMC_CALL) {
        const uint256 value = uint256::from_bytes32(msg.value);
        if (value) {
            if (!balance_covers(msg.sender, value)) return make_result(EVMC_FAILURE, msg.gas);
            sub_balance(msg.sender, value);
        }
        // A call creates the recipient unless it is a zero-value call from Spurious Dragon on;
        // either way the recipient is touched (EIP-161).
        if (value || rev_ < EVMC_SPURIOUS_DRAGON)
            add_balance(msg.recipient, value);
        else
            touch(msg.recipient);
    }

    evmc_result r;
    // A delegated call (EIP-7702) runs the delegate's code even when the delegate is a precompile.
    if ((msg.flags & EVMC_DELEGATED) == 0 && precompile(msg.code_address)) {
        r = precompiles::execute(msg.code_address, rev_, msg.input_data, msg.input_size, msg.gas);
    } else {
        Account& code_acc = get(msg.code_address);
        const auto code = code_of(code_acc);
        if (code.empty()) {
            r = make_result(EVMC_SUCCESS, msg.gas);
        } else {
            const evmc_bytes32 hash = code_acc.cur.code_hash;
            r = run_vm(msg, code.data(), code.size(), &hash);
        }
    }
    if (r.status_code != EVMC_SUCCESS) revert(cp);
    return r;
}

evmc_result Host::create(const evmc_message& msg) noexcept {
    Account& sender = get(msg.sender);
    evmc_address addr;
    if (msg.depth == 0) {
        addr = msg.recipient;  // derived by the transaction from its nonce, already bumped
    } else if (msg.kind == EVMC_CREATE) {
        addr = create_address(msg.sender, sender.cur.nonce);
    } else {
        addr = create2_address(msg.sender, msg.create2_salt, msg.input_data, msg.input_size);
    }
    access_account(addr);  // EIP-2929: the new address is warm even if the create fails

    const uint256 value = uint256::from_bytes32(msg.value);
    if (msg.depth != 0) {
        // EIP-2681 and the caller's balance: the create does not happen, its gas is returned.
        if (sender.cur.nonce == UINT64_MAX || (value && !balance_covers(msg.sender, value)))
            return make_result(EVMC_FAILURE, msg.gas);
        set_nonce(msg.sender, sender.cur.nonce + 1);
    }

    Account& acc = get(addr);
    if (acc.cur.nonce != 0 || !equal(acc.cur.code_hash, kEmptyCodeHash) || has_storage(acc))
        return make_result(EVMC_FAILURE, 0);  // collision: all gas is consumed

    const Checkpoint cp = checkpoint();
    save(acc);
    acc.cur.exists = true;
    acc.cur.nonce = rev_ >= EVMC_SPURIOUS_DRAGON ? 1 : 0;  // EIP-161
    acc.cur.code = {};
    acc.cur.code_hash = kEmptyCodeHash;
    acc.cur.code_loaded = true;
    acc.cur.created = true;
    acc.cur.touched = true;
    if (value) {
        sub_balance(msg.sender, value);
        add_balance(addr, value);
    }

    evmc_message init = msg;
    init.recipient = addr;
    init.code_address = addr;
    init.input_data = nullptr;
    init.input_size = 0;
    init.code = nullptr;
    init.code_size = 0;
    evmc_result r = run_vm(init, msg.input_data, msg.input_size, nullptr);
    if (r.status_code != EVMC_SUCCESS) {
        revert(cp);
        return r;  // a REVERT keeps its output as the caller's return data
    }

    const std::span<const uint8_t> code(r.output_data, r.output_size);
    bool failed = false;
    if (rev_ >= EVMC_LONDON && !code.empty() && code[0] == 0xef) failed = true;     // EIP-3541
    if (rev_ >= EVMC_SPURIOUS_DRAGON && code.size() > kMaxCodeSize) failed = true;  // EIP-170
    const int64_t deposit = static_cast<int64_t>(code.size()) * kCodeDepositGasPerByte;
    int64_t gas_left = r.gas_left;
    if (!failed) {
        if (deposit > gas_left) {
            // Frontier keeps the account without code; Homestead on fails the create.
            if (rev_ >= EVMC_HOMESTEAD) failed = true;
        } else {
            gas_left -= deposit;
            set_code(addr, code);
        }
    }
    const int64_t refund = r.gas_refund;
    release(r);
    if (failed) {
        revert(cp);
        return make_result(EVMC_FAILURE, 0);
    }
    evmc_result ok = make_result(EVMC_SUCCESS, gas_left);
    ok.gas_refund = refund;
    ok.create_address = addr;
    return ok;
}

// ---- the end of the transaction --------------------------------------------------------------

std::vector<AccountChange> Host::finish(bool delete_empty) {
    std::vector<AccountChange> changes;
    // One allocation rather than one per doubling (a transfer changes 3 accounts: 3 of them). The
    // table also holds accounts only warmed (precompiles, access lists): a bound, not a count.
    changes.reserve(std::min<size_t>(accounts_.size(), 16));
    for (size_t i = 0; i < accounts_.size(); ++i) {
        Account& acc = accounts_.at(i);
        const evmc_address& addr = acc.address;
        Account::Core& c = acc.cur;
        if (c.destructed && (rev_ < EVMC_CANCUN || c.created)) c.exists = false;
        // A balance the transaction only added to (a net credit) is not zero whatever it was:
        // then emptiness does not depend on it.
        if (delete_empty && c.touched && c.exists &&
            (c.balance != acc.base.balance ? acc.is_empty() : is_empty_observed(acc)))
            c.exists = false;

        if (!c.exists) {
            if (acc.base.exists) {
                AccountChange& ch = changes.emplace_back();
                ch.address = addr;
                ch.deleted = true;
            }
            continue;
        }
        AccountChange ch;
        ch.address = addr;
        ch.nonce = c.nonce;
        ch.balance = c.balance;
        ch.code_changed = !equal(c.code_hash, acc.base.code_hash);
        if (ch.code_changed) {
            const auto code = code_of(acc);
            ch.code.assign(code.begin(), code.end());
        }
        size_t changed_slots = 0;
        for (const auto& [key, s] : acc.storage)
            changed_slots += s.loaded && !equal(s.original, s.current);
        ch.storage.reserve(changed_slots);
        ch.storage_original.reserve(changed_slots);
        for (const auto& [key, s] : acc.storage) {
            if (s.loaded && !equal(s.original, s.current)) {
                ch.storage.emplace_back(key, s.current);
                ch.storage_original.push_back(s.original);
            }
        }
        const bool changed = !acc.base.exists || ch.code_changed || !ch.storage.empty() ||
                             c.nonce != acc.base.nonce || c.balance != acc.base.balance;
        if (changed) changes.push_back(std::move(ch));
    }
    return changes;
}

}  // namespace pevm::state
