// Code analysis: done once per (code, fork), cached by code hash and shared across threads.
//
// The bytecode is translated into an array of instructions, each the address of its handler in
// the dispatch loop plus one argument, grouped into basic blocks. A block starts at the code
// start, at every JUMPDEST and after every JUMP, JUMPI, terminator or undefined opcode; it opens
// with a BEGINBLOCK pseudo-instruction that charges the base gas of the whole block and checks
// the stack height it needs and its growth, so the instructions themselves check nothing static.
// This is exact: a block can only leave early through an exceptional halt, which consumes all
// gas and reverts everything whatever the order, and the instructions that observe the gas left
// (GAS, calls, creates, SSTORE's sentry) add back the base gas of the rest of their block (their
// `correction`).
//
// JUMPDEST costs nothing at run time. One that starts a block is that block's BEGINBLOCK. One
// reached by falling through from the code before it does not end the block (a block is
// entered at its start or at such a JUMPDEST, and always runs to its end unless it halts): a
// jump to it enters through an ENTRY pseudo-instruction, kept after the code, that charges and
// checks the rest of the block from that JUMPDEST on, then continues in the middle of the block.
// PUSH followed by JUMP or JUMPI becomes one static jump whose target is resolved here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
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
        int64_t correction;         // out-of-line instructions: base gas of the rest of the block
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
inline constexpr int kNumHandlers = 261;

/// The dispatch loop's handler table (interpreter.cpp).
const void* const* instruction_handlers() noexcept;

class CodeAnalysis {
public:
    CodeAnalysis(const uint8_t* code, size_t size, evmc_revision rev);

    const Instruction* instructions() const noexcept { return instrs_.data(); }
    const uint8_t* code() const noexcept { return code_.data(); }
    size_t code_size() const noexcept { return code_.size(); }
    evmc_revision revision() const noexcept { return rev_; }

    /// The BEGINBLOCK of the JUMPDEST at `dest`, or null if `dest` is not a valid destination.
    const Instruction* jump_target(const uint256& dest) const noexcept {
        if (!dest.fits_u64() || dest.w[0] >= jumpdest_.size()) return nullptr;
        const int32_t i = jumpdest_[dest.w[0]];
        return i < 0 ? nullptr : instrs_.data() + i;
    }

private:
    evmc_revision rev_;
    std::vector<uint8_t> code_;
    std::vector<Instruction> instrs_;
    std::vector<uint256> constants_;
    std::vector<int32_t> jumpdest_;  // per code byte: BEGINBLOCK or ENTRY index, -1 = none
};

/// Analyses `code` for one use.
std::shared_ptr<const CodeAnalysis> analyze(const uint8_t* code, size_t size, evmc_revision rev);

/// Returns the cached analysis for (`code_hash`, `rev`), analysing `code` on a miss.
/// Thread-safe; the cache is bounded (an entry is dropped when its shard fills up; holders
/// keep theirs alive through the shared_ptr).
std::shared_ptr<const CodeAnalysis> analyze_cached(const evmc_bytes32& code_hash,
                                                   const uint8_t* code, size_t size,
                                                   evmc_revision rev);

/// Empties the shared cache (tests, memory pressure); each thread's front cache (ThreadAnalysis)
/// is emptied at its next outermost lookup.
void clear_analysis_cache() noexcept;

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
