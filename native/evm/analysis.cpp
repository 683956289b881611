#include "evm/analysis.hpp"

#include <algorithm>
#include <atomic>
#include <array>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <new>
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

/// What the first pass over a code counts per opcode, in 21-bit fields of one word: opcodes,
/// JUMPIs, and PUSH9..PUSH32 (whose constants take memory of their own).
constexpr uint64_t kCountMask = (uint64_t{1} << 21) - 1;
constexpr auto kOpcodeCounts = [] {
    std::array<uint64_t, 256> t{};
    for (int op = 0; op < 256; ++op)
        t[op] =
            1 + (uint64_t{op == OP_JUMPI} << 21) + (uint64_t{kTraits[op].immediate_size > 8} << 42);
    return t;
}();

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
    const uint8_t* const code = code_.data();
    // One pass over the opcodes (not their immediates): the valid destinations, and what the
    // memory bound needs. It is a chain of dependent steps, one per opcode (the next opcode's
    // offset depends on this one), so the step is arithmetic rather than a table load, the open
    // word of the bitmap stays in a register, the counts take one table load and add off the
    // chain, and nothing branches on the opcode (which one comes next is what a branch would
    // mispredict): 2.0 -> 1.5 ns per code byte.
    size_t ops = 0, jumpis = 0, big_pushes = 0;
    size_t word = 0;
    uint64_t bits = 0;
    for (size_t i = 0; i < size;) {
        // The three counts in 21-bit fields of one word: at most 2^20 opcodes per segment.
        const size_t segment_end = std::min(size, i + (size_t{1} << 20));
        uint64_t counts = 0;
        for (; i < segment_end;) {
            const uint8_t op = code[i];
            if ((i >> 6) != word) {  // about every 30 opcodes
                // SAFETY: word < i / 64 < jumpdest_words_.size().
                jumpdest_words_[word].bits = bits;
                bits = 0;
                word = i >> 6;
            }
            bits |= uint64_t{op == OP_JUMPDEST} << (i & 63);
            counts += kOpcodeCounts[op];
            const auto push = static_cast<uint8_t>(op - OP_PUSH1);  // PUSH1..PUSH32: 0..31
            i += push < 32 ? push + 2u : 1u;
        }
        ops += counts & kCountMask;
        jumpis += (counts >> 21) & kCountMask;
        big_pushes += counts >> 42;
    }
    if (size != 0) jumpdest_words_[word].bits = bits;  // SAFETY: word <= (size - 1) / 64
    uint32_t jumpdests = 0;
    for (JumpdestWord& w : jumpdest_words_) {
        w.rank = jumpdests;
        jumpdests += popcount(w.bits);
    }
    jumpdests_ = jumpdests;
    entries_.reset(new std::atomic<const Instruction*>[jumpdests]);
    for (uint32_t k = 0; k < jumpdests; ++k) entries_[k].store(nullptr, std::memory_order_relaxed);

    // The most instructions a full translation can hold: one per opcode; a BEGINBLOCK per block
    // (the start, each JUMPI, a split per 2^15 opcodes at most) and per JUMPDEST either its
    // BEGINBLOCK or an ENTRY pair; and one per run (the STOP past the end, or the jump to a
    // translated JUMPDEST that ends a run).
    const size_t max_instrs =
        ops + (1 + jumpis + ops / 32768 + 1) + 2 * size_t{jumpdests} + (1 + size_t{jumpdests});
    chunk_size_ = std::min<size_t>(max_instrs, 1024) * sizeof(Instruction);
    memory_bound_ = sizeof(*this) + code_.capacity() +
                    jumpdest_words_.capacity() * sizeof(JumpdestWord) +
                    jumpdests * sizeof(std::atomic<const Instruction*>) +
                    max_instrs * sizeof(Instruction) + big_pushes * sizeof(uint256);
    start_ = translate_run(0);  // no other thread sees the object yet
}

size_t CodeAnalysis::translated_bytes() const {
    std::lock_guard lock(mutex_);
    return sizeof(*this) + code_.capacity() + jumpdest_words_.capacity() * sizeof(JumpdestWord) +
           jumpdests_ * sizeof(std::atomic<const Instruction*>) + chunk_bytes_;
}

