// The Block-STM scheduler (Gelashvili et al., "Block-STM", Algorithms 4-5), with one mutex per
// transaction slot (status, incarnation and dependents together; nested only blocker -> dependent,
// i.e. in ascending index order) and an idle wait instead of spinning when no task is available.
#include "stm/scheduler.hpp"

#include <algorithm>

namespace pevm::stm {

namespace {

// Lowers `a` to at most `target`.
void fetch_min(std::atomic<uint64_t>& a, uint64_t target) {
    uint64_t cur = a.load(std::memory_order_seq_cst);  // seq_cst: see the counters' comment
    while (cur > target && !a.compare_exchange_weak(cur, target, std::memory_order_seq_cst,
                                                    std::memory_order_seq_cst)) {
    }
}

}  // namespace

Scheduler::Scheduler(size_t num_txs)
    : num_txs_(num_txs), slots_(std::make_unique<TxSlot[]>(num_txs)) {}

bool Scheduler::indices_exhausted() const noexcept {
    // seq_cst: part of the same total order the done check reasons about.
    return std::min(execution_idx_.load(std::memory_order_seq_cst),
                    validation_idx_.load(std::memory_order_seq_cst)) >= num_txs_;
}

void Scheduler::check_done() {
    // seq_cst throughout: the paper's argument that no decrease slipped between the reads.
    const uint64_t observed = decrease_cnt_.load(std::memory_order_seq_cst);
    if (indices_exhausted() && num_active_tasks_.load(std::memory_order_seq_cst) == 0 &&
        observed == decrease_cnt_.load(std::memory_order_seq_cst)) {
        done_.store(true, std::memory_order_release);  // publishes every task's effects to done()
        wake();
    }
}

SchedulerTask Scheduler::try_incarnate(TxIdx tx) {
    if (tx < num_txs_) {
        // SAFETY: tx < num_txs_.
        TxSlot& slot = slots_[tx];
        std::lock_guard lock(slot.mutex);
        if (slot.status == TxStatus::kReadyToExecute) {
            slot.status = TxStatus::kExecuting;
            return {SchedulerTask::Kind::kExecute, tx, slot.incarnation};
        }
    }
    num_active_tasks_.fetch_sub(1, std::memory_order_seq_cst);  // seq_cst: done check
    return {};
}

SchedulerTask Scheduler::next_version_to_execute() {
    if (execution_idx_.load(std::memory_order_seq_cst) >= num_txs_) {
        check_done();
        return {};
    }
    num_active_tasks_.fetch_add(1, std::memory_order_seq_cst);  // before taking an index: done
    const uint64_t idx = execution_idx_.fetch_add(1, std::memory_order_seq_cst);
    return try_incarnate(idx < num_txs_ ? static_cast<TxIdx>(idx) : static_cast<TxIdx>(num_txs_));
}

SchedulerTask Scheduler::next_version_to_validate() {
    if (validation_idx_.load(std::memory_order_seq_cst) >= num_txs_) {
        check_done();
        return {};
    }
    num_active_tasks_.fetch_add(1, std::memory_order_seq_cst);  // before taking an index: done
    const uint64_t idx = validation_idx_.fetch_add(1, std::memory_order_seq_cst);
    if (idx < num_txs_) {
        // SAFETY: idx < num_txs_.
        TxSlot& slot = slots_[idx];
        std::lock_guard lock(slot.mutex);
        if (slot.status == TxStatus::kExecuted)
            return {SchedulerTask::Kind::kValidate, static_cast<TxIdx>(idx), slot.incarnation};
    }
    num_active_tasks_.fetch_sub(1, std::memory_order_seq_cst);  // seq_cst: done check
    return {};
}

SchedulerTask Scheduler::next_task() {
    if (validation_idx_.load(std::memory_order_seq_cst) <
        execution_idx_.load(std::memory_order_seq_cst)) {
        return next_version_to_validate();
    }
    return next_version_to_execute();
}

bool Scheduler::add_dependency(TxIdx tx, TxIdx blocker) {
    {
        // SAFETY: blocker < tx < num_txs_ (a transaction only reads entries below itself).
        TxSlot& b = slots_[blocker];
        std::lock_guard lock(b.mutex);
        if (b.status == TxStatus::kExecuted) return false;  // re-executed meanwhile: just retry
        {
            TxSlot& t = slots_[tx];
            std::lock_guard inner(t.mutex);  // ascending order (blocker < tx): no deadlock
            t.status = TxStatus::kAborting;
        }
        b.dependents.push_back(tx);
    }
    num_active_tasks_.fetch_sub(1, std::memory_order_seq_cst);  // seq_cst: done check
    return true;
}

void Scheduler::set_ready_status(TxIdx tx) {
    // SAFETY: tx < num_txs_ (it came from a slot or a task).
    TxSlot& slot = slots_[tx];
    std::lock_guard lock(slot.mutex);
    slot.incarnation += 1;
    slot.status = TxStatus::kReadyToExecute;
}

void Scheduler::decrease_execution_idx(TxIdx target) {
    fetch_min(execution_idx_, target);
    decrease_cnt_.fetch_add(1, std::memory_order_seq_cst);  // seq_cst: done check
    wake();
}

void Scheduler::decrease_validation_idx(TxIdx target) {
    fetch_min(validation_idx_, target);
    decrease_cnt_.fetch_add(1, std::memory_order_seq_cst);  // seq_cst: done check
    wake();
}

SchedulerTask Scheduler::finish_execution(TxIdx tx, Incarnation inc, bool wrote_new_location) {
    std::vector<TxIdx> dependents;
    {
        // SAFETY: tx < num_txs_.
        TxSlot& slot = slots_[tx];
        std::lock_guard lock(slot.mutex);
        slot.status = TxStatus::kExecuted;
        dependents.swap(slot.dependents);
    }
    if (!dependents.empty()) {
        TxIdx lowest = dependents.front();
        for (TxIdx d : dependents) {
            set_ready_status(d);
            lowest = std::min(lowest, d);
        }
        decrease_execution_idx(lowest);
    }
    if (validation_idx_.load(std::memory_order_seq_cst) > tx) {
        if (wrote_new_location) {
            decrease_validation_idx(tx);  // later reads may have missed the new location
        } else {
            return {SchedulerTask::Kind::kValidate, tx, inc};
        }
    }
    num_active_tasks_.fetch_sub(1, std::memory_order_seq_cst);  // seq_cst: done check
    return {};
}

bool Scheduler::try_validation_abort(TxIdx tx, Incarnation inc) {
    // SAFETY: tx < num_txs_.
    TxSlot& slot = slots_[tx];
    std::lock_guard lock(slot.mutex);
    if (slot.incarnation == inc && slot.status == TxStatus::kExecuted) {
        slot.status = TxStatus::kAborting;
        return true;
    }
    return false;
}

SchedulerTask Scheduler::finish_validation(TxIdx tx, bool aborted) {
    if (aborted) {
        set_ready_status(tx);
        decrease_validation_idx(tx + 1);
        if (execution_idx_.load(std::memory_order_seq_cst) > tx) {
            // try_incarnate releases this task's active count itself when it fails.
            return try_incarnate(tx);
        }
    }
    num_active_tasks_.fetch_sub(1, std::memory_order_seq_cst);  // seq_cst: done check
    return {};
}

void Scheduler::halt() {
    done_.store(true, std::memory_order_release);  // pairs with the acquire in done()
    wake();
}

void Scheduler::wake() {
    epoch_.fetch_add(1, std::memory_order_seq_cst);  // seq_cst: Dekker pairing with sleepers_
    if (sleepers_.load(std::memory_order_seq_cst) != 0) {
        { std::lock_guard lock(sleep_mutex_); }  // a sleeper is either before its check or waiting
        sleep_cv_.notify_all();
    }
}

void Scheduler::wait_for_work(uint64_t seen) {
    // The caller may have just released the last active task (a failed next_version_to_validate
    // or try_incarnate decrements without re-checking): the thread doing the last decrement must
    // run the done check itself before sleeping, or every worker could sleep forever.
    check_done();
    std::unique_lock lock(sleep_mutex_);
    sleepers_.fetch_add(1, std::memory_order_seq_cst);  // seq_cst: Dekker pairing with epoch_
    while (epoch_.load(std::memory_order_seq_cst) == seen && !done()) sleep_cv_.wait(lock);
    sleepers_.fetch_sub(1, std::memory_order_relaxed);  // only an optimization hint for wake()
}

}  // namespace pevm::stm
