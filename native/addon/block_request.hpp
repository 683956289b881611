// The executeBlock request/result encodings (documented in block_request.cpp): decode a request
// into a Block and its PreState, recover the senders, and encode an executor's outcome. Any
// executor (state::execute_block, Block-STM) fits between decode and encode.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "state/block.hpp"
#include "state/block_senders.hpp"
#include "state/block_state.hpp"
#include "state/host.hpp"

namespace pevm::addon {

struct BlockRequest {
    state::Block block;
    std::unique_ptr<state::PreState> pre;
    state::VmChoice vm;
    uint32_t recovery_threads = 0;
    std::vector<state::SignatureToRecover> signatures;  // transactions without a given sender
    std::vector<uint32_t> signature_tx;                 // their indexes
    uint64_t decode_ns = 0;
};

/// Decodes a request; throws CodedError (ERR_DECODE, ERR_VM_LOAD) when it is malformed. The
/// pre-state's codes are views into `request`: it must outlive the result.
BlockRequest decode_block_request(std::span<const uint8_t> request);

/// Recovers the senders of `req.signatures` into the transactions (on threads); the failure of
/// the first signature that recovers nothing, if any. `*ns` receives the time taken.
std::optional<state::BlockFailure> recover_request_senders(BlockRequest& req, uint64_t* ns);

/// The result encoding of an invalid block.
std::vector<uint8_t> encode_block_failure(const state::BlockFailure& failure);

/// The result encoding of an executed block (or of its failure).
std::vector<uint8_t> encode_block_outcome(const BlockRequest& req, const state::BlockOutcome& out,
                                          uint64_t recovery_ns);

}  // namespace pevm::addon
