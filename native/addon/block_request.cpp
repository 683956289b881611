// The executeBlock request and result encodings (lib/block/wire.ts is the other side). Decoding,
// sender recovery and result encoding are separate so that any block executor (sequential or
// Block-STM) can sit between them.
//
// Encoding, version 1. Integers little-endian u8/u32/u64; `w256` 32 bytes big-endian; `addr` 20
// bytes; `b32` 32 bytes; `bytes` = u32 length + data.
//   request: u8 version (1), u8 revision, u8 flags (1 = a missing account/slot is an error,
//            2 = apply the DAO-fork change), u32 recoveryThreads (0 = auto), bytes vmPath,
//     env:   u64 number, u64 timestamp, u64 gasLimit, addr coinbase, w256 difficulty,
//            b32 prevRandao, w256 baseFee, u64 excessBlobGas, w256 chainId,
//            b32 parentHash, u8 hasBeaconRoot, b32 beaconRoot,
//            u32 unknownOmmers, u32 n, n x (addr coinbase, u64 number)               [ommers]
//            u8 hasWithdrawals, u32 n, n x (u64 index, u64 validator, addr, u64 gwei)
//     codes: u32 n, n x (u8 hasHash, [b32 keccak of the code, trusted], bytes code)
//     pre:   u32 n, n x (addr, w256 balance, u64 nonce, u32 codeIndex (0xffffffff: none),
//                        u32 m, m x (b32 key, b32 value))
//     hashes: u32 n, n x (u64 number, b32 hash)
//     txs:   u32 n, n x (u8 type, u8 senderKind: 0 = addr sender | 1 = b32 signingHash, b32 r,
//                        b32 s, u8 yParity; then u8 hasTo, addr to, w256 nonce, w256 value,
//                        w256 gasLimit, bytes data, w256 gasPrice, w256 maxFeePerGas,
//                        w256 maxPriorityFeePerGas, u32 n, n x (addr, u32 k, k x b32),
//                        w256 maxFeePerBlobGas, u32 n, n x b32,
//                        u32 n, n x (w256 chainId, addr, w256 nonce, w256 yParity, w256 r, w256 s))
//   result:  u8 kind: 1 = invalid transaction: u32 index, bytes reason, bytes message;
//                     2 = invalid block: bytes reason, bytes message; 3 = missing state: bytes msg;
//                     0 = executed:
//            u64 gasUsed, u64 blobGasUsed, u64 executionNs, u64 recoveryNs, u64 decodeNs,
//            256 bloom,
//            u32 n, n x (u8 type, u8 success, u64 gasUsed, u64 cumulativeGas, addr sender,
//                        256 bloom, u32 logsBytes (the byte length of what follows up to
//                        the next receipt), u32 logs, logs x (addr, u32 t, t x b32, bytes data))
//                                                                                  [receipts]
//            u8 hasRequests, bytes withdrawalRequests, bytes consolidationRequests,
//            u32 n, n x (addr, u8 flags (1 deleted, 2 code changed, 4 storage reset),
//                        unless deleted: w256 balance, u64 nonce, b32 codeHash,
//                        [bytes code if changed], u32 m, m x (b32 key, b32 value))     [diff]
// A malformed request rejects with ERR_DECODE; a VM that cannot be loaded with ERR_VM_LOAD.
#include "block_request.hpp"

#include <chrono>
#include <cstring>
#include <limits>
#include <string>

#include "boundary.hpp"
#include "wire.hpp"
#include "state/vm_loader.hpp"

namespace pevm::addon {
namespace {

constexpr const char* kVmLoad = "ERR_VM_LOAD";
constexpr uint8_t kEncodingVersion = 1;
constexpr uint32_t kNoCode = 0xffffffff;

using Clock = std::chrono::steady_clock;

uint64_t elapsed_ns(Clock::time_point since) {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - since).count());
}

void write_failure(WireWriter& w, const state::BlockFailure& f) {
    w.u8(static_cast<uint8_t>(f.kind));
    if (f.kind == state::BlockFailure::Kind::InvalidTransaction) w.u32(f.tx_index);
    if (f.kind != state::BlockFailure::Kind::MissingState) w.str(f.reason);
    w.str(f.message);
}

// Decodes, recovers senders, executes and encodes; throws CodedError on a malformed request.
}  // namespace

