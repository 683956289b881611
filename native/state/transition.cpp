// The transaction state transition. Rules follow the execution specs (EELS) fork by fork; the
// reason codes of invalid transactions are the stable UPPER_SNAKE strings lib/state.ts documents.
#include "state/transition.hpp"

#include <cstring>

#include "crypto/keccak.hpp"
#include "precompiles/ecrecover.hpp"
#include "precompiles/precompiles.hpp"

namespace pevm::state {
namespace {

constexpr uint64_t kTxGas = 21000;
constexpr uint64_t kTxCreateGas = 32000;
constexpr uint64_t kAccessListAddressGas = 2400;
constexpr uint64_t kAccessListStorageKeyGas = 1900;
constexpr uint64_t kInitcodeWordGas = 2;
constexpr uint64_t kPerEmptyAccountCost = 25000;  // EIP-7702, per authorization
constexpr uint64_t kPerAuthBaseCost = 12500;
constexpr uint64_t kFloorCostPerToken = 10;  // EIP-7623
constexpr uint64_t kBlobGasPerBlob = 131072;
constexpr uint64_t kTxGasCap = uint64_t{1} << 24;  // EIP-7825
constexpr size_t kMaxInitcodeSize = 49152;         // EIP-3860

// secp256k1 group order n and n/2.
constexpr uint256 kSecpN{0xbfd25e8cd0364141ull, 0xbaaedce6af48a03bull, 0xfffffffffffffffeull,
                         0xffffffffffffffffull};
constexpr uint256 kSecpHalfN{0xdfe92f46681b20a0ull, 0x5d576e7357a4501dull, 0xffffffffffffffffull,
                             0x7fffffffffffffffull};

bool mul_overflows(const uint256& a, const uint256& b, uint256* out) noexcept {
    *out = a * b;
    return a && *out / a != b;
}
bool add_overflows(const uint256& a, const uint256& b, uint256* out) noexcept {
    *out = a + b;
    return *out < a;
}

uint64_t max_blobs_per_tx(evmc_revision rev) noexcept {
    if (rev >= EVMC_OSAKA) return 6;   // EIP-7594 per-transaction limit
    if (rev >= EVMC_PRAGUE) return 9;  // EIP-7691
    return 6;
}

struct IntrinsicGas {
    uint64_t gas;
    uint64_t floor;  // EIP-7623 (Prague+), else 0
};

IntrinsicGas intrinsic_gas(const Transaction& tx, evmc_revision rev) noexcept {
    const bool create = !tx.to.has_value();
    uint64_t zeros = 0;
    for (uint8_t b : tx.data) zeros += (b == 0);
    const uint64_t nonzeros = tx.data.size() - zeros;
    uint64_t gas = kTxGas;
    if (create && rev >= EVMC_HOMESTEAD) gas += kTxCreateGas;
    gas += zeros * 4 + nonzeros * (rev >= EVMC_ISTANBUL ? 16 : 68);
    if (create && rev >= EVMC_SHANGHAI) gas += kInitcodeWordGas * ((tx.data.size() + 31) / 32);
    for (const auto& e : tx.access_list)
        gas += kAccessListAddressGas + kAccessListStorageKeyGas * e.storage_keys.size();
    gas += kPerEmptyAccountCost * tx.authorizations.size();
    uint64_t floor = 0;
    if (rev >= EVMC_PRAGUE) floor = kTxGas + kFloorCostPerToken * (zeros + 4 * nonzeros);
    return {gas, floor};
}

TxOutcome invalid(const char* reason, std::string message) {
    TxOutcome out;
    out.invalid.emplace(reason, std::move(message));
    return out;
}

// RLP of an unsigned integer (minimal big-endian bytes); returns the bytes written (<= 33).
size_t rlp_uint(uint8_t* out, const uint256& v) noexcept {
    uint8_t be[32];
    v.store_be(be);
    size_t i = 0;
    while (i < 32 && be[i] == 0) ++i;
    const size_t n = 32 - i;
    if (n == 1 && be[i] < 0x80) {
        out[0] = be[i];
        return 1;
    }
    out[0] = static_cast<uint8_t>(0x80 + n);
    std::memcpy(out + 1, be + i, n);
    return n + 1;
}

// keccak(0x05 || rlp([chain_id, address, nonce])): what an EIP-7702 authority signs.
void authorization_hash(const Authorization& a, uint8_t out[32]) noexcept {
    uint8_t payload[33 + 21 + 33];
    size_t n = rlp_uint(payload, a.chain_id);
    payload[n++] = 0x80 + 20;
    std::memcpy(payload + n, a.address.bytes, 20);
    n += 20;
    n += rlp_uint(payload + n, a.nonce);
    uint8_t msg[3 + sizeof payload];
    size_t m = 0;
    msg[m++] = 0x05;
    if (n <= 55) {
        msg[m++] = static_cast<uint8_t>(0xc0 + n);
    } else {
        msg[m++] = 0xf8;  // one length byte: the payload is under 256 bytes
        msg[m++] = static_cast<uint8_t>(n);
    }
    std::memcpy(msg + m, payload, n);
    crypto::keccak256(msg, m + n, out);
}

// Applies the EIP-7702 authorization list; returns the refund it earns.
int64_t apply_authorizations(Host& host, const Transaction& tx, const BlockEnv& env) {
    int64_t refund = 0;
    for (const Authorization& a : tx.authorizations) {
        if (a.chain_id && a.chain_id != env.chain_id) continue;
        if (a.nonce >= uint256{UINT64_MAX}) continue;
        if (a.y_parity > uint256{1}) continue;
        if (!a.r || a.r >= kSecpN || !a.s || a.s > kSecpHalfN) continue;
        uint8_t hash[32], r[32], s[32];
        authorization_hash(a, hash);
        a.r.store_be(r);
        a.s.store_be(s);
        const auto authority =
            precompiles::recover_address(hash, r, s, static_cast<uint8_t>(a.y_parity.low64()));
        if (!authority) continue;
        host.access_account(*authority);
        Account& acc = host.get(*authority);
        const auto code = host.code_of(acc);
        if (!code.empty() && !delegation_target(code, nullptr)) continue;
        if (acc.cur.nonce != a.nonce.low64()) continue;
        if (acc.cur.exists) refund += static_cast<int64_t>(kPerEmptyAccountCost - kPerAuthBaseCost);
        const evmc_address zero{};
        if (equal(a.address, zero)) {
            host.set_code(*authority, {});
        } else {
            uint8_t designator[23] = {0xef, 0x01, 0x00};
            std::memcpy(designator + 3, a.address.bytes, 20);
            host.set_code(*authority, designator);
        }
        host.set_nonce(*authority, acc.cur.nonce + 1);
    }
    return refund;
}

uint256 fake_exponential_blob_fee(uint64_t excess_blob_gas, evmc_revision rev) noexcept {
    // fake_exponential(MIN_BASE_FEE_PER_BLOB_GAS = 1, excess, BLOB_BASE_FEE_UPDATE_FRACTION)
    const uint256 denominator{rev >= EVMC_PRAGUE ? 5007716u : 3338477u};
    const uint256 numerator{excess_blob_gas};
    uint256 output;
    uint256 accum = denominator;  // factor * denominator
    for (uint64_t i = 1; accum; ++i) {
        if (add_overflows(output, accum, &output)) return uint256::max();
        uint256 product;
        if (mul_overflows(accum, numerator, &product)) return uint256::max();
        accum = product / (denominator * uint256{i});
    }
    return output / denominator;
}

}  // namespace

uint256 blob_base_fee(uint64_t excess_blob_gas, evmc_revision rev) noexcept {
    // Asked for by every transaction from Cancun on (the BLOBBASEFEE context). The series costs a
    // 256-bit division per term: 6 terms at 524,288 excess blob gas, 18 at 10 million, 52 at 50
    // million (a blob base fee of 3 million wei). All of a block's transactions ask for the same
    // value, so each thread keeps the last one. Without excess, the fee is the minimum, 1.
    if (excess_blob_gas == 0) return uint256{1};
    struct Last {
        uint64_t excess = 0;
        evmc_revision rev = EVMC_FRONTIER;
        uint256 fee{1};
    };
    thread_local Last last;
    if (last.excess != excess_blob_gas || last.rev != rev)
        last = {excess_blob_gas, rev, fake_exponential_blob_fee(excess_blob_gas, rev)};
    return last.fee;
}

FeePerGas fee_per_gas(const Transaction& tx, const uint256& base_fee, evmc_revision rev) noexcept {
    FeePerGas fee{tx.gas_price, tx.gas_price};
    if (rev < EVMC_LONDON) return fee;
    if (tx.type >= 2) {
        if (tx.max_priority_fee_per_gas > tx.max_fee_per_gas) {
            fee.invalid_code = "PRIORITY_FEE_ABOVE_FEE_CAP";
            fee.invalid_message = "max priority fee per gas above max fee per gas";
        } else if (tx.max_fee_per_gas < base_fee) {
            fee.invalid_code = "FEE_CAP_BELOW_BASE_FEE";
            fee.invalid_message = "max fee per gas below the base fee";
        } else {
            const uint256 headroom = tx.max_fee_per_gas - base_fee;
            fee.priority =
                tx.max_priority_fee_per_gas < headroom ? tx.max_priority_fee_per_gas : headroom;
            fee.effective = base_fee + fee.priority;
        }
    } else if (tx.gas_price < base_fee) {
        fee.invalid_code = "FEE_CAP_BELOW_BASE_FEE";
        fee.invalid_message = "gas price below the base fee";
    } else {
        fee.priority = tx.gas_price - base_fee;
    }
    return fee;
}

TxOutcome transition(StateView& view, const BlockEnv& env, const Transaction& tx, evmc_revision rev,
                     VmChoice vm, const TransitionOptions& options) {
    // ---- validity against the block ---------------------------------------------------------
    const uint8_t min_rev_for_type[] = {EVMC_FRONTIER, EVMC_BERLIN, EVMC_LONDON, EVMC_CANCUN,
                                        EVMC_PRAGUE};
    if (tx.type > 4 || rev < min_rev_for_type[tx.type])
        return invalid("TYPE_NOT_SUPPORTED",
                       "transaction type " + std::to_string(tx.type) + " is not active");
    const bool create = !tx.to.has_value();
    if (tx.type == 3 && create)
        return invalid("BLOB_TX_CREATE", "a blob transaction cannot create a contract");
    if (tx.type == 4 && create)
        return invalid("SET_CODE_TX_CREATE", "a set-code transaction cannot create a contract");
    if (tx.type == 4 && tx.authorizations.empty())
        return invalid("EMPTY_AUTHORIZATION_LIST", "the authorization list is empty");
    if (tx.nonce >= uint256{UINT64_MAX})
        return invalid("NONCE_IS_MAX", "the nonce is 2^64-1 or above (EIP-2681)");
    if (rev >= EVMC_OSAKA && tx.gas_limit > uint256{kTxGasCap})
        return invalid("GAS_LIMIT_ABOVE_CAP", "gas limit above 2^24 (EIP-7825)");
    if (tx.gas_limit > uint256{static_cast<uint64_t>(env.gas_limit)})
        return invalid("GAS_LIMIT_EXCEEDS_BLOCK", "gas limit exceeds the block gas limit");
    const uint64_t gas_limit = tx.gas_limit.low64();
    if (create && rev >= EVMC_SHANGHAI && tx.data.size() > kMaxInitcodeSize)
        return invalid("INITCODE_TOO_LARGE", "initcode larger than 49152 bytes (EIP-3860)");
    const IntrinsicGas intrinsic = intrinsic_gas(tx, rev);
    if (gas_limit < intrinsic.gas)
        return invalid("INTRINSIC_GAS_TOO_LOW", "gas limit " + std::to_string(gas_limit) +
                                                    " below intrinsic gas " +
                                                    std::to_string(intrinsic.gas));
    if (gas_limit < intrinsic.floor)
        return invalid("INTRINSIC_GAS_BELOW_FLOOR",
                       "gas limit below the calldata floor " + std::to_string(intrinsic.floor));

    const FeePerGas fee = fee_per_gas(tx, env.base_fee, rev);
    if (fee.invalid_code) return invalid(fee.invalid_code, fee.invalid_message);
    const uint256& effective_gas_price = fee.effective;
    const uint256& priority_fee = fee.priority;  // per gas, to the coinbase

    uint64_t blob_gas = 0;
    uint256 blob_fee_per_gas;
    if (tx.type == 3) {
        if (tx.blob_hashes.empty()) return invalid("BLOB_COUNT_ZERO", "no blob versioned hashes");
        if (tx.blob_hashes.size() > max_blobs_per_tx(rev))
            return invalid("BLOB_COUNT_EXCEEDED", "too many blobs for one transaction");
        for (const auto& h : tx.blob_hashes)
            if (h.bytes[0] != 0x01)
                return invalid("BLOB_VERSIONED_HASH_INVALID",
                               "blob versioned hash version is not 0x01");
        blob_fee_per_gas = blob_base_fee(env.excess_blob_gas, rev);
        if (tx.max_fee_per_blob_gas < blob_fee_per_gas)
            return invalid("BLOB_FEE_CAP_BELOW_BLOB_BASE_FEE",
                           "max fee per blob gas below the blob base fee");
        blob_gas = kBlobGasPerBlob * tx.blob_hashes.size();
    }

    // ---- validity against the state ---------------------------------------------------------
    evmc_tx_context ctx{};
    ctx.tx_gas_price = effective_gas_price.to_bytes32();
    ctx.tx_origin = tx.sender;
    ctx.block_coinbase = env.coinbase;
    ctx.block_number = env.number;
    ctx.block_timestamp = env.timestamp;
    ctx.block_gas_limit = env.gas_limit;
    ctx.block_prev_randao = rev >= EVMC_PARIS ? env.prev_randao : env.difficulty.to_bytes32();
    ctx.chain_id = env.chain_id.to_bytes32();
    if (rev >= EVMC_LONDON) ctx.block_base_fee = env.base_fee.to_bytes32();
    if (rev >= EVMC_CANCUN)
        ctx.blob_base_fee = blob_base_fee(env.excess_blob_gas, rev).to_bytes32();
    ctx.blob_hashes = tx.blob_hashes.data();
    ctx.blob_hashes_count = tx.blob_hashes.size();

    Host host(view, rev, vm, ctx);
    Account& sender = host.get(tx.sender);
    const uint64_t nonce = tx.nonce.low64();
    if (sender.cur.nonce != nonce)
        return invalid(sender.cur.nonce > nonce ? "NONCE_TOO_LOW" : "NONCE_TOO_HIGH",
                       "transaction nonce " + std::to_string(nonce) + ", account nonce " +
                           std::to_string(sender.cur.nonce));
    {
        const auto code = host.code_of(sender);
        if (!code.empty() && !(rev >= EVMC_PRAGUE && delegation_target(code, nullptr)))
            return invalid("SENDER_NOT_EOA", "the sender has code (EIP-3607)");
    }
    uint256 max_cost;
    const uint256 max_price = tx.type >= 2 ? tx.max_fee_per_gas : tx.gas_price;
    bool overflow = mul_overflows(uint256{gas_limit}, max_price, &max_cost);
    if (tx.type == 3) {
        uint256 max_blob_cost;
        overflow |= mul_overflows(uint256{blob_gas}, tx.max_fee_per_blob_gas, &max_blob_cost);
        overflow |= add_overflows(max_cost, max_blob_cost, &max_cost);
    }
    overflow |= add_overflows(max_cost, tx.value, &max_cost);
    if (overflow || sender.cur.balance < max_cost)
        return invalid("INSUFFICIENT_FUNDS", "sender balance below gas limit * max price + value");

    // ---- execution --------------------------------------------------------------------------
    host.set_nonce(tx.sender, nonce + 1);
    host.sub_balance(tx.sender, uint256{gas_limit} * effective_gas_price +
                                    uint256{blob_gas} * blob_fee_per_gas);  // blob fee is burned

    if (rev >= EVMC_BERLIN) {
        host.access_account(tx.sender);
        if (tx.to) host.access_account(*tx.to);
        if (rev >= EVMC_SHANGHAI) host.access_account(env.coinbase);  // EIP-3651
        // The precompiles are warm too: Host::access_account knows them without an entry.
        for (const auto& e : tx.access_list) {
            host.access_account(e.address);
            for (const auto& key : e.storage_keys) host.access_storage(e.address, key);
        }
    }

    int64_t refund = 0;
    if (tx.type == 4) refund += apply_authorizations(host, tx, env);

    evmc_message msg{};
    msg.depth = 0;
    msg.gas = static_cast<int64_t>(gas_limit - intrinsic.gas);
    msg.sender = tx.sender;
    msg.value = tx.value.to_bytes32();
    msg.input_data = tx.data.data();
    msg.input_size = tx.data.size();
    if (create) {
        msg.kind = EVMC_CREATE;
        msg.recipient = create_address(tx.sender, nonce);
        msg.code_address = msg.recipient;
    } else {
        msg.kind = EVMC_CALL;
        msg.recipient = *tx.to;
        msg.code_address = *tx.to;
        if (rev >= EVMC_PRAGUE) {
            evmc_address delegate;
            if (delegation_target(host.code_of(host.get(*tx.to)), &delegate)) {
                host.access_account(delegate);
                msg.code_address = delegate;
                msg.flags |= EVMC_DELEGATED;
            }
        }
    }

    evmc_result result = host.call(msg);

    TxOutcome out;
    out.execution_ns = host.top_frame_vm_ns();
    out.status = result.status_code;
    const int64_t gas_left = result.gas_left;
    if (result.status_code == EVMC_SUCCESS) refund += result.gas_refund;
    if (result.release != nullptr) result.release(&result);

    const uint64_t used_before_refund = gas_limit - static_cast<uint64_t>(gas_left);
    const uint64_t cap = used_before_refund / (rev >= EVMC_LONDON ? 5 : 2);
    const uint64_t applied_refund =
        refund > 0 ? std::min<uint64_t>(static_cast<uint64_t>(refund), cap) : 0;
    uint64_t gas_used = used_before_refund - applied_refund;
    if (gas_used < intrinsic.floor) gas_used = intrinsic.floor;
    out.gas_used = static_cast<int64_t>(gas_used);

    host.add_balance(tx.sender, uint256{gas_limit - gas_used} * effective_gas_price);
    if (options.pay_coinbase) host.credit_fee(env.coinbase, uint256{gas_used} * priority_fee);

    out.logs = std::move(host.logs());
    out.changes = host.finish(rev >= EVMC_SPURIOUS_DRAGON);
    return out;
}

}  // namespace pevm::state
