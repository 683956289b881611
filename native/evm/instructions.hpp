// The out-of-line instructions: everything that talks to the host, copies memory or has dynamic
// gas beyond a table lookup. The dispatch loop (interpreter.cpp) has already checked the stack
// height and charged the base gas from opcodes.hpp; each function reads its operands below
// `top`, writes its result where the new top will be, and returns the gas left with
// EVMC_SUCCESS to continue or the status that halts the frame.
#pragma once

#include "evm/execution_state.hpp"

namespace pevm::evm {

OpResult op_keccak256(Frame& f, uint256* top, int64_t gas) noexcept;
OpResult op_balance(Frame& f, uint256* top, int64_t gas) noexcept;
OpResult op_calldatacopy(Frame& f, uint256* top, int64_t gas) noexcept;
OpResult op_codecopy(Frame& f, uint256* top, int64_t gas) noexcept;
OpResult op_extcodesize(Frame& f, uint256* top, int64_t gas) noexcept;
OpResult op_extcodecopy(Frame& f, uint256* top, int64_t gas) noexcept;
OpResult op_returndatacopy(Frame& f, uint256* top, int64_t gas) noexcept;
OpResult op_extcodehash(Frame& f, uint256* top, int64_t gas) noexcept;
OpResult op_blockhash(Frame& f, uint256* top, int64_t gas) noexcept;
OpResult op_mcopy(Frame& f, uint256* top, int64_t gas) noexcept;
OpResult op_sload(Frame& f, uint256* top, int64_t gas) noexcept;
OpResult op_sstore(Frame& f, uint256* top, int64_t gas) noexcept;
OpResult op_tload(Frame& f, uint256* top, int64_t gas) noexcept;
OpResult op_tstore(Frame& f, uint256* top, int64_t gas) noexcept;
OpResult op_exp(Frame& f, uint256* top, int64_t gas) noexcept;
template <int N>
OpResult op_log(Frame& f, uint256* top, int64_t gas) noexcept;

// instructions_calls.cpp
template <evmc_call_kind Kind>
OpResult op_call(Frame& f, uint256* top, int64_t gas) noexcept;  // CALL, CALLCODE, DELEGATECALL
OpResult op_staticcall(Frame& f, uint256* top, int64_t gas) noexcept;
template <evmc_call_kind Kind>
OpResult op_create(Frame& f, uint256* top, int64_t gas) noexcept;  // CREATE, CREATE2
OpResult op_selfdestruct(Frame& f, uint256* top, int64_t gas) noexcept;

/// SSTORE cost and refund for a storage status in a fork (net metering from Constantinople
/// except Petersburg; EIP-2929 and EIP-3529 variants), exposed for tests.
struct SstoreCost {
    int32_t gas;
    int32_t refund;
};
SstoreCost sstore_cost(evmc_revision rev, evmc_storage_status status) noexcept;

// EIP-2929 surcharges over the warm base cost in the tables.
inline constexpr int64_t kColdAccountExtra = 2600 - 100;
inline constexpr int64_t kColdSloadExtra = 2100 - 100;
inline constexpr int64_t kColdSloadCost = 2100;
inline constexpr int64_t kWarmReadCost = 100;
inline constexpr int64_t kColdAccountCost = 2600;

}  // namespace pevm::evm