const Instruction* CodeAnalysis::translate(uint32_t rank) const {
    std::lock_guard lock(mutex_);
    // Another thread may have translated it while this one waited.
    // SAFETY: rank < jumpdests_ (the index of one of entries_).
    if (const Instruction* t = entries_[rank].load(std::memory_order_relaxed)) return t;
    // The JUMPDEST's offset: the word holding it (the last whose count before it is <= rank),
    // then its bit there.
    const auto word =
        std::upper_bound(jumpdest_words_.begin(), jumpdest_words_.end(), rank,
                         [](uint32_t r, const JumpdestWord& w) { return r < w.rank; }) -
        1;
    uint64_t bits = word->bits;
    for (uint32_t k = word->rank; k < rank; ++k) bits &= bits - 1;  // drop the lower JUMPDESTs
    const size_t pc = static_cast<size_t>(word - jumpdest_words_.begin()) * 64 +
                      static_cast<size_t>(__builtin_ctzll(bits));
    translate_run(pc);
    return entries_[rank].load(std::memory_order_relaxed);
}

void* CodeAnalysis::allocate(size_t bytes) const {
    if (bytes > chunk_left_) {
        const size_t n = std::max(bytes, chunk_size_);
        // operator new[] aligns to 16 (__STDCPP_DEFAULT_NEW_ALIGNMENT__), as Instruction needs.
        chunks_.emplace_back(new std::byte[n]);
        chunk_next_ = chunks_.back().get();
        chunk_left_ = n;
        chunk_bytes_ += n;
    }
    void* p = chunk_next_;
    chunk_next_ += bytes;
    chunk_left_ -= bytes;
    return p;
}

namespace {

/// One translation's working lists, kept per thread (no allocation per run once grown).
struct RunScratch {
    std::vector<Instruction> instrs;
    std::vector<uint256> constants;
    std::vector<std::pair<size_t, size_t>> big_pushes;      // instruction, its constant
    std::vector<std::pair<size_t, int64_t>> corrections;    // instruction, block gas through it
    std::vector<std::pair<size_t, uint64_t>> static_jumps;  // instruction, valid destination
    std::vector<std::pair<uint32_t, size_t>> entries;       // JUMPDEST rank, its entry
    struct Op {                                             // static facts of one opcode
        int32_t req, change, gas;
    };
    struct Merged {     // a JUMPDEST inside the open block
        size_t op;      // its index in `tail`
        size_t next;    // the instruction that follows it
        uint32_t rank;  // its rank among the JUMPDESTs
    };
    struct Pending {  // an ENTRY to append after the run
        uint32_t rank;
        size_t next;
        int64_t gas;
        int32_t req, growth;
    };
    std::vector<Merged> merged;
    // The open block's opcodes from its first merged JUMPDEST on (most blocks have none): the
    // suffixes that ENTRY instructions check, computed backwards when the block closes.
    std::vector<Op> tail;
    std::vector<Pending> pending;
    /// The lists of a whole run (a block's own, corrections, merged and tail, are emptied as
    /// each block opens).
    void clear() {
        instrs.clear();
        constants.clear();
        big_pushes.clear();
        static_jumps.clear();
        entries.clear();
        pending.clear();
    }
};
/// This thread's scratch, out of line: where the address of a thread_local is visible, GCC
/// computes it again (a __tls_get_addr call, the addon being a shared library) at nearly every
/// access, 30 times a run.
[[gnu::noinline]] RunScratch& run_scratch() {
    thread_local RunScratch s;
    return s;
}

}  // namespace

