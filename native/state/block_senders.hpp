// Sender recovery for a block's transactions, spread over threads: each signature is independent,
// and secp256k1 recovery (~50 us) dominates the per-transaction cost of small transactions.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "evm/evmc.h"

namespace pevm::state {

struct SignatureToRecover {
    uint8_t hash[32]{};  // the signing hash of the transaction
    uint8_t r[32]{};
    uint8_t s[32]{};
    uint8_t y_parity = 0;
};

/// The signer of each signature (nullopt where recovery fails), using up to `threads` threads
/// (0: one per hardware thread).
std::vector<std::optional<evmc_address>> recover_senders(
    const std::vector<SignatureToRecover>& sigs, unsigned threads);

}  // namespace pevm::state
