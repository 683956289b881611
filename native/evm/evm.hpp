// The interpreter's entry points.
#pragma once

#include <cstddef>
#include <cstdint>

#include "evm/evmc.h"

namespace pevm::evm {

class CodeAnalysis;

/// Runs `code` for `msg`, like evmc_vm::execute. `code_hash` (may be null) keys the shared
/// analysis cache; with null the code is analysed for this call only. The caller owns the
/// result and calls result.release(&result) when it is non-null.
evmc_result execute(const evmc_host_interface& host, evmc_host_context* ctx, evmc_revision rev,
                    const evmc_message& msg, const uint8_t* code, size_t code_size,
                    const evmc_bytes32* code_hash = nullptr) noexcept;

/// Runs already analysed code (analysis.hpp) in the fork it was analysed for. Benchmarks time
/// this: execution only.
evmc_result execute(const evmc_host_interface& host, evmc_host_context* ctx,
                    const evmc_message& msg, const CodeAnalysis& analysis) noexcept;

}  // namespace pevm::evm
