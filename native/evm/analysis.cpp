#include "evm/analysis.hpp"

#include <algorithm>
#include <atomic>
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

/// The largest base gas of one block: BEGINBLOCK holds it in 32 bits.
constexpr int64_t kMaxBlockGas = int64_t{1} << 30;

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

/// The value of a PUSH of `n` <= 8 bytes at code[at..]; bytes past the end of the code read as
/// zeros. One 8-byte load where it can: copying the bytes into a zeroed 32-byte buffer and loading
/// it as four words stalled on store forwarding for every PUSH.
inline uint64_t push_small(const uint8_t* code, size_t size, size_t at, size_t n) noexcept {
    if (at + 8 <= size) {
        uint64_t v;
        std::memcpy(&v, code + at, 8);
        return __builtin_bswap64(v) >> (64 - 8 * n);  // 1 <= n <= 8
    }
    uint64_t v = 0;
    for (size_t k = 0; k < n; ++k) v = (v << 8) | (at + k < size ? code[at + k] : 0);
    return v;
}

}  // namespace

#if defined(__x86_64__)
const bool CodeAnalysis::kHasPopcnt = [] {
    __builtin_cpu_init();  // may run before libgcc's own initializer
    return __builtin_cpu_supports("popcnt") != 0;
}();
#endif

