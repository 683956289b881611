// Blocks of plain transfers, their groups run side by side. See block_transfers.hpp.
#include "state/block_transfers.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <numeric>

#include "state/address_map.hpp"
#include "stm/thread_pool.hpp"

namespace pevm::state {
namespace {

using Clock = std::chrono::steady_clock;

bool empty_account(const AccountInfo* info) noexcept {
    return info == nullptr ||
           (info->nonce == 0 && !info->balance && equal(info->code_hash, kEmptyCodeHash));
}

// Union-find over the owned accounts' numbers (path halving; the smaller number is the root).
uint32_t find_root(std::vector<uint32_t>& parent, uint32_t x) noexcept {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}
void unite(std::vector<uint32_t>& parent, uint32_t a, uint32_t b) noexcept {
    a = find_root(parent, a);
    b = find_root(parent, b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
}

// A transaction the planner's parallel pass could not number alone: its recipient is not in the
// pre-state and receives nothing (owned: EIP-161), or it has an access list.
constexpr uint8_t kSideRecipient = 1;
constexpr uint8_t kListed = 2;

}  // namespace

std::optional<TransferPlan> plan_transfers(const Block& block, const BlockState& state,
                                           const PreState& pre, unsigned threads,
                                           std::string* why) {
    using Touch = TransferPlan::Touch;
    constexpr uint32_t kNone = TransferPlan::kNone;
    const size_t n = block.txs.size();
    auto no = [why](std::string reason) -> std::optional<TransferPlan> {
        if (why != nullptr) *why = std::move(reason);
        return std::nullopt;
    };
    const std::string kNotPlain = "not all plain transfers between accounts without code";
    if (threads < 2 || n < 2) return no("fewer than two threads or transactions");
    // The cheap checks on a prefix first: most blocks that are not all transfers say so early,
    // before the pool is woken for the look-ups.
    // Below 0x10000: the precompiles of every fork and room for later ones (a transfer to one runs
    // code).
    auto plain = [](const Transaction& tx) {
        return tx.type <= 3 && tx.to && !address_below(*tx.to, 0x10000) &&
               tx.authorizations.empty();
    };
    for (size_t i = 0; i < std::min<size_t>(n, 16); ++i)
        if (!plain(block.txs[i])) return no(kNotPlain);

    const bool strict = pre.strict();
    // An account the workers will read: the pre-state's, unless the system calls before the
    // transactions wrote it (then no plan), and listed when the pre-state is strict.
    auto readable = [&](const evmc_address& a, uint32_t& index) {
        if (state.touched(a)) return false;
        index = pre.account_index(a);
        return index != PreState::kNoAccount || !strict;
    };
    auto info = [&](uint32_t index) {
        return index == PreState::kNoAccount ? nullptr : &pre.account_at(index);
    };
    const evmc_address& coinbase = block.env.coinbase;
    uint32_t coinbase_index = PreState::kNoAccount;
    if (!readable(coinbase, coinbase_index)) return no(kNotPlain);
    const bool coinbase_empty = empty_account(info(coinbase_index));

    // ---- the look-ups, on the pool: numbers are pre-state indices ------------------------------
    const size_t listed_count = pre.account_count();
    TransferPlan plan;
    plan.touch.resize(n);
    std::vector<uint8_t> side(n, 0);
    std::vector<uint8_t> owned(listed_count, 0);  // set concurrently (atomic_ref), only to 1
    std::atomic<bool> ineligible{false};
    std::atomic<bool> zero_tip{false};
    const unsigned lookups = std::min<unsigned>(threads, static_cast<unsigned>((n + 1023) / 1024));
    auto look_up = [&](unsigned part) {
        const size_t end = n * (part + 1) / lookups;
        bool zero = false;
        constexpr size_t kAhead = 8;
        for (size_t i = n * part / lookups; i < end; ++i) {
            if ((i & 63) == 0 && ineligible.load(std::memory_order_relaxed)) return;
            if (i + kAhead < end) {
                // SAFETY: i + kAhead < end <= n.
                const Transaction& ahead = block.txs[i + kAhead];
                pre.prefetch_account(ahead.sender);
                if (ahead.to) pre.prefetch_account(*ahead.to);
            }
            // SAFETY: i < n, the size of block.txs, plan.touch and side.
            const Transaction& tx = block.txs[i];
            uint32_t s = kNone, t = kNone;
            if (!plain(tx) || !readable(tx.sender, s) || s == PreState::kNoAccount ||
                !equal(pre.account_at(s).code_hash, kEmptyCodeHash) || !readable(*tx.to, t) ||
                (t != PreState::kNoAccount &&
                 !equal(pre.account_at(t).code_hash, kEmptyCodeHash))) {
                ineligible.store(true, std::memory_order_relaxed);
                return;
            }
            plan.touch[i] = {s, t};
            std::atomic_ref<uint8_t>(owned[s]).store(1, std::memory_order_relaxed);
            if (!tx.value && empty_account(info(t))) {
                if (t != PreState::kNoAccount)
                    std::atomic_ref<uint8_t>(owned[t]).store(1, std::memory_order_relaxed);
                else
                    side[i] |= kSideRecipient;
            }
            if (!tx.access_list.empty()) side[i] |= kListed;
            if (coinbase_empty) {
                // Zero also where the fees are invalid (the run fails then, or never happens).
                const FeePerGas fee = fee_per_gas(tx, block.env.base_fee, block.rev);
                if (fee.invalid_code || !fee.priority) zero = true;
            }
        }
        if (zero) zero_tip.store(true, std::memory_order_relaxed);
    };
    if (lookups > 1)
        stm::ThreadPool::global().run(lookups, look_up);
    else
        look_up(0);
    if (ineligible.load(std::memory_order_relaxed)) return no(kNotPlain);

    // ---- numbers for accounts outside the pre-state, then the groups (serial) ----------------
    AddressMap<uint32_t> extra;  // rare: zero credits to new accounts, access lists
    auto number = [&](const evmc_address& a, uint32_t index) -> uint32_t {
        if (index != PreState::kNoAccount) return index;
        auto [id, inserted] = extra.try_emplace(a);
        if (inserted) {
            *id = static_cast<uint32_t>(owned.size());
            owned.push_back(0);
        }
        return *id;
    };
    const uint32_t coinbase_id = number(coinbase, coinbase_index);
    if (zero_tip.load(std::memory_order_relaxed)) owned[coinbase_id] = 1;
    bool access_lists = false;
    for (size_t i = 0; i < n; ++i) {
        if (side[i] == 0) continue;
        const Transaction& tx = block.txs[i];
        if (side[i] & kSideRecipient) owned[plan.touch[i].to = number(*tx.to, kNone)] = 1;
        if (side[i] & kListed) {
            if (plan.listed.empty()) plan.listed.resize(n);
            access_lists = true;
            for (const AccessListEntry& e : tx.access_list) {
                uint32_t index = PreState::kNoAccount;
                if (!readable(e.address, index)) return no(kNotPlain);
                const uint32_t id = number(e.address, index);
                owned[id] = 1;
                plan.listed[i].push_back(id);
            }
        }
    }
    // The fee recipient is touched by every transaction: owned, it makes one group.
    if (owned[coinbase_id])
        return no("the fee recipient's state matters (it sends, or may be removed)");
    plan.accounts = owned.size();
    std::vector<uint32_t> parent(plan.accounts);
    std::iota(parent.begin(), parent.end(), 0u);
    for (size_t i = 0; i < n; ++i) {
        Touch& t = plan.touch[i];
        if (t.to != kNone && owned[t.to])
            unite(parent, t.sender, t.to);
        else
            t.to = kNone;  // only credited
        if (access_lists)
            for (const uint32_t id : plan.listed[i]) unite(parent, t.sender, id);
    }

    // Groups, by their root account (numbered in order of their first transaction).
    std::vector<uint32_t> group_of(n);
    std::vector<uint32_t> root_group(plan.accounts, kNone);
    std::vector<uint32_t> size;
    for (size_t i = 0; i < n; ++i) {
        uint32_t& g = root_group[find_root(parent, plan.touch[i].sender)];
        if (g == kNone) {
            g = static_cast<uint32_t>(size.size());
            size.push_back(0);
        }
        ++size[group_of[i] = g];
    }
    plan.groups = size.size();
    plan.largest_group = *std::max_element(size.begin(), size.end());
    // One group of (nearly) all: nothing to run side by side.
    if (plan.groups < 2 || 8 * plan.largest_group > 7 * n)
        return no("one group holds " + std::to_string(plan.largest_group) + " of the " +
                  std::to_string(n) + " transactions");
    // Dealt out to the workers: the large groups first, each to the least loaded; then the
    // small ones in block order, filling one worker to its share before the next, so that each
    // worker's transactions are mostly a contiguous run of the block (dealt out one by one, the
    // neighbouring transactions' outcomes, written by different workers, shared cache lines).
    const size_t parts = std::min<size_t>(threads, plan.groups);
    std::vector<uint64_t> load(parts, 0);
    std::vector<uint32_t> part_of(plan.groups, kNone);
    const size_t large = std::max<size_t>(1, n / (8 * parts));
    std::vector<uint32_t> big;
    for (uint32_t g = 0; g < plan.groups; ++g)
        if (size[g] > large) big.push_back(g);
    std::sort(big.begin(), big.end(), [&](uint32_t a, uint32_t b) {
        return size[a] != size[b] ? size[a] > size[b] : a < b;
    });
    auto least = [&] {
        return static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    };
    for (const uint32_t g : big) {
        const size_t p = least();
        part_of[g] = static_cast<uint32_t>(p);
        load[p] += size[g];
    }
    const uint64_t share = (n + parts - 1) / parts;
    size_t fill = 0;
    for (uint32_t g = 0; g < plan.groups; ++g) {
        if (part_of[g] != kNone) continue;
        while (fill + 1 < parts && load[fill] + size[g] > share) ++fill;
        const size_t p = load[fill] + size[g] > share ? least() : fill;
        part_of[g] = static_cast<uint32_t>(p);
        load[p] += size[g];
    }
    plan.parts.resize(parts);
    for (size_t p = 0; p < parts; ++p) plan.parts[p].reserve(load[p]);
    for (size_t i = 0; i < n; ++i)
        plan.parts[part_of[group_of[i]]].push_back(static_cast<uint32_t>(i));
    // Every worker must have work (a worker with none would only be woken for nothing).
    for (const auto& part : plan.parts)
        if (part.empty()) return no("fewer groups than workers could share");
    return plan;
}

std::vector<TxOutcome> execute_transfers(BlockState& state, PreState& pre, const Block& block,
                                         VmChoice vm, TransferPlan plan,
                                         stm::BlockMetrics& metrics) {
    constexpr uint32_t kNone = TransferPlan::kNone;
    const auto start = Clock::now();
    const size_t n = block.txs.size();
    const auto parts = static_cast<unsigned>(plan.parts.size());
    const BlockState before(state);  // a handful of accounts: what the system calls wrote
    // Worker 0 commits into the block's state; each other worker into its own over the
    // pre-state (the plan made sure the system calls wrote none of their accounts).
    std::vector<std::unique_ptr<BlockState>> own(parts);
    std::vector<TxOutcome> outcomes(n);
    std::vector<std::vector<stm::TxIdx>> dependencies(n);
    // The last transaction that touched each owned account. A group's accounts are touched by
    // its transactions alone, so each entry is written by one worker.
    std::vector<uint32_t> last(plan.accounts, kNone);
    std::vector<uint64_t> busy(parts, 0);
    std::atomic<bool> invalid{false};
    stm::ThreadPool::global().run(parts, [&](unsigned p) {
        const auto t0 = Clock::now();
        // SAFETY: p < parts, the size of own, plan.parts and busy.
        if (p != 0) {
            own[p] = std::make_unique<BlockState>(pre);
            own[p]->reserve(2 * plan.parts[p].size() + 16);
        }
        BlockState& view = p == 0 ? state : *own[p];
        const std::vector<uint32_t>& mine = plan.parts[p];
        for (size_t k = 0; k < mine.size(); ++k) {
            if (invalid.load(std::memory_order_relaxed)) break;
            // SAFETY: k < mine.size().
            const uint32_t i = mine[k];
            if (k + 1 < mine.size()) {
                // The next transaction's accounts start loading while this one runs (as in the
                // sequential loop).
                const Transaction& next = block.txs[mine[k + 1]];
                view.prefetch_account(next.sender);
                view.prefetch_account(*next.to);
            }
            // SAFETY: i < n, the size of block.txs, outcomes, dependencies and plan.touch; the
            // accounts' numbers are below plan.accounts, the size of last.
            TxOutcome r = transition(view, block.env, block.txs[i], block.rev, vm);
            if (r.invalid) {
                invalid.store(true, std::memory_order_relaxed);
                break;
            }
            // The block executor only needs the outcome's gas, status and logs once it is applied.
            commit_outcome(view, r);
            outcomes[i] = std::move(r);
            auto& deps = dependencies[i];
            auto depend = [&](uint32_t account) {
                const uint32_t before = last[account];
                if (before != kNone && std::find(deps.begin(), deps.end(), before) == deps.end())
                    deps.push_back(before);
                last[account] = i;
            };
            const TransferPlan::Touch t = plan.touch[i];
            depend(t.sender);
            if (t.to != kNone && t.to != t.sender) depend(t.to);
            if (!plan.listed.empty())
                for (const uint32_t id : plan.listed[i])
                    if (id != t.sender && id != t.to) depend(id);
            if (deps.size() > 1) std::sort(deps.begin(), deps.end());
        }
        busy[p] = stm::elapsed_ns(t0);
    });
    const uint64_t run_ns = stm::elapsed_ns(start);
    if (invalid.load(std::memory_order_relaxed)) {
        state.restore(before);
        return {};
    }
    const auto merge_start = Clock::now();
    for (unsigned p = 1; p < parts; ++p) state.merge(*own[p]);
    metrics = stm::BlockMetrics{};
    metrics.threads = parts;
    metrics.executions = n;
    metrics.commit_ns = stm::elapsed_ns(merge_start);
    for (unsigned p = 0; p < parts; ++p) {
        metrics.execution_ns += busy[p];
        metrics.idle_ns += run_ns > busy[p] ? run_ns - busy[p] : 0;
    }
    metrics.total_ns = stm::elapsed_ns(start);
    metrics.committed = n;
    metrics.dependencies = std::move(dependencies);
    return outcomes;
}

}  // namespace pevm::state
