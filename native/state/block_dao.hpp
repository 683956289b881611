// The DAO-fork irregular state change (EIP-779, mainnet block 1,920,000): the whole balance of
// every account in the DAO list moves to the WithdrawDAO recovery contract.
#pragma once

#include "state/block_state.hpp"

namespace pevm::state {

/// Mainnet's DAO-fork block number.
inline constexpr int64_t kDaoForkBlock = 1'920'000;

/// Moves the balances of the DAO accounts to the recovery contract, in `state`.
void apply_dao_fork(BlockState& state);

}  // namespace pevm::state
