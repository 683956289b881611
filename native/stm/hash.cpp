// The key of the keyed hashes (hash.hpp), drawn once per process.
#include "stm/hash.hpp"

#include <chrono>
#include <random>

namespace pevm::stm {

const HashKey kHashKey = [] {
    HashKey key{};
    try {
        std::random_device rd;
        for (auto& w : key.k) w = (uint64_t{rd()} << 32) ^ rd();
    } catch (...) {
        // No entropy source: the clock and where this process's stack lies (ASLR).
        int here = 0;
        uint64_t x =
            static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
            reinterpret_cast<uintptr_t>(&here);
        for (auto& w : key.k) w = x = mix_hash(x + 0x9e3779b97f4a7c15ull);
    }
    return key;
}();

}  // namespace pevm::stm
