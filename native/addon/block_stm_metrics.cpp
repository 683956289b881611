// The Block-STM metrics trailer. See block_stm_metrics.hpp for the layout.
#include "block_stm_metrics.hpp"

#include <algorithm>

namespace pevm::addon {
namespace {

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_u64(std::vector<uint8_t>& out, uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

void append_stm_metrics(std::vector<uint8_t>& out, const state::ParallelStats& stats) {
    const size_t start = out.size();
    const auto& m = stats.metrics;
    out.push_back(stats.parallel ? 1 : 0);
    const size_t reason = std::min<size_t>(stats.fallback.size(), 255);
    out.push_back(static_cast<uint8_t>(reason));
    out.insert(out.end(), stats.fallback.begin(), stats.fallback.begin() + reason);
    put_u32(out, m.threads);
    for (uint64_t v :
         {m.executions, m.reexecutions, m.validations, m.validation_aborts, m.estimate_waits,
          m.execution_ns, m.validation_ns, m.commit_ns, m.idle_ns, m.total_ns})
        put_u64(out, v);
    uint32_t edges = 0;
    for (const auto& deps : m.dependencies) edges += static_cast<uint32_t>(deps.size());
    put_u32(out, edges);
    for (size_t tx = 0; tx < m.dependencies.size(); ++tx) {
        for (uint32_t dep : m.dependencies[tx]) {
            put_u32(out, static_cast<uint32_t>(tx));
            put_u32(out, dep);
        }
    }
    put_u32(out, static_cast<uint32_t>(out.size() - start));
    put_u32(out, kStmTrailerMagic);
}

}  // namespace pevm::addon
