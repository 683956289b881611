// Loads an external EVMC VM shared library (dlopen), for running the state transition with any
// EVMC-compatible interpreter. Loaded VMs are cached per path for the life of the process.
#pragma once

#include <string>

#include "evm/evmc.h"

namespace pevm::state {

/// The VM in the shared library at `path`, created through `evmc_create_<name>` (the name from
/// the file name: `libevmone.so` -> `evmone`, dashes become underscores) or else `evmc_create`.
/// Returns null and sets `error` when the library cannot be loaded, has no entry point, or
/// reports an ABI version other than 12. Thread-safe.
evmc_vm* load_vm(const std::string& path, std::string& error);

}  // namespace pevm::state
