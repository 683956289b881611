// The Block-STM metrics trailer. See block_stm_metrics.hpp for the layout.
#include "block_stm_metrics.hpp"

#include <algorithm>
#include <utility>

#include "wire.hpp"

namespace pevm::addon {

void append_stm_metrics(std::vector<uint8_t>& out, const state::ParallelStats& stats) {
    WireWriter w;  // appends to the result (moved in and back out: no copy)
    w.out = std::move(out);
    const size_t start = w.out.size();
    const auto& m = stats.metrics;
    w.u8(stats.parallel ? 1 : 0);
    w.u8(static_cast<uint8_t>(stats.engine));
    const size_t reason = std::min<size_t>(stats.fallback.size(), 255);
    w.u8(static_cast<uint8_t>(reason));
    w.raw(reinterpret_cast<const uint8_t*>(stats.fallback.data()), reason);
    w.u32(m.threads);
    for (uint64_t v :
         {m.executions, m.reexecutions, m.validations, m.validation_aborts, m.estimate_waits,
          m.execution_ns, m.validation_ns, m.commit_ns, m.idle_ns, m.total_ns})
        w.u64(v);
    uint32_t edges = 0;
    for (const auto& deps : m.dependencies) edges += static_cast<uint32_t>(deps.size());
    w.u32(edges);
    for (size_t tx = 0; tx < m.dependencies.size(); ++tx) {
        for (uint32_t dep : m.dependencies[tx]) {
            w.u32(static_cast<uint32_t>(tx));
            w.u32(dep);
        }
    }
    const size_t sites = std::min(stats.conflicts.size(), kMaxConflictSites);
    w.u32(static_cast<uint32_t>(sites));
    for (size_t i = 0; i < sites; ++i) {
        // SAFETY: i < sites <= stats.conflicts.size().
        const state::ConflictSite& c = stats.conflicts[i];
        w.u8(static_cast<uint8_t>(c.kind));
        w.raw(c.address.bytes, sizeof(c.address.bytes));
        w.raw(c.key.bytes, sizeof(c.key.bytes));
        w.u32(c.aborts);
        w.u32(c.waits);
    }
    w.u32(static_cast<uint32_t>(w.out.size() - start));
    w.u32(kStmTrailerMagic);
    out = std::move(w.out);
}

}  // namespace pevm::addon
