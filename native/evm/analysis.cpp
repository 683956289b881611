#include "evm/analysis.hpp"

#include <array>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "evm/opcodes.hpp"

namespace pevm::evm {

CodeAnalysis::CodeAnalysis(const uint8_t* code, size_t size)
    : size_(size), buf_(new uint8_t[size + kPadding + size]) {
    uint8_t* p = buf_.get();
    if (size != 0) std::memcpy(p, code, size);
    std::memset(p + size, 0, kPadding);
    uint8_t* map = p + size + kPadding;
    std::memset(map, 0, size);
    for (size_t i = 0; i < size; ++i) {
        const uint8_t op = p[i];
        if (op == OP_JUMPDEST) map[i] = 1;
        else if (op >= OP_PUSH1 && op <= OP_PUSH32) i += op - OP_PUSH1 + 1;
    }
    jumpdest_ = map;
}

std::shared_ptr<const CodeAnalysis> analyze(const uint8_t* code, size_t size) {
    return std::make_shared<const CodeAnalysis>(code, size);
}

namespace {

struct HashKey {
    size_t operator()(const evmc_bytes32& h) const noexcept {
        size_t v;
        std::memcpy(&v, h.bytes, sizeof v);
        return v;
    }
};
struct HashEq {
    bool operator()(const evmc_bytes32& a, const evmc_bytes32& b) const noexcept {
        return std::memcmp(a.bytes, b.bytes, 32) == 0;
    }
};

constexpr size_t kShards = 64;
constexpr size_t kShardCapacity = 512;

struct alignas(64) Shard {
    std::mutex mutex;
    std::unordered_map<evmc_bytes32, std::shared_ptr<const CodeAnalysis>, HashKey, HashEq> map;
};

std::array<Shard, kShards>& shards() {
    static std::array<Shard, kShards> s;
    return s;
}

}  // namespace

std::shared_ptr<const CodeAnalysis> analyze_cached(const evmc_bytes32& code_hash,
                                                   const uint8_t* code, size_t size) {
    Shard& shard = shards()[code_hash.bytes[31] % kShards];
    {
        std::lock_guard<std::mutex> lock(shard.mutex);
        if (auto it = shard.map.find(code_hash); it != shard.map.end()) return it->second;
    }
    // Analyse outside the lock; if two threads race, both results are identical.
    auto a = analyze(code, size);
    std::lock_guard<std::mutex> lock(shard.mutex);
    if (shard.map.size() >= kShardCapacity) shard.map.erase(shard.map.begin());
    auto [it, inserted] = shard.map.emplace(code_hash, a);
    return it->second;
}

void clear_analysis_cache() noexcept {
    for (Shard& s : shards()) {
        std::lock_guard<std::mutex> lock(s.mutex);
        s.map.clear();
    }
}

}  // namespace pevm::evm
