// Our interpreter as an EVMC VM (ABI 12), loadable by EVMC tools as libparallel_evm.so.
// It runs the same evm::execute as the direct path, so both give identical results; without a
// code hash in the EVMC execute call, the code is analysed per call.
#include "evm/evm.hpp"

namespace {

evmc_result vm_execute(evmc_vm* /*vm*/, const evmc_host_interface* host, evmc_host_context* ctx,
                       evmc_revision rev, const evmc_message* msg, const uint8_t* code,
                       size_t code_size) {
    return pevm::evm::execute(*host, ctx, rev, *msg, code, code_size, nullptr);
}

evmc_capabilities_flagset vm_get_capabilities(evmc_vm* /*vm*/) {
    return EVMC_CAPABILITY_EVM1;
}

void vm_destroy(evmc_vm* /*vm*/) {}  // the instance is static

}  // namespace

extern "C" __attribute__((visibility("default"))) evmc_vm* evmc_create_parallel_evm(void) {
    static evmc_vm vm{EVMC_ABI_VERSION, "parallel_evm",      "0.1.0", vm_destroy,
                      vm_execute,       vm_get_capabilities, nullptr};
    return &vm;
}