const Instruction* CodeAnalysis::translate_run(size_t start) const {
    const uint8_t* const code = code_.data();  // padded: 8-byte loads past the end read zeros
    const size_t size = code_size_;
    const void* const* handlers = instruction_handlers();
    const GasRow& gas = kGasCosts[rev_];
    const std::array<bool, 256>& plain = kPlainOps[rev_];
    // Only code longer than this can have a block whose base gas exceeds kMaxBlockGas (an
    // opcode's base gas is below 2^15).
    const bool may_split = size > static_cast<size_t>(kMaxBlockGas / 32768);
    RunScratch& s = run_scratch();
    s.clear();
    std::vector<Instruction>& out = s.instrs;

    // The open block: where its BEGINBLOCK is, its base gas, the stack height it needs on entry
    // and its largest growth, kept as its opcodes are added (`height`: the stack height relative
    // to its entry).
    size_t block = 0;
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
        block = out.size();
        out.push_back({handlers[kOpBeginBlock], {}});
        s.corrections.clear();
        s.merged.clear();
        s.tail.clear();
        block_empty = true;
        block_gas = 0;
        block_req = block_growth = height = 0;
    };
    auto close_block = [&] {
        fill(out[block], block_gas, block_req, block_growth);
        // An instruction that observes the gas left adds back the base gas after it.
        for (auto [idx, through] : s.corrections) out[idx].arg.correction = block_gas - through;
        if (s.merged.empty()) return;
        int32_t req = 0, growth = 0;
        int64_t g = 0;
        size_t m = s.merged.size();
        for (size_t k = s.tail.size(); k-- > 0;) {
            const RunScratch::Op& o = s.tail[k];
            req = std::max(o.req, req - o.change);
            growth = std::max(0, o.change + growth);
            g += o.gas;
            while (m > 0 && s.merged[m - 1].op == k) {
                --m;
                s.pending.push_back({s.merged[m].rank, s.merged[m].next, g, req, growth});
            }
        }
    };
    auto add_op = [&](uint8_t op) {
        const int32_t req = kTraits[op].stack_required;
        const int32_t after = height + kTraits[op].stack_change;
        block_req = std::max(block_req, req - height);
        block_growth = std::max(block_growth, after);
        if (!s.merged.empty()) s.tail.push_back({req, kTraits[op].stack_change, gas[op]});
        height = after;
        block_gas += gas[op];
        block_empty = false;
    };

    open_block();
    // The previous instruction, if a PUSH of this block: its value (a PUSH+JUMP becomes a static
    // jump). A PUSH of more than 8 bytes leaves its value in s.constants.back().
    enum : uint8_t { kNoPush, kSmallPush, kBigPush } last_push = kNoPush;
    uint64_t last_small = 0;
    for (size_t i = start;;) {
        if (i >= size) {  // running off the end is STOP
            out.push_back({handlers[OP_STOP], {}});
            close_block();
            break;
        }
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
            out.push_back(ins);
            last_push = static_cast<decltype(last_push)>(n != 0);  // kSmallPush or kNoPush
            last_small = v;
            i += 1 + n;
            continue;
        }
        if (op == OP_JUMPDEST) {
            // SAFETY: i is an opcode's offset (the run walks from one), so its bit is set.
            const auto rank = static_cast<uint32_t>(jumpdest_index(i));
            if (const Instruction* t = entries_[rank].load(std::memory_order_relaxed)) {
                // Translated before: the run ends in a jump there (the open block's last
                // instruction, or in place of its BEGINBLOCK when it is still empty).
                Instruction jump{handlers[kOpJumpStatic], {}};
                jump.arg.target = t;
                if (block_empty) {
                    out[block] = jump;
                } else {
                    out.push_back(jump);
                    close_block();
                }
                break;
            }
            if (block_empty) {
                s.entries.emplace_back(rank, block);
            } else {
                // Fallen into from the code before: it stays in the open block, and a jump to
                // it enters through an ENTRY that checks the rest of the block from here.
                s.merged.push_back({s.tail.size(), out.size(), rank});
            }
            add_op(op);
            last_push = kNoPush;
            ++i;
            continue;
        }
        if (gas[op] < 0) {  // undefined in this fork: halts when reached
            out.push_back({handlers[kOpUndefined], {}});
            close_block();
            break;
        }
        add_op(op);

        Instruction ins{handlers[op], {}};
        const size_t n = kTraits[op].immediate_size;  // here 0, or 9..32 (PUSH9..PUSH32)
        if (n != 0) {
            uint8_t buf[32] = {};
            std::memcpy(buf + 32 - n, code + i + 1, n);  // past the end: the padding's zeros
            s.big_pushes.emplace_back(out.size(), s.constants.size());
            s.constants.push_back(uint256::load_be(buf));
            out.push_back(ins);
            last_push = kBigPush;
            i += 1 + n;
            continue;
        }
        if (op == OP_PC) {
            ins.arg.small = i;
        } else if (needs_correction(op)) {
            s.corrections.emplace_back(out.size(), block_gas);
        }
        if ((op == OP_JUMP || op == OP_JUMPI) && last_push != kNoPush) {
            // Fuse with the PUSH before it: same block, same gas and stack accounting.
            uint256 dest{last_small};
            if (last_push == kBigPush) {
                dest = s.constants.back();  // no constant needed: the jump resolves it
                s.constants.pop_back();
                s.big_pushes.pop_back();
            }
            out.back() = {handlers[op == OP_JUMP ? kOpJumpStatic : kOpJumpiStatic], {}};
            // A bad destination keeps a null target; a good one is resolved below.
            if (dest.fits_u64() && dest.w[0] < size && jumpdest_index(dest.w[0]) >= 0)
                s.static_jumps.emplace_back(out.size() - 1, dest.w[0]);
        } else {
            out.push_back(ins);
        }
        last_push = kNoPush;
        ++i;
        if (ends_block(op)) {
            close_block();
            if (op != OP_JUMPI) break;
            open_block();  // JUMPI falls through into the next block, translated in this run
            last_push = kNoPush;
        }
    }

    // ENTRY pairs after the run: [ENTRY with the suffix's checks][its continuation].
    const size_t first_entry = out.size();
    for (const RunScratch::Pending& e : s.pending) {
        s.entries.emplace_back(e.rank, out.size());
        Instruction entry{handlers[kOpEntry], {}};
        fill(entry, e.gas, e.req, e.growth);
        out.push_back(entry);
        Instruction cont{nullptr, {}};
        cont.arg.small = e.next;
        out.push_back(cont);
    }
    std::sort(s.entries.begin(), s.entries.end());  // by rank, for the static jumps below

    // Into chunk memory: the instructions, then the constants they point to.
    const size_t instr_bytes = out.size() * sizeof(Instruction);
    static_assert(sizeof(uint256) % sizeof(Instruction) == 0 && alignof(uint256) <= 16);
    auto* const mem =
        static_cast<std::byte*>(allocate(instr_bytes + s.constants.size() * sizeof(uint256)));
    auto* const run = reinterpret_cast<Instruction*>(mem);
    for (size_t k = 0; k < out.size(); ++k) new (run + k) Instruction(out[k]);
    auto* const constants = reinterpret_cast<uint256*>(mem + instr_bytes);
    for (size_t k = 0; k < s.constants.size(); ++k) new (constants + k) uint256(s.constants[k]);
    for (const auto& [idx, c] : s.big_pushes) run[idx].arg.big = constants + c;
    for (size_t k = first_entry + 1; k < out.size(); k += 2)
        run[k].arg.target = run + run[k].arg.small;
    // Static jumps: straight to a translated JUMPDEST (before, or in this run), else a lazy jump
    // that looks it up when taken.
    for (const auto& [idx, dest] : s.static_jumps) {
        // SAFETY: dest is a JUMPDEST (checked when the jump was recorded).
        const auto rank = static_cast<uint32_t>(jumpdest_index(dest));
        const Instruction* t = entries_[rank].load(std::memory_order_relaxed);
        if (t == nullptr) {
            const auto it = std::lower_bound(
                s.entries.begin(), s.entries.end(), rank,
                [](const std::pair<uint32_t, size_t>& e, uint32_t r) { return e.first < r; });
            if (it != s.entries.end() && it->first == rank) t = run + it->second;
        }
        Instruction& ins = run[idx];
        if (t != nullptr) {
            ins.arg.target = t;
        } else {
            const bool jumpi = ins.handler == handlers[kOpJumpiStatic];
            ins.handler = handlers[jumpi ? kOpJumpiLazy : kOpJumpLazy];
            ins.arg.slot = &entries_[rank];
        }
    }
    // Published last: a thread that finds an entry sees the whole run (release, paired with
    // entry()'s acquire).
    for (const auto& [rank, idx] : s.entries)
        entries_[rank].store(run + idx, std::memory_order_release);
    return run;
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
        for (const auto& kv : s.map) out.translated_bytes += kv.second->translated_bytes();
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