BlockRequest decode_block_request(std::span<const uint8_t> request) {
    const auto t0 = Clock::now();
    WireReader r(request, "block request");
    if (r.u8("version") != kEncodingVersion)
        throw CodedError(kDecode, "block request: unknown encoding version");
    const uint8_t revision = r.u8("revision");
    if (revision > EVMC_OSAKA) throw CodedError(kDecode, "block request: unknown fork revision");
    const uint8_t flags = r.u8("flags");
    const uint32_t recovery_threads = r.u32("recovery threads");
    const auto vm_path = r.bytes("vm path");

    BlockRequest req;
    req.recovery_threads = recovery_threads;
    state::Block& block = req.block;
    block.rev = static_cast<evmc_revision>(revision);
    block.dao_fork = (flags & 2) != 0;
    state::BlockEnv& env = block.env;
    // NUMBER and TIMESTAMP read these back as uint64: keep all 64 bits (C++20 wraps the cast).
    env.number = static_cast<int64_t>(r.u64("env.number"));
    env.timestamp = static_cast<int64_t>(r.u64("env.timestamp"));
    env.gas_limit = clamp_i64(r.u64("env.gasLimit"));
    env.coinbase = r.addr("env.coinbase");
    env.difficulty = r.w256("env.difficulty");
    env.prev_randao = r.b32("env.prevRandao");
    env.base_fee = r.w256("env.baseFee");
    env.excess_blob_gas = r.u64("env.excessBlobGas");
    env.chain_id = r.w256("env.chainId");
    block.parent_hash = r.b32("parentHash");
    const bool has_beacon_root = r.u8("hasBeaconRoot") != 0;
    const evmc_bytes32 beacon_root = r.b32("beaconRoot");
    if (has_beacon_root) block.parent_beacon_root = beacon_root;
    block.unknown_ommers = r.u32("unknownOmmers");
    for (uint32_t n = r.count(28, "ommers"); n > 0; --n) {
        auto& o = block.ommers.emplace_back();
        o.coinbase = r.addr("ommer coinbase");
        o.number = clamp_i64(r.u64("ommer number"));
    }
    const bool has_withdrawals = r.u8("hasWithdrawals") != 0;
    {
        std::vector<state::Withdrawal> ws;
        for (uint32_t n = r.count(44, "withdrawals"); n > 0; --n) {
            auto& w = ws.emplace_back();
            w.index = r.u64("withdrawal index");
            w.validator = r.u64("withdrawal validator");
            w.address = r.addr("withdrawal address");
            w.amount_gwei = r.u64("withdrawal amount");
        }
        if (has_withdrawals) block.withdrawals = std::move(ws);
    }

    req.pre = std::make_unique<state::PreState>((flags & 1) != 0);
    state::PreState& pre = *req.pre;
    std::vector<evmc_bytes32> code_hashes;
    const uint32_t code_count = r.count(5, "codes");
    code_hashes.reserve(code_count);
    pre.reserve_codes(code_count);
    for (uint32_t n = code_count; n > 0; --n) {
        const bool has_hash = r.u8("code hasHash") != 0;
        const evmc_bytes32 hash = has_hash ? r.b32("code hash") : evmc_bytes32{};
        const auto code = r.bytes("code");
        // Not copied: the request outlives the pre-state (see decode_block_request).
        code_hashes.push_back(pre.put_code(code, has_hash ? &hash : nullptr));
    }
    const uint32_t account_count = r.count(68, "pre-state");
    pre.reserve_accounts(account_count);
    for (uint32_t n = account_count; n > 0; --n) {
        const evmc_address a = r.addr("account address");
        const uint256 balance = r.w256("account balance");
        const uint64_t nonce = r.u64("account nonce");
        const uint32_t code_index = r.u32("account code index");
        if (code_index != kNoCode && code_index >= code_hashes.size())
            throw CodedError(kDecode, "block request: code index out of range");
        const uint32_t slots = r.count(64, "storage");
        pre.put_account(a, nonce, balance,
                        code_index == kNoCode ? state::kEmptyCodeHash : code_hashes[code_index],
                        slots, [&r](evmc_bytes32& key, evmc_bytes32& value) {
                            key = r.b32("storage key");
                            value = r.b32("storage value");
                        });
    }
    for (uint32_t n = r.count(40, "block hashes"); n > 0; --n) {
        const uint64_t number = r.u64("block hash number");
        pre.put_block_hash(clamp_i64(number), r.b32("block hash"));
    }

    std::vector<state::SignatureToRecover>& sigs = req.signatures;
    std::vector<uint32_t>& sig_tx = req.signature_tx;
    const uint32_t tx_count = r.count(200, "transactions");
    // Reserved: growing would move every Transaction (and its vectors) again and again.
    block.txs.reserve(tx_count);
    sigs.reserve(tx_count);
    sig_tx.reserve(tx_count);
    for (uint32_t n = tx_count; n > 0; --n) {
        state::Transaction& tx = block.txs.emplace_back();
        tx.type = r.u8("tx.type");
        const uint8_t sender_kind = r.u8("tx.senderKind");
        if (sender_kind == 0) {
            tx.sender = r.addr("tx.sender");
        } else if (sender_kind == 1) {
            auto& s = sigs.emplace_back();
            std::memcpy(s.hash, r.take(32, "tx.signingHash"), 32);
            std::memcpy(s.r, r.take(32, "tx.r"), 32);
            std::memcpy(s.s, r.take(32, "tx.s"), 32);
            s.y_parity = r.u8("tx.yParity");
            sig_tx.push_back(static_cast<uint32_t>(block.txs.size() - 1));
        } else {
            throw CodedError(kDecode, "block request: unknown sender kind");
        }
        read_tx_body(r, tx);
    }
    if (!r.done()) throw CodedError(kDecode, "block request: trailing bytes");

    state::VmChoice& vm = req.vm;
    if (!vm_path.empty()) {
        std::string error;
        vm.external = state::load_vm(std::string(vm_path.begin(), vm_path.end()), error);
        if (vm.external == nullptr) throw CodedError(kVmLoad, error);
    }
    req.decode_ns = elapsed_ns(t0);
    return req;
}

