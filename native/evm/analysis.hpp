// Code analysis: done once per code, cached by code hash and shared across threads.
//
// The analysis holds a padded copy of the code (33 zero bytes after the end, so that a PUSH that
// runs past the end reads zeros and the byte after it is STOP) and a byte map of the valid jump
// destinations (JUMPDEST opcodes that are not inside PUSH data).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "evm/evmc.h"

namespace pevm::evm {

class CodeAnalysis {
public:
    CodeAnalysis(const uint8_t* code, size_t size);

    const uint8_t* code() const noexcept { return buf_.get(); }  // padded
    size_t code_size() const noexcept { return size_; }         // without the padding
    /// True when `dest` (< code_size()) is a JUMPDEST instruction.
    bool is_jumpdest(uint64_t dest) const noexcept { return dest < size_ && jumpdest_[dest] != 0; }

    static constexpr size_t kPadding = 33;

private:
    size_t size_;
    std::unique_ptr<uint8_t[]> buf_;  // code_size + kPadding bytes of code, then the map
    const uint8_t* jumpdest_;
};

/// Analyses `code` for one use.
std::shared_ptr<const CodeAnalysis> analyze(const uint8_t* code, size_t size);

/// Returns the cached analysis for `code_hash`, analysing `code` on a miss. Thread-safe; the
/// cache is bounded (entries are dropped when a shard fills up; holders keep theirs alive).
std::shared_ptr<const CodeAnalysis> analyze_cached(const evmc_bytes32& code_hash,
                                                   const uint8_t* code, size_t size);

/// Empties the shared cache (tests, memory pressure).
void clear_analysis_cache() noexcept;

}  // namespace pevm::evm
