// Block-STM test surface: stmRunMockBlock(encodedBlock, threads, mode) runs a mock-VM block
// (native/stm/mock_vm.hpp) in parallel on the persistent pool or sequentially, off the event loop,
// and resolves to { finalState, perTxOutputs, metrics }. stmPoolInfo() reports the pool's size.
// stmPoolPlacement(threads, ms) runs `threads` workers on the pool (the calling thread is worker
// 0), each spinning for `ms` milliseconds, and returns the CPU each was on when it started and
// when it stopped (-1 where the platform does not say), for the pool's CPU placement test.
//
// finalState:   u32 count, then per location: u32 key, 32-byte big-endian value.
// perTxOutputs: per transaction: u64 digest (LE), u16 write count, then per write: u8 kind
//               (0 full, 1 delta), u32 key, 32-byte value or delta, 32-byte value after the tx.
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "boundary.hpp"
#include "exports.hpp"
#include "stm/block_stm.hpp"
#include "stm/mock_vm.hpp"

namespace pevm::addon {
namespace {

using stm::mock::MockBlock;

class Writer {
public:
    template <class T>
    void put(T v) {
        const size_t at = out.size();
        out.resize(at + sizeof(T));
        std::memcpy(out.data() + at, &v, sizeof(T));  // little-endian host
    }
    void put256(const uint256& v) {
        const size_t at = out.size();
        out.resize(at + 32);
        v.store_be(out.data() + at);
    }
    std::vector<uint8_t> out;
};

class MockBlockWorker final : public PromiseWorker {
public:
    MockBlockWorker(Napi::Env env, MockBlock block, unsigned threads, bool parallel)
        : PromiseWorker(env), block_(std::move(block)), threads_(threads), parallel_(parallel) {}

    void Execute() override {
        try {
            result_ = parallel_ ? stm::execute_block_parallel(block_, threads_)
                                : stm::execute_block_sequential(block_);
            encode();
        } catch (const std::exception& e) {
            SetError(std::string("stmRunMockBlock: ") + e.what());
        }
    }

    void OnOK() override {
        Napi::Env env = Env();
        Napi::Object out = Napi::Object::New(env);
        out.Set("finalState", toUint8Array(env, final_state_.out));
        out.Set("perTxOutputs", toUint8Array(env, per_tx_.out));
        const stm::BlockMetrics& m = result_.metrics;
        Napi::Object metrics = Napi::Object::New(env);
        auto num = [&](const char* name, double v) {
            metrics.Set(name, Napi::Number::New(env, v));
        };
        num("threads", m.threads);
        num("executions", static_cast<double>(m.executions));
        num("reexecutions", static_cast<double>(m.reexecutions));
        num("validations", static_cast<double>(m.validations));
        num("validationAborts", static_cast<double>(m.validation_aborts));
        num("estimateWaits", static_cast<double>(m.estimate_waits));
        num("executionMs", static_cast<double>(m.execution_ns) / 1e6);
        num("validationMs", static_cast<double>(m.validation_ns) / 1e6);
        num("commitMs", static_cast<double>(m.commit_ns) / 1e6);
        num("idleMs", static_cast<double>(m.idle_ns) / 1e6);
        num("totalMs", static_cast<double>(m.total_ns) / 1e6);
        Napi::Array deps = Napi::Array::New(env, m.dependencies.size());
        for (size_t i = 0; i < m.dependencies.size(); ++i) {
            const auto& d = m.dependencies[i];
            Napi::Array row = Napi::Array::New(env, d.size());
            for (size_t j = 0; j < d.size(); ++j)
                row.Set(static_cast<uint32_t>(j), Napi::Number::New(env, d[j]));
            deps.Set(static_cast<uint32_t>(i), row);
        }
        metrics.Set("dependencies", deps);
        Napi::Array conflicts = Napi::Array::New(env, result_.conflicts.size());
        for (size_t i = 0; i < result_.conflicts.size(); ++i) {
            const auto& c = result_.conflicts[i];
            Napi::Object site = Napi::Object::New(env);
            site.Set("key", Napi::Number::New(env, c.location));
            site.Set("aborts", Napi::Number::New(env, c.aborts));
            site.Set("waits", Napi::Number::New(env, c.waits));
            conflicts.Set(static_cast<uint32_t>(i), site);
        }
        metrics.Set("conflicts", conflicts);
        out.Set("metrics", metrics);
        deferred_.Resolve(out);
    }