std::optional<state::BlockFailure> recover_request_senders(BlockRequest& req, uint64_t* ns) {
    const auto t1 = Clock::now();
    const auto senders = state::recover_senders(req.signatures, req.recovery_threads);
    *ns = elapsed_ns(t1);
    for (size_t i = 0; i < senders.size(); ++i) {
        const uint32_t tx = req.signature_tx[i];
        if (!senders[i])
            return state::BlockFailure{
                state::BlockFailure::Kind::InvalidTransaction, tx, "INVALID_SIGNATURE",
                "transaction " + std::to_string(tx) + ": the signature does not recover a sender"};
        req.block.txs[tx].sender = *senders[i];
    }
    return std::nullopt;
}

std::vector<uint8_t> encode_block_failure(const state::BlockFailure& f) {
    WireWriter w;
    write_failure(w, f);
    return std::move(w.out);
}

std::vector<uint8_t> encode_block_outcome(const BlockRequest& req, const state::BlockOutcome& out,
                                          uint64_t recovery_ns) {
    if (out.failure) return encode_block_failure(*out.failure);
    WireWriter w;
    w.out.reserve(1024 + out.receipts.size() * 400 + out.diff.size() * 128);
    w.u8(0);
    w.u64(out.gas_used);
    w.u64(out.blob_gas_used);
    w.u64(out.execution_ns);
    w.u64(recovery_ns);
    w.u64(req.decode_ns);
    w.raw(out.bloom, 256);
    w.u32(static_cast<uint32_t>(out.receipts.size()));
    for (size_t i = 0; i < out.receipts.size(); ++i) {
        const state::Receipt& rc = out.receipts[i];
        w.u8(rc.type);
        w.u8(rc.success ? 1 : 0);
        w.u64(rc.gas_used);
        w.u64(rc.cumulative_gas);
        w.raw(req.block.txs[i].sender.bytes, 20);
        w.raw(rc.bloom, 256);
        // The logs' byte length first: the result decoder skips them and decodes them on demand.
        const size_t logs_at = w.out.size();
        w.u32(0);
        w.u32(static_cast<uint32_t>(rc.logs.size()));
        for (const auto& log : rc.logs) {
            w.raw(log.address.bytes, 20);
            w.u32(static_cast<uint32_t>(log.topics.size()));
            for (const auto& t : log.topics) w.raw(t.bytes, 32);
            w.bytes(log.data.data(), log.data.size());
        }
        w.put_u32(logs_at, static_cast<uint32_t>(w.out.size() - logs_at - 4));
    }
    w.u8(out.has_requests ? 1 : 0);
    w.bytes(out.withdrawal_requests.data(), out.withdrawal_requests.size());
    w.bytes(out.consolidation_requests.data(), out.consolidation_requests.size());
    w.u32(static_cast<uint32_t>(out.diff.size()));
    for (const auto& d : out.diff) {
        w.raw(d.address.bytes, 20);
        w.u8(static_cast<uint8_t>((d.deleted ? 1 : 0) | (d.code_changed ? 2 : 0) |
                                  (d.storage_reset ? 4 : 0)));
        if (d.deleted) continue;
        w.w256(d.balance);
        w.u64(d.nonce);
        w.raw(d.code_hash.bytes, 32);
        if (d.code_changed) w.bytes(d.code.data(), d.code.size());
        w.u32(static_cast<uint32_t>(d.storage.size()));
        for (const auto& [key, value] : d.storage) {
            w.raw(key.bytes, 32);
            w.raw(value.bytes, 32);
        }
    }
    return std::move(w.out);
}

}  // namespace pevm::addon
