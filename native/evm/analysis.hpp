// Code analysis: made once per (code, fork), cached by code hash and shared across threads.
//
// The bytecode is translated into instructions, each the address of its handler in the dispatch
// loop plus one argument, grouped into basic blocks. A block starts where a run (below) starts and
// after every JUMPI; it opens with a BEGINBLOCK pseudo-instruction that charges the base gas of
// the whole block and checks the stack height it needs and its growth, so the instructions
// themselves check nothing static. This is exact: a block can only leave early through an
// exceptional halt, which consumes all gas and reverts everything whatever the order, and the
// instructions that observe the gas left (GAS, calls, creates, SSTORE's sentry) add back the base
// gas of the rest of their block (their `correction`).
//
// JUMPDEST costs nothing at run time. One that starts a block is that block's BEGINBLOCK. One
// reached by falling through from the code before it does not end the block (a block is entered
// at its start or at such a JUMPDEST, and always runs to its end unless it halts): a jump to it
// enters through an ENTRY pseudo-instruction, kept after its run, that charges and checks the
// rest of the block from that JUMPDEST on, then continues in the middle of the block. PUSH
// followed by JUMP or JUMPI becomes one static jump.
//
// Translation is lazy. Construction only copies the code and finds its valid jump destinations
// (a bit per code byte); code is translated when execution first reaches it, one run at a time:
// from an entry (the code start, or a JUMPDEST that a jump reached) through the blocks that
// follow by falling through, up to the first JUMP or halting opcode, or to a JUMPDEST translated
// before (the run then ends in a static jump to it). A block's first run in a process executes
// only about a sixth of the code it calls (contracts are large, a call runs one function), and
// translating all of it was most of that run's time. Runs are written into chunks that never
// move; a JUMPDEST's translation is published through an atomic pointer once its run is
// complete, so threads that share an analysis (Block-STM's workers) translate under its mutex
// and execute without any lock. A static jump to a JUMPDEST not translated when its own run was
// becomes a lazy jump that looks its target up at run time.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "evm/evmc.h"
#include "evm/uint256.hpp"

namespace pevm::evm {

struct Instruction {
    const void* handler;  // label in the dispatch loop
    union {
        uint64_t small;             // PUSH1..PUSH8 value, PC value
        const uint256* big;         // PUSH9..PUSH32 value
        const Instruction* target;  // static jumps (null: bad destination), ENTRY continuation
        const std::atomic<const Instruction*>* slot;  // lazy jumps: the destination's entry
        int64_t correction;  // out-of-line instructions: base gas of the rest of the block
        struct {
            int32_t gas;        // BEGINBLOCK: base gas of the block
            int16_t stack_req;  // stack items the block needs on entry
            int16_t stack_max;  // largest growth of the stack height within the block
        } block;
    } arg;
};

/// Pseudo-opcodes beyond the 256 byte values in the handler table.
inline constexpr int kOpBeginBlock = 256;
inline constexpr int kOpUndefined = 257;
inline constexpr int kOpJumpStatic = 258;   // PUSH + JUMP
inline constexpr int kOpJumpiStatic = 259;  // PUSH + JUMPI
inline constexpr int kOpEntry = 260;        // jump entry into the middle of a block
inline constexpr int kOpJumpLazy = 261;     // PUSH + JUMP to a JUMPDEST not yet translated
inline constexpr int kOpJumpiLazy = 262;    // PUSH + JUMPI likewise
inline constexpr int kNumHandlers = 263;

/// The dispatch loop's handler table (interpreter.cpp).
const void* const* instruction_handlers() noexcept;

class CodeAnalysis {
public:
    CodeAnalysis(const uint8_t* code, size_t size, evmc_revision rev);
    CodeAnalysis(const CodeAnalysis&) = delete;
    CodeAnalysis& operator=(const CodeAnalysis&) = delete;

    /// The translation of the code from its start.
    const Instruction* instructions() const noexcept { return start_; }
    const uint8_t* code() const noexcept { return code_.data(); }
    size_t code_size() const noexcept { return code_size_; }
    evmc_revision revision() const noexcept { return rev_; }

    /// Where a jump to `dest` enters (the BEGINBLOCK, or the ENTRY of a JUMPDEST merged into a
    /// block), translated first if need be; null if `dest` is not a valid destination.
    const Instruction* jump_target(const uint256& dest) const {
        if (!dest.fits_u64() || dest.w[0] >= code_size_) return nullptr;
        const int32_t i = jumpdest_index(dest.w[0]);
        // SAFETY: i < the number of JUMPDESTs.
        return i < 0 ? nullptr : lazy_target(&entries_[static_cast<size_t>(i)]);
    }
    /// The translation of the JUMPDEST whose entry is `slot` (one of entries_), translated first
    /// if execution never reached it before.
    const Instruction* lazy_target(const std::atomic<const Instruction*>* slot) const {
        // Acquire: pairs with the release that published the translation.
        const Instruction* t = slot->load(std::memory_order_acquire);
        return t != nullptr ? t : translate(static_cast<uint32_t>(slot - entries_.get()));
    }

    /// The memory the analysis holds once all of its code is translated (what the cache counts
    /// against its limit: a bound that holds whatever execution reaches).
    size_t memory_bytes() const noexcept { return memory_bound_; }
    /// The memory it holds now (code, destinations and the runs translated so far).
    size_t translated_bytes() const;

private:
    /// Translates the run from the JUMPDEST of rank `rank`, unless another thread just did;
    /// returns the JUMPDEST's translation.
    const Instruction* translate(uint32_t rank) const;
    /// Translates the run from `pc` (the code start or an untranslated JUMPDEST) into chunk
    /// memory, publishes its JUMPDESTs and returns its first instruction. Under mutex_.
    const Instruction* translate_run(size_t pc) const;
    /// `bytes` (a multiple of 16) of chunk memory, 16-byte aligned. Under mutex_.
    void* allocate(size_t bytes) const;

