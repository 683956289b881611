// The state transition of one transaction: validity checks against the block and the state,
// intrinsic gas, buying gas, EIP-7702 authorizations, access-list warming, execution through the
// Host, refunds, the EIP-7623 floor and the fee payments. It reads only through a StateView and
// returns its writes as a change set; nothing is applied to the view.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "evm/evmc.h"
#include "evm/uint256.hpp"
#include "state/host.hpp"
#include "state/state_view.hpp"

namespace pevm::state {

struct BlockEnv {
    int64_t number = 0;
    int64_t timestamp = 0;
    int64_t gas_limit = 0;
    evmc_address coinbase{};
    uint256 difficulty;            // what DIFFICULTY returns before Paris
    evmc_bytes32 prev_randao{};    // what PREVRANDAO returns from Paris on
    uint256 base_fee;              // London+
    uint64_t excess_blob_gas = 0;  // Cancun+
    uint256 chain_id;
};

struct AccessListEntry {
    evmc_address address{};
    std::vector<evmc_bytes32> storage_keys;
};

struct Authorization {
    uint256 chain_id;
    evmc_address address{};
    uint256 nonce;
    uint256 y_parity;
    uint256 r;
    uint256 s;
};

struct Transaction {
    uint8_t type = 0;  // 0 legacy, 1 EIP-2930, 2 EIP-1559, 3 EIP-4844, 4 EIP-7702
    evmc_address sender{};
    std::optional<evmc_address> to;  // nullopt: contract creation
    uint256 nonce;
    uint256 value;
    uint256 gas_limit;
    std::vector<uint8_t> data;
    uint256 gas_price;                 // types 0 and 1
    uint256 max_fee_per_gas;           // types 2..4
    uint256 max_priority_fee_per_gas;  // types 2..4
    std::vector<AccessListEntry> access_list;
    uint256 max_fee_per_blob_gas;
    std::vector<evmc_bytes32> blob_hashes;
    std::vector<Authorization> authorizations;
};

struct TxOutcome {
    /// Set when the transaction is invalid: nothing ran and `changes` is empty.
    std::optional<std::pair<std::string, std::string>> invalid;  // (REASON_CODE, message)
    evmc_status_code status = EVMC_SUCCESS;
    int64_t gas_used = 0;
    std::vector<Log> logs;
    std::vector<AccountChange> changes;
    uint64_t execution_ns = 0;  // the VM execution proper
    /// The logs' bloom, when the executor already computed it (Block-STM does, on its workers);
    /// the block executor computes it otherwise. Out of line: an outcome is moved through several
    /// per-block arrays, and inline the bloom was 257 of its 416 bytes, in every transaction.
    std::unique_ptr<std::array<uint8_t, 256>> bloom;
    /// `changes` are already in the block's state (a TxBatch applied them in block order).
    bool applied = false;
};

struct TransitionOptions {
    /// Pay the priority fee to the coinbase (a block executor may settle it separately).
    bool pay_coinbase = true;
};

/// The EIP-4844 blob base fee for a block's excess blob gas under `rev` (saturates at 2^256-1).
uint256 blob_base_fee(uint64_t excess_blob_gas, evmc_revision rev) noexcept;

/// What a transaction pays per gas under a block's base fee: the effective gas price and the part
/// of it that goes to the fee recipient, or why its fee fields are invalid for the block.
struct FeePerGas {
    uint256 effective;
    uint256 priority;
    const char* invalid_code = nullptr;  // null when the fees are valid
    const char* invalid_message = nullptr;
};
FeePerGas fee_per_gas(const Transaction& tx, const uint256& base_fee, evmc_revision rev) noexcept;

/// Validates and executes `tx` on `view` under `rev`.
TxOutcome transition(StateView& view, const BlockEnv& env, const Transaction& tx, evmc_revision rev,
                     VmChoice vm, const TransitionOptions& options = {});

}  // namespace pevm::state
