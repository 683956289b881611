#include "evm/analysis.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "evm/opcodes.hpp"

namespace pevm::evm {

namespace {

bool ends_block(uint8_t op) noexcept {
    switch (op) {
    case OP_JUMP:
    case OP_JUMPI:
    case OP_STOP:
    case OP_RETURN:
    case OP_REVERT:
    case OP_INVALID:
    case OP_SELFDESTRUCT:
        return true;
    default:
        return false;
    }
}

/// Out-of-line instructions whose handlers read a gas correction.
bool needs_correction(uint8_t op) noexcept {
    switch (op) {
    case OP_GAS:
    case OP_SSTORE:
    case OP_CALL:
    case OP_CALLCODE:
    case OP_DELEGATECALL:
    case OP_STATICCALL:
    case OP_CREATE:
    case OP_CREATE2:
        return true;
    default:
        return false;
    }
}

}  // namespace

CodeAnalysis::CodeAnalysis(const uint8_t* code, size_t size, evmc_revision rev)
    : rev_(rev), code_(code, code + size), jumpdest_(size, -1) {
    const void* const* handlers = instruction_handlers();
    const GasRow& gas = kGasCosts[rev];
    instrs_.reserve(size + 2);

    size_t n_big = 0;
    for (size_t i = 0; i < size; ++i) {
        const uint8_t op = code[i];
        if (op >= OP_PUSH1 && op <= OP_PUSH32) {
            if (op > OP_PUSH8) ++n_big;
            i += op - OP_PUSH1 + 1;
        }
    }
    constants_.reserve(n_big);

    // The open block: its BEGINBLOCK index, gas so far, stack height relative to the entry.
    size_t block = 0;
    int64_t block_gas = 0;
    int32_t height = 0, req = 0, max_growth = 0;
    std::vector<std::pair<size_t, int64_t>> corrections;  // instruction, block gas through it

    auto open_block = [&] {
        block = instrs_.size();
        instrs_.push_back({handlers[kOpBeginBlock], {}});
        block_gas = 0;
        height = req = max_growth = 0;
        corrections.clear();
    };
    auto close_block = [&] {
        Instruction& b = instrs_[block];
        // Base gas per block is bounded by 32000 * code size: fits easily in int32 for any code
        // the chain can hold; clamp anyway so a huge synthetic code just runs out of gas.
        b.arg.block.gas = static_cast<int32_t>(std::min<int64_t>(block_gas, INT32_MAX));
        b.arg.block.stack_req = static_cast<int16_t>(std::min(req, 2000));
        b.arg.block.stack_max = static_cast<int16_t>(std::min(max_growth, 2000));
        for (auto [idx, through] : corrections) instrs_[idx].arg.correction = block_gas - through;
    };

    open_block();
    bool block_empty = true;
    for (size_t i = 0; i < size; ++i) {
        const uint8_t op = code[i];
        if (op == OP_JUMPDEST) {
            if (!block_empty) {
                close_block();
                open_block();
            }
            jumpdest_[i] = static_cast<int32_t>(block);
            block_gas += gas[op];
            block_empty = false;
            continue;
        }
        block_empty = false;
        if (gas[op] < 0) {  // undefined in this fork: halts when reached
            instrs_.push_back({handlers[kOpUndefined], {}});
            close_block();
            open_block();
            block_empty = true;
            continue;
        }
        const OpcodeTraits& t = kTraits[op];
        req = std::max<int32_t>(req, t.stack_required - height);
        height += t.stack_change;
        max_growth = std::max(max_growth, height);
        block_gas += gas[op];

        Instruction ins{handlers[op], {}};
        if (op >= OP_PUSH1 && op <= OP_PUSH32) {
            const size_t n = op - OP_PUSH1 + 1;
            uint8_t buf[32] = {};
            const size_t avail = std::min(n, size - i - 1);  // PUSH past the end reads zeros
            std::memcpy(buf + 32 - n, code + i + 1, avail);
            const uint256 v = uint256::load_be(buf);
            if (n <= 8) {
                ins.arg.small = v.w[0];
            } else {
                constants_.push_back(v);
                ins.arg.big = &constants_.back();  // reserved above: no reallocation
            }
            i += n;
        } else if (op == OP_PC) {
            ins.arg.small = i;
        } else if (needs_correction(op)) {
            corrections.emplace_back(instrs_.size(), block_gas);
        }
        instrs_.push_back(ins);
        if (ends_block(op)) {
            close_block();
            open_block();
            block_empty = true;
        }
    }
    // Running off the end is STOP.
    instrs_.push_back({handlers[OP_STOP], {}});
    close_block();
}

std::shared_ptr<const CodeAnalysis> analyze(const uint8_t* code, size_t size, evmc_revision rev) {
    return std::make_shared<const CodeAnalysis>(code, size, rev);
}

namespace {

struct Key {
    evmc_bytes32 hash;
    int rev;
    bool operator==(const Key& o) const noexcept {
        return rev == o.rev && std::memcmp(hash.bytes, o.hash.bytes, 32) == 0;
    }
};
struct KeyHash {
    size_t operator()(const Key& k) const noexcept {
        size_t v;
        std::memcpy(&v, k.hash.bytes, sizeof v);
        return v ^ static_cast<size_t>(k.rev);
    }
};

constexpr size_t kShards = 64;
constexpr size_t kShardCapacity = 128;

struct alignas(64) Shard {
    std::mutex mutex;
    std::unordered_map<Key, std::shared_ptr<const CodeAnalysis>, KeyHash> map;
};

std::array<Shard, kShards>& shards() {
    static std::array<Shard, kShards> s;
    return s;
}

}  // namespace

std::shared_ptr<const CodeAnalysis> analyze_cached(const evmc_bytes32& code_hash,
                                                   const uint8_t* code, size_t size,
                                                   evmc_revision rev) {
    const Key key{code_hash, static_cast<int>(rev)};
    Shard& shard = shards()[code_hash.bytes[31] % kShards];
    {
        std::lock_guard<std::mutex> lock(shard.mutex);
        if (auto it = shard.map.find(key); it != shard.map.end()) return it->second;
    }
    // Analyse outside the lock; if two threads race, both results are identical.
    auto a = analyze(code, size, rev);
    std::lock_guard<std::mutex> lock(shard.mutex);
    if (shard.map.size() >= kShardCapacity) shard.map.erase(shard.map.begin());
    return shard.map.emplace(key, std::move(a)).first->second;
}

void clear_analysis_cache() noexcept {
    for (Shard& s : shards()) {
        std::lock_guard<std::mutex> lock(s.mutex);
        s.map.clear();
    }
}

}  // namespace pevm::evm