    evmc_revision rev_;
    // The code, then kCodePadding zero bytes: a PUSH's immediate is read as one 8-byte load,
    // wherever it stands, and a PUSH past the end reads zeros.
    std::vector<uint8_t> code_;
    size_t code_size_;
    /// The rank of the JUMPDEST at `pos` (< code size) among the code's JUMPDESTs, or -1.
    int32_t jumpdest_index(uint64_t pos) const noexcept {
        // SAFETY: pos < code size, so pos / 64 < jumpdest_words_.size().
        const JumpdestWord& w = jumpdest_words_[pos / 64];
        const uint64_t bit = uint64_t{1} << (pos % 64);
        if ((w.bits & bit) == 0) return -1;
        return static_cast<int32_t>(w.rank + popcount(w.bits & (bit - 1)));
    }
    /// Bits set in `x`. Baseline x86-64, which the prebuilt addon targets, lacks the POPCNT
    /// instruction, so std::popcount would be a library call: where the CPU has it (every x86-64
    /// since 2008) it runs as inline assembly, else as a handful of ALU operations.
    static uint32_t popcount(uint64_t x) noexcept {
#if defined(__x86_64__)
        if (kHasPopcnt) [[likely]] {
            uint64_t n;
            asm("popcntq %1, %0" : "=r"(n) : "r"(x) : "cc");
            return static_cast<uint32_t>(n);
        }
        x = x - ((x >> 1) & 0x5555555555555555ull);
        x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
        x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
        return static_cast<uint32_t>((x * 0x0101010101010101ull) >> 56);
#else
        return static_cast<uint32_t>(std::popcount(x));
#endif
    }
#if defined(__x86_64__)
    static const bool kHasPopcnt;
#endif

    // The valid jump destinations, compactly: a bit per code byte (set at each JUMPDEST), with
    // the count of JUMPDESTs before each 64-byte word; per JUMPDEST in code order, where a jump
    // to it enters once it is translated (null before).
    struct JumpdestWord {
        uint64_t bits = 0;
        uint32_t rank = 0;
    };
    std::vector<JumpdestWord> jumpdest_words_;
    std::unique_ptr<std::atomic<const Instruction*>[]> entries_;
    uint32_t jumpdests_ = 0;
    const Instruction* start_ = nullptr;
    size_t memory_bound_ = 0;

    // Translation: under mutex_, into chunks that never move (instructions, then the run's
    // PUSH9..PUSH32 constants).
    mutable std::mutex mutex_;
    mutable std::vector<std::unique_ptr<std::byte[]>> chunks_;
    mutable std::byte* chunk_next_ = nullptr;
    mutable size_t chunk_left_ = 0;
    mutable size_t chunk_bytes_ = 0;  // the chunks' total size
    size_t chunk_size_ = 0;           // the size of a chunk unless a run needs more
};

/// Analyses `code` for one use.
std::shared_ptr<const CodeAnalysis> analyze(const uint8_t* code, size_t size, evmc_revision rev);

/// Returns the cached analysis for (`code_hash`, `rev`), analysing `code` on a miss.
/// Thread-safe; the cache is bounded (an entry is dropped when its shard fills up; holders
/// keep theirs alive through the shared_ptr).
std::shared_ptr<const CodeAnalysis> analyze_cached(const evmc_bytes32& code_hash,
                                                   const uint8_t* code, size_t size,
                                                   evmc_revision rev);

/// Empties the shared cache (tests, memory pressure, first-run benchmarks); each thread's front
/// cache (ThreadAnalysis) is emptied at its next outermost lookup.
void clear_analysis_cache() noexcept;

/// How many analyses this process has made (analyze(), cache misses included).
uint64_t analyses_made() noexcept;

/// The shared cache's contents: analyses, the bytes counted against the limit (each analysis
/// at its fully translated size), and the bytes they hold now (the code translated so far).
struct AnalysisCacheStats {
    size_t entries = 0;
    size_t bytes = 0;
    size_t translated_bytes = 0;
};
AnalysisCacheStats analysis_cache_stats() noexcept;

/// The most bytes of analyses the shared cache keeps (default kDefaultAnalysisCacheBytes): an
/// insertion drops others first, from the same one of its 64 shards, so that each shard stays
/// within a 64th of it (or holds just the newest analysis, when that alone is larger). At most
/// 128 analyses per shard in any case. Analyses in use stay alive until their users are done.
void set_analysis_cache_limit(size_t bytes) noexcept;
inline constexpr size_t kDefaultAnalysisCacheBytes = size_t{256} << 20;

/// The analysis for (`code_hash`, `rev`) through a per-thread front of analyze_cached, for the
/// duration of one execution. A hit takes no lock and touches no shared reference count: when
/// two threads run the same contract (Block-STM), the shared path bounces the shard's mutex and
/// the analysis's count between their cores on every call frame. The thread's cache keeps what
/// it returns alive; it is trimmed only when no ThreadAnalysis of the thread is alive, so
/// nested calls never see their caller's analysis dropped.
class ThreadAnalysis {
public:
    ThreadAnalysis(const evmc_bytes32& code_hash, const uint8_t* code, size_t size,
                   evmc_revision rev);
    ~ThreadAnalysis();
    ThreadAnalysis(const ThreadAnalysis&) = delete;
    ThreadAnalysis& operator=(const ThreadAnalysis&) = delete;

    const CodeAnalysis& get() const noexcept { return *analysis_; }

private:
    const CodeAnalysis* analysis_;
};

}  // namespace pevm::evm
