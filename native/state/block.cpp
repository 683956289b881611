// Sequential block execution. See block.hpp for the order of the steps.
#include "state/block.hpp"

#include <chrono>
#include <cstring>

#include "crypto/keccak.hpp"
#include "state/block_dao.hpp"

namespace pevm::state {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kBlobGasPerBlob = 131072;
constexpr int64_t kSystemCallGas = 30'000'000;

constexpr evmc_address make_address(const char (&hex)[41]) {
    evmc_address a{};
    for (int i = 0; i < 20; ++i) {
        auto nibble = [](char c) -> uint8_t {
            return static_cast<uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        };
        a.bytes[i] = static_cast<uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
    }
    return a;
}

constexpr evmc_address kSystemAddress = make_address("fffffffffffffffffffffffffffffffffffffffe");
constexpr evmc_address kBeaconRoots = make_address("000f3df6d732807ef1319fb7b8bb8522d0beac02");
constexpr evmc_address kHistoryStorage = make_address("0000f90827f1c53a10cb7a02335b175320002935");
constexpr evmc_address kWithdrawalRequests =
    make_address("00000961ef480eb55e80d19ad83579a64c007002");
constexpr evmc_address kConsolidationRequests =
    make_address("0000bbddc7ce488642fb579f8b00f3a590007251");

BlockOutcome fail(BlockFailure::Kind kind, std::string reason, std::string message,
                  uint32_t tx_index = 0) {
    BlockOutcome out;
    out.failure = BlockFailure{kind, tx_index, std::move(reason), std::move(message)};
    return out;
}

struct SystemCallResult {
    bool has_code = false;
    bool success = false;
    std::vector<uint8_t> output;
};

// A call from SYSTEM_ADDRESS outside any transaction: no gas is charged to anyone, its writes are
// committed, and the system address itself is not touched (EIP-4788 and successors).
SystemCallResult system_call(BlockState& state, const Block& block, VmChoice vm,
                             const evmc_address& target, const uint8_t* input, size_t input_size) {
    SystemCallResult res;
    const auto info = state.account(target);
    res.has_code = info && !equal(info->code_hash, kEmptyCodeHash);
    if (!res.has_code) return res;

    evmc_tx_context ctx{};
    ctx.tx_origin = kSystemAddress;
    ctx.block_coinbase = block.env.coinbase;
    ctx.block_number = block.env.number;
    ctx.block_timestamp = block.env.timestamp;
    ctx.block_gas_limit = block.env.gas_limit;
    ctx.block_prev_randao = block.env.prev_randao;
    ctx.chain_id = block.env.chain_id.to_bytes32();
    ctx.block_base_fee = block.env.base_fee.to_bytes32();
    ctx.blob_base_fee = blob_base_fee(block.env.excess_blob_gas, block.rev).to_bytes32();

    Host host(state, block.rev, vm, ctx);
    evmc_message msg{};
    msg.kind = EVMC_CALL;
    msg.gas = kSystemCallGas;
    msg.sender = kSystemAddress;
    msg.recipient = target;
    msg.code_address = target;
    msg.input_data = input;
    msg.input_size = input_size;
    evmc_result r = host.call(msg);
    res.success = r.status_code == EVMC_SUCCESS;
    if (res.success && r.output_size != 0)
        res.output.assign(r.output_data, r.output_data + r.output_size);
    if (r.release != nullptr) r.release(&r);
    if (res.success) state.apply(host.finish(true));
    return res;
}

uint256 block_reward(evmc_revision rev) noexcept {
    constexpr uint64_t kEther = 1'000'000'000'000'000'000ull;
    if (rev >= EVMC_CONSTANTINOPLE) return uint256{2 * kEther};
    if (rev >= EVMC_BYZANTIUM) return uint256{3 * kEther};
    return uint256{5 * kEther};
}

}  // namespace

uint64_t max_blob_gas_per_block(evmc_revision rev) noexcept {
    return (rev >= EVMC_PRAGUE ? 9 : 6) * kBlobGasPerBlob;
}

