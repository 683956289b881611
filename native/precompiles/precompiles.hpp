// The precompiled contracts: one table indexed by address, each entry a {gas, run} pair gated by
// the fork that activated it. The interpreter asks `is_precompile` when a call targets an address
// (and for EIP-2929 warm-up of the precompile set), then hands the call to `execute`.
#pragma once

#include "evm/evmc.h"

#include <cstddef>
#include <cstdint>

namespace pevm::precompiles {

/// True when `addr` is a precompile active in `rev`: 0x01-0x04 Frontier, 0x05-0x08 Byzantium,
/// 0x09 Istanbul, 0x0a Cancun, 0x0b-0x11 Prague (EIP-2537), 0x100 Osaka (EIP-7951).
bool is_precompile(const evmc_address& addr, evmc_revision rev) noexcept;

/// Runs a precompile with `gas`: on success EVMC_SUCCESS, gas_left = gas - cost, output; when
/// cost > gas EVMC_OUT_OF_GAS, when the input is invalid EVMC_PRECOMPILE_FAILURE, both with
/// gas_left 0. The output buffer is released by result.release (set when output is non-empty).
/// `addr` must satisfy is_precompile(addr, rev); otherwise the result is EVMC_REJECTED.
evmc_result execute(const evmc_address& addr, evmc_revision rev, const uint8_t* input,
                    size_t input_size, int64_t gas) noexcept;

}  // namespace pevm::precompiles
