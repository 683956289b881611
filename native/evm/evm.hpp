// The interpreter's entry points.
#pragma once

#include <cstddef>
#include <cstdint>

#include "evm/evmc.h"

namespace pevm::evm {

class CodeAnalysis;

/// What this package's own host (native/state) offers the interpreter beyond the EVMC host
/// interface when it runs it in-process. Hosts reached through the EVMC ABI offer none of it: the
/// interpreter then keeps to the EVMC functions alone.
struct HostExtensions {
    /// Whether the balance of `addr` is at least `amount`, asked where nothing but that depends
    /// on the balance (the caller's balance before a call with value or a create with an
    /// endowment), so a host that keeps balances lazily need not pin the exact value.
    bool (*balance_at_least)(evmc_host_context* ctx, const evmc_address& addr,
                             const evmc_uint256be& amount) noexcept;
};

/// Runs `code` for `msg`, like evmc_vm::execute. `code_hash` (may be null) keys the shared
/// analysis cache; with null the code is analysed for this call only. The caller owns the
/// result and calls result.release(&result) when it is non-null.
evmc_result execute(const evmc_host_interface& host, evmc_host_context* ctx, evmc_revision rev,
                    const evmc_message& msg, const uint8_t* code, size_t code_size,
                    const evmc_bytes32* code_hash = nullptr,
                    const HostExtensions* extensions = nullptr) noexcept;

/// Runs already analysed code (analysis.hpp) in the fork it was analysed for. Benchmarks time
/// this: execution only.
evmc_result execute(const evmc_host_interface& host, evmc_host_context* ctx,
                    const evmc_message& msg, const CodeAnalysis& analysis,
                    const HostExtensions* extensions = nullptr) noexcept;

}  // namespace pevm::evm
