// The EVMC VM loader.
#include "state/vm_loader.hpp"

#include <dlfcn.h>

#include <mutex>
#include <unordered_map>

namespace pevm::state {
namespace {

std::mutex g_mutex;
std::unordered_map<std::string, evmc_vm*> g_vms;  // never unloaded: VMs may be in use anywhere

std::string entry_point_name(const std::string& path) {
    std::string name = path.substr(path.find_last_of('/') + 1);
    if (name.rfind("lib", 0) == 0) name = name.substr(3);
    name = name.substr(0, name.find('.'));
    for (char& c : name)
        if (c == '-') c = '_';
    return "evmc_create_" + name;
}

}  // namespace

evmc_vm* load_vm(const std::string& path, std::string& error) {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (const auto it = g_vms.find(path); it != g_vms.end()) return it->second;

    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = dlerror();
        error = "cannot load EVMC VM " + path + ": " + (why != nullptr ? why : "unknown error");
        return nullptr;
    }
    using CreateFn = evmc_vm* (*)();
    const std::string entry = entry_point_name(path);
    auto create = reinterpret_cast<CreateFn>(dlsym(handle, entry.c_str()));
    if (create == nullptr) create = reinterpret_cast<CreateFn>(dlsym(handle, "evmc_create"));
    if (create == nullptr) {
        dlclose(handle);
        error = "EVMC VM " + path + " exports neither " + entry + " nor evmc_create";
        return nullptr;
    }
    evmc_vm* vm = create();
    if (vm == nullptr) {
        dlclose(handle);
        error = "EVMC VM " + path + ": the create function returned null";
        return nullptr;
    }
    if (vm->abi_version != EVMC_ABI_VERSION) {
        error = "EVMC VM " + path + " has ABI version " + std::to_string(vm->abi_version) +
                ", expected " + std::to_string(EVMC_ABI_VERSION);
        if (vm->destroy != nullptr) vm->destroy(vm);
        dlclose(handle);
        return nullptr;
    }
    g_vms.emplace(path, vm);
    return vm;
}

}  // namespace pevm::state
