// Parallel sender recovery. See block_senders.hpp.
#include "state/block_senders.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

#include "precompiles/ecrecover.hpp"

namespace pevm::state {

std::vector<std::optional<evmc_address>> recover_senders(
    const std::vector<SignatureToRecover>& sigs, unsigned threads) {
    std::vector<std::optional<evmc_address>> out(sigs.size());
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    // Below ~32 signatures a thread costs more than it saves.
    threads = static_cast<unsigned>(std::min<size_t>(threads, (sigs.size() + 31) / 32));
    std::atomic<size_t> next{0};
    auto work = [&]() noexcept {
        constexpr size_t kChunk = 16;
        for (;;) {
            // relaxed: the counter only hands out disjoint index ranges; join() publishes results.
            const size_t begin = next.fetch_add(kChunk, std::memory_order_relaxed);
            if (begin >= sigs.size()) return;
            const size_t end = std::min(sigs.size(), begin + kChunk);
            for (size_t i = begin; i < end; ++i) {
                const SignatureToRecover& s = sigs[i];
                out[i] = precompiles::recover_address(s.hash, s.r, s.s, s.y_parity);
            }
        }
    };
    if (threads <= 1) {
        work();
        return out;
    }
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
    return out;
}

}  // namespace pevm::state