    void OnError(const Napi::Error& e) override {
        Napi::Error error = makeError(Env(), code::kInternal, e.Message());
        deferred_.Reject(error.Value());
    }

private:
    void encode() {
        final_state_.put<uint32_t>(static_cast<uint32_t>(result_.state_changes.size()));
        for (const auto& [key, value] : result_.state_changes) {
            final_state_.put<uint32_t>(key);
            final_state_.put256(value);
        }
        for (const auto& tx : result_.txs) {
            per_tx_.put<uint64_t>(tx.output);
            per_tx_.put<uint16_t>(static_cast<uint16_t>(tx.writes.size()));
            for (size_t j = 0; j < tx.writes.size(); ++j) {
                const auto& w = tx.writes[j];
                per_tx_.put<uint8_t>(w.kind == stm::WriteKind::kFull ? 0 : 1);
                per_tx_.put<uint32_t>(w.location);
                per_tx_.put256(w.kind == stm::WriteKind::kFull ? w.value : w.delta);
                per_tx_.put256(tx.resolved[j]);
            }
        }
        result_.txs.clear();
        result_.state_changes.clear();
    }

    MockBlock block_;
    unsigned threads_;
    bool parallel_;
    stm::BlockOutput<MockBlock> result_;
    Writer final_state_;
    Writer per_tx_;
};

Napi::Value runMockBlock(const Napi::CallbackInfo& info) {
    const auto bytes = bytesArg(info, 0, "encodedBlock");
    uint32_t threads = uint32Arg(info, 1, "threads");
    if (threads == 0) threads = stm::ThreadPool::default_threads();
    if (threads > stm::ThreadPool::kMaxThreads)
        throw CodedError(code::kInvalidArgument, "threads must be at most 256");
    if (info.Length() <= 2 || !info[2].IsString())
        throw CodedError(code::kInvalidArgument, "mode must be 'parallel' or 'sequential'");
    const std::string mode = info[2].As<Napi::String>().Utf8Value();
    if (mode != "parallel" && mode != "sequential")
        throw CodedError(code::kInvalidArgument, "mode must be 'parallel' or 'sequential'");
    MockBlock block;
    std::string error;
    if (!MockBlock::decode(bytes, block, error)) throw CodedError(code::kInvalidArgument, error);
    auto* worker = new MockBlockWorker(info.Env(), std::move(block), threads, mode == "parallel");
    auto promise = worker->promise();
    worker->Queue();  // the worker deletes itself after OnOK/OnError
    return promise;
}

Napi::Value poolInfo(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object out = Napi::Object::New(env);
    out.Set("poolThreads", Napi::Number::New(env, stm::ThreadPool::global().size()));
    out.Set("defaultThreads", Napi::Number::New(env, stm::ThreadPool::default_threads()));
    return out;
}

Napi::Value poolPlacement(const Napi::CallbackInfo& info) {
    const uint32_t threads = uint32Arg(info, 0, "threads");
    const uint32_t ms = uint32Arg(info, 1, "ms");
    if (threads == 0 || threads > stm::ThreadPool::kMaxThreads)
        throw CodedError(code::kInvalidArgument, "threads must be 1 to 256");
    if (ms > 1000) throw CodedError(code::kInvalidArgument, "ms must be at most 1000");
    std::vector<int> first(threads), last(threads);
    stm::ThreadPool::global().run(threads, [&](unsigned id) {
        // SAFETY: id < threads, the vectors' size.
        first[id] = stm::ThreadPool::current_cpu();
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        while (std::chrono::steady_clock::now() < until) {
        }
        last[id] = stm::ThreadPool::current_cpu();  // SAFETY: as above
    });
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env, threads);
    for (uint32_t i = 0; i < threads; ++i) {
        Napi::Array pair = Napi::Array::New(env, 2);
        pair.Set(0u, Napi::Number::New(env, first[i]));  // SAFETY: i < threads
        pair.Set(1u, Napi::Number::New(env, last[i]));   // SAFETY: i < threads
        out.Set(i, pair);
    }
    return out;
}

}  // namespace

void registerStm(Napi::Env env, Napi::Object exports) {
    // Join the pool's threads when this environment is torn down (the static pool's destructor
    // covers a plain process exit); the pool restarts lazily if another environment uses it.
    // Each registration has a token of its own: the addon loaded twice into one environment
    // (process.dlopen again, as module-reloading test runners do) registers twice, and Node
    // aborts the process on a second hook with the same function and argument.
    napi_add_env_cleanup_hook(
        env,
        [](void* token) {
            delete static_cast<int*>(token);
            stm::ThreadPool::global().shutdown();
        },
        new int(0));
    exports.Set("stmRunMockBlock",
                Napi::Function::New<exported<runMockBlock>>(env, "stmRunMockBlock"));
    exports.Set("stmPoolInfo", Napi::Function::New<exported<poolInfo>>(env, "stmPoolInfo"));
    exports.Set("stmPoolPlacement",
                Napi::Function::New<exported<poolPlacement>>(env, "stmPoolPlacement"));
}

}  // namespace pevm::addon