void bloom_add(uint8_t bloom[256], const Log& log) noexcept {
    // Through the keccak cache: a block's logs repeat event signatures and contract addresses (a
    // third of a block of ERC-20 transfers went to bloom hashing).
    auto add = [bloom](const uint8_t* data, size_t n) noexcept {
        uint8_t h[32];
        crypto::keccak256_cached(data, n, h);
        for (int i = 0; i < 6; i += 2) {
            const unsigned bit = ((unsigned{h[i]} << 8) | h[i + 1]) & 2047u;
            bloom[255 - bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
        }
    };
    add(log.address.bytes, 20);
    for (const auto& t : log.topics) add(t.bytes, 32);
}

void commit_outcome(BlockState& state, TxOutcome& r) {
    state.apply(r.changes);
    r.applied = true;
    std::vector<AccountChange>().swap(r.changes);
}

BlockOutcome execute_block(BlockState& state, const PreState* pre, const Block& block, VmChoice vm,
                           const TxBatch* batch, const ParallelDiff* parallel_diff) {
    const auto t0 = Clock::now();
    const evmc_revision rev = block.rev;
    BlockOutcome out;
    auto missing = [pre]() -> const std::optional<std::string>& {
        static const std::optional<std::string> none;
        return pre != nullptr ? pre->missing() : none;
    };
    auto missing_failure = [&]() {
        return fail(BlockFailure::Kind::MissingState, "MISSING_STATE",
                    "the pre-state does not contain " + *missing());
    };

    // ---- 1. pre-transaction system changes ----------------------------------------------------
    if (block.dao_fork) apply_dao_fork(state);
    if (rev >= EVMC_CANCUN) {
        if (!block.parent_beacon_root)
            return fail(BlockFailure::Kind::InvalidBlock, "MISSING_PARENT_BEACON_ROOT",
                        "a Cancun block needs parentBeaconBlockRoot");
        system_call(state, block, vm, kBeaconRoots, block.parent_beacon_root->bytes, 32);
    }
    if (rev >= EVMC_PRAGUE)
        system_call(state, block, vm, kHistoryStorage, block.parent_hash.bytes, 32);
    if (missing()) return missing_failure();

    // ---- 2. transactions ----------------------------------------------------------------------
    state.reserve(2 * block.txs.size() + 16);
    std::vector<TxOutcome> batched;
    if (batch != nullptr) batched = (*batch)(state);
    out.receipts.reserve(block.txs.size());
    const uint64_t block_gas_limit = static_cast<uint64_t>(block.env.gas_limit);
    for (size_t i = 0; i < block.txs.size(); ++i) {
        const Transaction& tx = block.txs[i];
        const auto index = static_cast<uint32_t>(i);
        const uint64_t gas_left = block_gas_limit - out.gas_used;
        if (tx.gas_limit > uint256{gas_left})
            return fail(BlockFailure::Kind::InvalidTransaction, "GAS_ALLOWANCE_EXCEEDED",
                        "transaction " + std::to_string(i) +
                            ": gas limit above the block's gas left (" + std::to_string(gas_left) +
                            ")",
                        index);
        if (tx.type == 3) {
            const uint64_t blob_gas = kBlobGasPerBlob * tx.blob_hashes.size();
            if (out.blob_gas_used + blob_gas > max_blob_gas_per_block(rev))
                return fail(
                    BlockFailure::Kind::InvalidTransaction, "BLOB_GAS_LIMIT_EXCEEDED",
                    "transaction " + std::to_string(i) + ": blob gas above the block's limit",
                    index);
            out.blob_gas_used += blob_gas;
        }
        if (i >= batched.size() && i + 1 < block.txs.size()) {
            // The next transaction's accounts start loading while this one runs.
            const Transaction& next = block.txs[i + 1];
            state.prefetch_account(next.sender);
            if (next.to) state.prefetch_account(*next.to);
        }
        TxOutcome r =
            i < batched.size() ? std::move(batched[i]) : transition(state, block.env, tx, rev, vm);
        if (missing()) return missing_failure();
        if (r.invalid)
            return fail(BlockFailure::Kind::InvalidTransaction, r.invalid->first,
                        "transaction " + std::to_string(i) + ": " + r.invalid->second, index);
        if (!r.applied) state.apply(r.changes);
        out.gas_used += static_cast<uint64_t>(r.gas_used);
        Receipt& rc = out.receipts.emplace_back();
        rc.type = tx.type;
        rc.success = r.status == EVMC_SUCCESS;
        rc.gas_used = static_cast<uint64_t>(r.gas_used);
        rc.cumulative_gas = out.gas_used;
        rc.logs = std::move(r.logs);
        if (r.bloom)
            std::memcpy(rc.bloom, r.bloom->data(), 256);
        else if (rc.logs.empty())
            continue;  // an empty bloom adds nothing to the block's
        else
            for (const Log& log : rc.logs) bloom_add(rc.bloom, log);
        for (int b = 0; b < 256; ++b) out.bloom[b] |= rc.bloom[b];
    }

    // ---- 3. withdrawals and request system calls ----------------------------------------------
    if (block.withdrawals) {
        constexpr uint64_t kGwei = 1'000'000'000ull;
        for (const Withdrawal& w : *block.withdrawals) {
            if (w.amount_gwei != 0)
                state.add_balance(w.address, uint256{w.amount_gwei} * uint256{kGwei});
            else
                state.remove_if_empty(w.address);
        }
    }
    if (rev >= EVMC_PRAGUE) {
        out.has_requests = true;
        for (const auto& [target, dest] :
             {std::pair{kWithdrawalRequests, &out.withdrawal_requests},
              std::pair{kConsolidationRequests, &out.consolidation_requests}}) {
            SystemCallResult r = system_call(state, block, vm, target, nullptr, 0);
            if (!r.has_code)
                return fail(BlockFailure::Kind::InvalidBlock, "SYSTEM_CONTRACT_EMPTY",
                            "the request system contract has no code");
            if (!r.success)
                return fail(BlockFailure::Kind::InvalidBlock, "SYSTEM_CONTRACT_CALL_FAILED",
                            "the request system contract call failed");
            *dest = std::move(r.output);
        }
    }

    // ---- 4. rewards (proof of work) -----------------------------------------------------------
    if (rev < EVMC_PARIS) {
        const uint256 reward = block_reward(rev);
        const uint64_t ommer_count = block.ommers.size() + block.unknown_ommers;
        state.add_balance(block.env.coinbase, reward + reward / uint256{32} * uint256{ommer_count});
        for (const Ommer& o : block.ommers) {
            const int64_t k = 8 + o.number - block.env.number;
            if (k > 0)
                state.add_balance(o.coinbase,
                                  reward * uint256{static_cast<uint64_t>(k)} / uint256{8});
        }
    }
    if (missing()) return missing_failure();

    out.diff = parallel_diff != nullptr ? state.diff(parallel_diff->parts, &parallel_diff->run)
                                        : state.diff();
    out.execution_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
    return out;
}

}  // namespace pevm::state
