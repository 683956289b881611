// The Block-STM metrics trailer that executeBlock appends to its result in parallel mode
// (lib/block/stm-metrics.ts decodes it): little-endian
//   u8 parallel, u8 engine (0 Block-STM, 1 transfer groups), u8 n + n bytes fallback reason,
//   u32 threads,
//   u64 executions, reexecutions, validations, validation aborts, estimate waits,
//       execution ns, validation ns, commit ns, idle ns, total ns,
//   u32 edges, edges x (u32 tx, u32 dependency),
//   u32 sites, sites x (u8 kind: 0 account, 1 balance, 2 storage, 3 existence; 20 bytes address;
//       32 bytes slot; u32 aborts; u32 waits), the costliest first (state::ConflictSite),
//   u32 length of everything above, u32 magic "STM1".
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "state/block_parallel.hpp"

namespace pevm::addon {

inline constexpr uint32_t kStmTrailerMagic = 0x314d5453;  // "STM1"
/// The conflict sites the trailer carries at most (a block's costliest).
inline constexpr size_t kMaxConflictSites = 256;

/// Appends the trailer for `stats` to `out`.
void append_stm_metrics(std::vector<uint8_t>& out, const state::ParallelStats& stats);

}  // namespace pevm::addon
