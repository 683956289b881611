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

constexpr bool ends_block(uint8_t op) noexcept {
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
constexpr bool needs_correction(uint8_t op) noexcept {
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

/// Zero bytes after the code's copy: an 8-byte load of a PUSH's immediate at the last byte, or
/// a PUSH32 that runs past the end, stays inside it.
constexpr size_t kCodePadding = 33;

/// Per fork, the opcodes the analysis loop's fast path handles on their own: defined in the
/// fork, with at most 8 bytes of immediate, and none of what needs more (a JUMPDEST, a jump, an
/// opcode that ends its block, observes the gas left or the program counter, or a constant of
/// more than 8 bytes). They are most of any code; the rest goes through one rarely taken branch.
constexpr auto kPlainOps = [] {
    std::array<std::array<bool, 256>, kNumRevisions> t{};
    for (int r = 0; r < kNumRevisions; ++r)
        for (int op = 0; op < 256; ++op) {
            const auto o = static_cast<uint8_t>(op);
            t[r][op] = kGasCosts[r][op] >= 0 && kTraits[op].immediate_size <= 8 &&
                       o != OP_JUMPDEST && o != OP_JUMP && o != OP_JUMPI && o != OP_PC &&
                       !ends_block(o) && !needs_correction(o);
        }
    return t;
}();

/// The big-endian value of the `n` (<= 8) bytes at `p` (readable 8 bytes on), without a
/// branch: whether an opcode is a PUSH is what a branch would mispredict.
inline uint64_t load_small(const uint8_t* p, size_t n) noexcept {
    uint64_t v;
    std::memcpy(&v, p, 8);
    const uint64_t keep = uint64_t{0} - uint64_t{n != 0};  // n == 0: the shift is 0, masked off
    return (__builtin_bswap64(v) >> ((64 - 8 * n) & 63)) & keep;
}

}  // namespace

#if defined(__x86_64__)
const bool CodeAnalysis::kHasPopcnt = [] {
    __builtin_cpu_init();  // may run before libgcc's own initializer
    return __builtin_cpu_supports("popcnt") != 0;
}();
#endif

CodeAnalysis::CodeAnalysis(const uint8_t* code_in, size_t size, evmc_revision rev)
    : rev_(rev), code_size_(size), jumpdest_words_((size + 63) / 64) {
    code_.reserve(size + kCodePadding);
    code_.assign(code_in, code_in + size);
    code_.resize(size + kCodePadding, 0);
    const uint8_t* const code = code_.data();  // padded: 8-byte loads past the end read zeros
    const void* const* handlers = instruction_handlers();
    const GasRow& gas = kGasCosts[rev];
    const std::array<bool, 256>& plain = kPlainOps[rev];
    // Only code longer than this can have a block whose base gas exceeds kMaxBlockGas (an
    // opcode's base gas is below 2^15).
    const bool may_split = size > static_cast<size_t>(kMaxBlockGas / 32768);
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
    // The previous instruction, if a PUSH of this block: its value (a PUSH+JUMP becomes a static
    // jump). A PUSH of more than 8 bytes leaves its value in constants_.back().
    enum : uint8_t { kNoPush, kSmallPush, kBigPush } last_push = kNoPush;
    uint64_t last_small = 0;
    for (size_t i = 0; i < size;) {
        const uint8_t op = code[i];
        if (may_split && block_gas + std::max<int16_t>(gas[op], 0) > kMaxBlockGas) {
            // Only huge straight-line code gets here: split the block where it stands.
            close_block();
            open_block();
            last_push = kNoPush;
        }
        if (plain[op]) [[likely]] {
            add_op(op);
            const size_t n = kTraits[op].immediate_size;
            const uint64_t v = load_small(code + i + 1, n);
            Instruction ins{handlers[op], {}};
            ins.arg.small = v;
            instrs_.push_back(ins);
            last_push = static_cast<decltype(last_push)>(n != 0);  // kSmallPush or kNoPush
            last_small = v;
            i += 1 + n;
            continue;
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
            last_push = kNoPush;
            ++i;
            continue;
        }
        if (gas[op] < 0) {  // undefined in this fork: halts when reached
            instrs_.push_back({handlers[kOpUndefined], {}});
            close_block();
            open_block();
            last_push = kNoPush;
            ++i;
            continue;
        }
        add_op(op);

        Instruction ins{handlers[op], {}};
        const size_t n = kTraits[op].immediate_size;  // here 0, or 9..32 (PUSH9..PUSH32)
        if (n != 0) {
            uint8_t buf[32] = {};
            std::memcpy(buf + 32 - n, code + i + 1, n);  // past the end: the padding's zeros
            ins.arg.small = constants_.size();           // a pointer once constants_ stops growing
            big_pushes.push_back(instrs_.size());
            constants_.push_back(uint256::load_be(buf));
            instrs_.push_back(ins);
            last_push = kBigPush;
            i += 1 + n;
            continue;
        }
        if (op == OP_PC) {
            ins.arg.small = i;
        } else if (needs_correction(op)) {
            corrections.emplace_back(instrs_.size(), block_gas);
        }
        if ((op == OP_JUMP || op == OP_JUMPI) && last_push != kNoPush) {
            // Fuse with the PUSH before it: same block, same gas and stack accounting.
            uint256 dest{last_small};
            if (last_push == kBigPush) {
                dest = constants_.back();  // no constant needed: the jump resolves it
                constants_.pop_back();
                big_pushes.pop_back();
            }
            instrs_.back() = {handlers[op == OP_JUMP ? kOpJumpStatic : kOpJumpiStatic], {}};
            static_jumps.emplace_back(instrs_.size() - 1, dest);
        } else {
            instrs_.push_back(ins);
        }
        last_push = kNoPush;
        ++i;
        if (ends_block(op)) {
            close_block();
            open_block();
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

size_t CodeAnalysis::memory_bytes() const noexcept {
    // What is touched: the instruction array's reserved tail is never written.
    return sizeof(*this) + code_.capacity() + instrs_.size() * sizeof(Instruction) +
           constants_.capacity() * sizeof(uint256) +
           jumpdest_words_.capacity() * sizeof(JumpdestWord) +
           jumpdest_targets_.capacity() * sizeof(int32_t);
}

namespace {
std::atomic<uint64_t> g_analyses{0};
}  // namespace

std::shared_ptr<const CodeAnalysis> analyze(const uint8_t* code, size_t size, evmc_revision rev) {
    g_analyses.fetch_add(1, std::memory_order_relaxed);
    return std::make_shared<const CodeAnalysis>(code, size, rev);
}

uint64_t analyses_made() noexcept {
    return g_analyses.load(std::memory_order_relaxed);
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
    size_t bytes = 0;  // memory_bytes() of the analyses in `map`
};

std::atomic<size_t> g_cache_limit{kDefaultAnalysisCacheBytes};

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
    const size_t need = a->memory_bytes();
    const size_t budget = g_cache_limit.load(std::memory_order_relaxed) / kShards;
    std::lock_guard<std::mutex> lock(shard.mutex);
    if (auto it = shard.map.find(key); it != shard.map.end()) return it->second;
    while (!shard.map.empty() &&
           (shard.map.size() >= kShardCapacity || shard.bytes + need > budget)) {
        auto victim = shard.map.begin();
        shard.bytes -= victim->second->memory_bytes();
        shard.map.erase(victim);
    }
    shard.bytes += need;
    return shard.map.emplace(key, std::move(a)).first->second;
}

AnalysisCacheStats analysis_cache_stats() noexcept {
    AnalysisCacheStats out;
    for (Shard& s : shards()) {
        std::lock_guard<std::mutex> lock(s.mutex);
        out.entries += s.map.size();
        out.bytes += s.bytes;
    }
    return out;
}

void set_analysis_cache_limit(size_t bytes) noexcept {
    g_cache_limit.store(bytes, std::memory_order_relaxed);
}

namespace {

// Bumped by clear_analysis_cache: a thread's front cache from an older generation is emptied.
std::atomic<uint64_t> g_generation{0};

// Enough for the contracts of a block (a mainnet block calls a few hundred at most), small
// enough that the analyses a thread keeps alive stay bounded.
constexpr size_t kThreadCapacity = 512;

struct ThreadCache {
    std::unordered_map<Key, std::shared_ptr<const CodeAnalysis>, KeyHash> map;
    size_t bytes = 0;  // memory_bytes() of the analyses in `map`
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
        s.bytes = 0;
    }
}

ThreadAnalysis::ThreadAnalysis(const evmc_bytes32& code_hash, const uint8_t* code, size_t size,
                               evmc_revision rev) {
    ThreadCache& c = t_cache;
    if (c.depth == 0) {
        // Nothing of this thread uses an entry now: trimming is safe.
        // The analyses it keeps alive stay within a quarter of the shared cache's limit.
        const uint64_t generation = g_generation.load(std::memory_order_relaxed);
        if (c.generation != generation || c.map.size() >= kThreadCapacity ||
            c.bytes > g_cache_limit.load(std::memory_order_relaxed) / 4) {
            c.map.clear();
            c.bytes = 0;
            c.generation = generation;
        }
    }
    const Key key{code_hash, static_cast<int>(rev)};
    auto it = c.map.find(key);
    if (it == c.map.end()) {
        it = c.map.emplace(key, analyze_cached(code_hash, code, size, rev)).first;
        c.bytes += it->second->memory_bytes();
    }
    analysis_ = it->second.get();
    ++c.depth;
}

ThreadAnalysis::~ThreadAnalysis() {
    --t_cache.depth;
}

}  // namespace pevm::evm
