// The collaborative scheduler of Block-STM: it hands out execution and validation tasks in
// transaction order, tracks each transaction's status and incarnation, suspends a transaction that
// read an ESTIMATE until its blocker has re-executed, and detects when the block is done.
// See block_stm.hpp for how it fits with the multi-version memory and the executor.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "stm/spin_lock.hpp"
#include "stm/types.hpp"

namespace pevm::stm {

/// The status of one transaction's current incarnation.
///
///     READY_TO_EXECUTE(i) --try_incarnate--> EXECUTING(i) --finish_execution--> EXECUTED(i)
///            ^                                   |                                  |
///            |                         add_dependency (read                try_validation_abort
///            |                          an ESTIMATE)                       (read set invalid)
///            |                                   v                                  |
///            +---- incarnation i+1 <------- ABORTING(i) <---------------------------+
///                  (resume_dependencies / finish_validation: set_ready_status)
enum class TxStatus : uint8_t {
    kReadyToExecute,
    kExecuting,
    kExecuted,
    kAborting,
};

class Scheduler {
public:
    explicit Scheduler(size_t num_txs);

    /// The next task, or kNone when there is nothing to hand out right now.
    SchedulerTask next_task();
    bool done() const noexcept {
        return done_.load(std::memory_order_acquire);  // pairs with the release in check_done
    }

    /// Called when `tx` read an ESTIMATE of `blocker`. Returns false if the blocker has executed
    /// meanwhile (the caller re-executes at once); true if `tx` is now suspended (ABORTING) and
    /// will be made ready again when the blocker finishes.
    bool add_dependency(TxIdx tx, TxIdx blocker);
    /// After recording incarnation `inc` of `tx`: wakes its dependents and returns a validation
    /// task for `tx` itself when appropriate.
    SchedulerTask finish_execution(TxIdx tx, Incarnation inc, bool wrote_new_location);
    /// Moves (tx, inc) from EXECUTED to ABORTING; true for exactly one failed validation.
    bool try_validation_abort(TxIdx tx, Incarnation inc);
    /// After a validation; if it aborted, returns the re-execution task when it can run now.
    SchedulerTask finish_validation(TxIdx tx, bool aborted);

    /// Stops the block early (a worker failed): done() becomes true and sleepers wake up.
    void halt();

    /// Idle wait: runs the done check, then returns when the scheduler state may have changed
    /// since `epoch()` returned `seen` (an index went back, or the block is done). Workers call it
    /// only when both indices have passed the end of the block, so no work is missed while they
    /// sleep.
    uint64_t epoch() const noexcept {
        return epoch_.load(std::memory_order_seq_cst);  // Dekker pairing with sleepers_, see wake
    }
    void wait_for_work(uint64_t seen);
    /// True when both indices are past the last transaction (only re-checks can create work).
    bool indices_exhausted() const noexcept;

private:
    struct alignas(64) TxSlot {
        SpinLock mutex;  // guards the three fields below
        Incarnation incarnation = 0;
        TxStatus status = TxStatus::kReadyToExecute;
        std::vector<TxIdx> dependents;  // suspended on this transaction's ESTIMATEs
    };

    SchedulerTask try_incarnate(TxIdx tx);
    SchedulerTask next_version_to_execute();
    SchedulerTask next_version_to_validate();
    void set_ready_status(TxIdx tx);
    void decrease_execution_idx(TxIdx target);
    void decrease_validation_idx(TxIdx target);
    void check_done();
    void wake();

    const size_t num_txs_;
    std::unique_ptr<TxSlot[]> slots_;
    // All four counters use seq_cst: the done check (check_done) argues over one total order of
    // index decreases, decrease_cnt_ and num_active_tasks_ (Block-STM paper, Lemma on done).
    alignas(64) std::atomic<uint64_t> execution_idx_{0};
    alignas(64) std::atomic<uint64_t> validation_idx_{0};
    alignas(64) std::atomic<uint64_t> decrease_cnt_{0};
    alignas(64) std::atomic<int64_t> num_active_tasks_{0};
    alignas(64) std::atomic<bool> done_{false};
    // Idle waiting (no spinning when all remaining work is in other threads' hands).
    alignas(64) std::atomic<uint64_t> epoch_{0};
    std::atomic<uint32_t> sleepers_{0};
    std::mutex sleep_mutex_;
    std::condition_variable sleep_cv_;
};

}  // namespace pevm::stm