CodeAnalysis::CodeAnalysis(const uint8_t* code, size_t size, evmc_revision rev)
    : rev_(rev), code_(code, code + size), jumpdest_words_((size + 63) / 64) {
    const void* const* handlers = instruction_handlers();
    const GasRow& gas = kGasCosts[rev];
    instrs_.reserve(size + 2);

    struct Op {  // static facts of one opcode
        int32_t req, change, gas;
    };
    struct Merged {   // a JUMPDEST inside the open block
        size_t op;    // its index in `tail`
        size_t next;  // the instruction that follows it
        size_t slot;  // its index in jumpdest_targets_
    };
    struct Pending {  // an ENTRY to append after the code
        size_t slot, next;
        int64_t gas;
        int32_t req, growth;
    };
    std::vector<Merged> merged;
    // The open block's opcodes from its first merged JUMPDEST on (most blocks have none): the
    // suffixes that ENTRY instructions check, computed backwards when the block closes.
    std::vector<Op> tail;
    std::vector<Pending> entries;
    std::vector<std::pair<size_t, int64_t>> corrections;   // instruction, block gas through it
    std::vector<std::pair<size_t, uint256>> static_jumps;  // instruction, destination
    // PUSH9..PUSH32 instructions, their constants' indices in arg.small until the end (no pass
    // over the code beforehand to count them: it cost a fifth of the analysis).
    std::vector<size_t> big_pushes;
    size_t block = 0;
    // The open block's base gas, the stack height it needs on entry and its largest growth,
    // kept as its opcodes are added (`height`: the stack height relative to its entry).
    bool block_empty = true;
    int64_t block_gas = 0;
    int32_t block_req = 0, block_growth = 0, height = 0;

    auto fill = [](Instruction& ins, int64_t g, int32_t req, int32_t growth) {
        // Clamped stack values still fail (> 1024 items); the gas is bounded by kMaxBlockGas.
        ins.arg.block.gas = static_cast<int32_t>(g);
        ins.arg.block.stack_req = static_cast<int16_t>(std::min(req, 2000));
        ins.arg.block.stack_max = static_cast<int16_t>(std::min(growth, 2000));
    };
    auto open_block = [&] {
        block = instrs_.size();
        instrs_.push_back({handlers[kOpBeginBlock], {}});
        merged.clear();
        tail.clear();
        corrections.clear();
        block_empty = true;
        block_gas = 0;
        block_req = block_growth = height = 0;
    };
    auto close_block = [&] {
        fill(instrs_[block], block_gas, block_req, block_growth);
        // An instruction that observes the gas left adds back the base gas after it.
        for (auto [idx, through] : corrections) instrs_[idx].arg.correction = block_gas - through;
        if (merged.empty()) return;
        int32_t req = 0, growth = 0;
        int64_t g = 0;
        size_t m = merged.size();
        for (size_t k = tail.size(); k-- > 0;) {
            const Op& o = tail[k];
            req = std::max(o.req, req - o.change);
            growth = std::max(0, o.change + growth);
            g += o.gas;
            while (m > 0 && merged[m - 1].op == k) {
                --m;
                entries.push_back({merged[m].slot, merged[m].next, g, req, growth});
            }
        }
    };
    auto add_op = [&](uint8_t op) {
        const int32_t req = kTraits[op].stack_required;
        const int32_t after = height + kTraits[op].stack_change;
        block_req = std::max(block_req, req - height);
        block_growth = std::max(block_growth, after);
        if (!merged.empty()) tail.push_back({req, kTraits[op].stack_change, gas[op]});
        height = after;
        block_gas += gas[op];
        block_empty = false;
    };

    open_block();
    bool last_push = false;  // the previous instruction is a PUSH of this block
    uint256 last_push_value;
    for (size_t i = 0; i < size; ++i) {
        const uint8_t op = code[i];
        if (block_gas + std::max<int16_t>(gas[op], 0) > kMaxBlockGas) {
            // Only huge straight-line code gets here: split the block where it stands.
            close_block();
            open_block();
            last_push = false;
        }
        if (op == OP_JUMPDEST) {
            // SAFETY: i < size, so i / 64 < jumpdest_words_.size().
            jumpdest_words_[i / 64].bits |= uint64_t{1} << (i % 64);
            if (block_empty) {
                jumpdest_targets_.push_back(static_cast<int32_t>(block));
            } else {
                merged.push_back({tail.size(), instrs_.size(), jumpdest_targets_.size()});
                jumpdest_targets_.push_back(-1);  // its ENTRY, appended after the code
            }
            add_op(op);
            last_push = false;
            continue;
        }
        if (gas[op] < 0) {  // undefined in this fork: halts when reached
            instrs_.push_back({handlers[kOpUndefined], {}});
            close_block();
            open_block();
            last_push = false;
            continue;
        }
        add_op(op);

        Instruction ins{handlers[op], {}};
        bool is_push = false;
        if (op >= OP_PUSH1 && op <= OP_PUSH32) {
            const size_t n = op - OP_PUSH1 + 1;
            if (n <= 8) {
                ins.arg.small = push_small(code, size, i + 1, n);
                last_push_value = uint256{ins.arg.small};
            } else {
                uint8_t buf[32] = {};
                const size_t avail = std::min(n, size - i - 1);  // PUSH past the end reads zeros
                std::memcpy(buf + 32 - n, code + i + 1, avail);
                last_push_value = uint256::load_be(buf);
                ins.arg.small = constants_.size();  // a pointer once constants_ stops growing
                big_pushes.push_back(instrs_.size());
                constants_.push_back(last_push_value);
            }
            is_push = true;
            i += n;
        } else if (op == OP_PC) {
            ins.arg.small = i;
        } else if (needs_correction(op)) {
            corrections.emplace_back(instrs_.size(), block_gas);
        }
        if ((op == OP_JUMP || op == OP_JUMPI) && last_push) {
            // Fuse with the PUSH before it: same block, same gas and stack accounting.
            Instruction& prev = instrs_.back();
            if (!big_pushes.empty() && big_pushes.back() == instrs_.size() - 1)
                big_pushes.pop_back();  // a PUSH9..PUSH32 of the destination: no constant
            prev = {handlers[op == OP_JUMP ? kOpJumpStatic : kOpJumpiStatic], {}};
            static_jumps.emplace_back(instrs_.size() - 1, last_push_value);
        } else {
            instrs_.push_back(ins);
        }
        last_push = is_push;
        if (ends_block(op)) {
            close_block();
            open_block();
            last_push = false;
        }
    }
    // Running off the end is STOP.
    instrs_.push_back({handlers[OP_STOP], {}});
    close_block();

    // ENTRY pairs after the code: [ENTRY with the suffix's checks][continuation].
    instrs_.reserve(instrs_.size() + 2 * entries.size());
    for (const Pending& e : entries) {
        jumpdest_targets_[e.slot] = static_cast<int32_t>(instrs_.size());
        Instruction entry{handlers[kOpEntry], {}};
        fill(entry, e.gas, e.req, e.growth);
        instrs_.push_back(entry);
        Instruction cont{nullptr, {}};
        cont.arg.small = e.next;
        instrs_.push_back(cont);
    }
    // No more growth: indices become pointers.
    for (const size_t idx : big_pushes) instrs_[idx].arg.big = &constants_[instrs_[idx].arg.small];
    for (size_t k = 0; k < entries.size(); ++k) {
        Instruction& cont = instrs_[jumpdest_targets_[entries[k].slot] + 1];
        cont.arg.target = instrs_.data() + cont.arg.small;
    }
    uint32_t rank = 0;
    for (JumpdestWord& w : jumpdest_words_) {
        w.rank = rank;
        rank += popcount(w.bits);
    }
    for (const auto& [idx, dest] : static_jumps) instrs_[idx].arg.target = jump_target(dest);
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

namespace {

// Bumped by clear_analysis_cache: a thread's front cache from an older generation is emptied.
std::atomic<uint64_t> g_generation{0};

// Enough for the contracts of a block (a mainnet block calls a few hundred at most), small
// enough that the analyses a thread keeps alive stay bounded.
constexpr size_t kThreadCapacity = 512;

struct ThreadCache {
    std::unordered_map<Key, std::shared_ptr<const CodeAnalysis>, KeyHash> map;
    uint64_t generation = 0;
    unsigned depth = 0;  // live ThreadAnalysis objects of this thread
};
thread_local ThreadCache t_cache;

}  // namespace

void clear_analysis_cache() noexcept {
    g_generation.fetch_add(1, std::memory_order_relaxed);
    for (Shard& s : shards()) {
        std::lock_guard<std::mutex> lock(s.mutex);
        s.map.clear();
    }
}

ThreadAnalysis::ThreadAnalysis(const evmc_bytes32& code_hash, const uint8_t* code, size_t size,
                               evmc_revision rev) {
    ThreadCache& c = t_cache;
    if (c.depth == 0) {
        // Nothing of this thread uses an entry now: trimming is safe.
        const uint64_t generation = g_generation.load(std::memory_order_relaxed);
        if (c.generation != generation || c.map.size() >= kThreadCapacity) {
            c.map.clear();
            c.generation = generation;
        }
    }
    const Key key{code_hash, static_cast<int>(rev)};
    auto it = c.map.find(key);
    if (it == c.map.end())
        it = c.map.emplace(key, analyze_cached(code_hash, code, size, rev)).first;
    analysis_ = it->second.get();
    ++c.depth;
}

ThreadAnalysis::~ThreadAnalysis() {
    --t_cache.depth;
}

}  // namespace pevm::evm
