// executeBlock(request: Uint8Array, threads?: number, adaptive?: boolean, groupsOnly?: boolean)
// -> Promise<Uint8Array>: one whole block per call, decoded, executed (sequentially, or in
// parallel on `threads` threads, adaptively when asked) and encoded on a worker thread
// (Napi::AsyncWorker), never touching JavaScript there. The encodings are in block_request.cpp;
// lib/block/wire.ts is the other side.
//
// executeBlockCopies(request: Uint8Array, copies: number) -> Promise<number[]>: the machine's
// ceiling for that block (`bench blocks --ceiling`): `copies` sequential executions of it at once,
// one per pool thread, each on its own decoded copy; each copy's execution time in ms.
#include <latch>
#include <string>
#include <vector>

#include "block_request.hpp"
#include "block_stm_metrics.hpp"
#include "boundary.hpp"
#include "evm/analysis.hpp"
#include "exports.hpp"
#include "state/block_parallel.hpp"
#include "stm/thread_pool.hpp"

namespace pevm::addon {
namespace {

// Decodes, recovers senders, executes and encodes; throws CodedError on a malformed request.
std::vector<uint8_t> run_block(std::span<const uint8_t> request, unsigned threads, bool adaptive,
                               bool groups_only) {
    BlockRequest req = decode_block_request(request);
    uint64_t recovery_ns = 0;
    state::ParallelStats stats;
    std::vector<uint8_t> result;
    if (auto failure = recover_request_senders(req, &recovery_ns)) {
        result = encode_block_failure(*failure);
    } else {
        state::BlockState st(*req.pre);
        // threads > 0: the transactions on Block-STM (block_parallel.hpp), else sequentially.
        const state::BlockOutcome out =
            threads > 0 ? state::execute_block_parallel(st, req.pre.get(), req.block, req.vm,
                                                        threads, &stats, adaptive, groups_only)
                        : state::execute_block(st, req.pre.get(), req.block, req.vm);
        result = encode_block_outcome(req, out, recovery_ns);
    }
    if (threads > 0) append_stm_metrics(result, stats);  // lib/block/stm-metrics.ts
    return result;
}

class BlockWorker final : public PromiseWorker {
public:
    BlockWorker(Napi::Env env, std::vector<uint8_t> request, unsigned threads, bool adaptive,
                bool groups_only)
        : PromiseWorker(env),
          request_(std::move(request)),
          threads_(threads),
          adaptive_(adaptive),
          groups_only_(groups_only) {}

    void Execute() override {
        capture([&] { result_ = run_block(request_, threads_, adaptive_, groups_only_); });
    }
    void OnOK() override {
        if (!rejected()) deferred_.Resolve(toUint8Array(Env(), result_));
    }

private:
    std::vector<uint8_t> request_;  // a copy: JavaScript may reuse its buffer meanwhile
    unsigned threads_;
    bool adaptive_;
    bool groups_only_;
    std::vector<uint8_t> result_;
};

// The same work `copies` times over, at once, with nothing shared between the copies but the
// read-only code analyses: how much faster `copies` threads can get through a block's worth of
// work on this machine at this moment (caches, memory bandwidth, neighbours). No parallel
// execution of the block can beat copies x (one copy alone) / (the slowest copy here).
std::vector<uint64_t> run_copies(std::span<const uint8_t> request, unsigned copies) {
    std::vector<BlockRequest> reqs;
    reqs.reserve(copies);
    for (unsigned i = 0; i < copies; ++i) {
        BlockRequest& req = reqs.emplace_back(decode_block_request(request));
        uint64_t recovery_ns = 0;
        if (i > 0) {
            // The senders the first copy recovered (or was given).
            for (size_t t = 0; t < req.block.txs.size(); ++t)
                req.block.txs[t].sender = reqs[0].block.txs[t].sender;
        } else if (auto failure = recover_request_senders(req, &recovery_ns)) {
            throw CodedError(code::kInvalidArgument, "the block is invalid: " + failure->message);
        }
    }
    std::vector<uint64_t> ns(copies);
    std::latch start(copies);
    stm::ThreadPool::global().run(copies, [&](unsigned id) {
        start.arrive_and_wait();  // the copies start together
        // SAFETY: id < copies == reqs.size() == ns.size().
        BlockRequest& req = reqs[id];
        state::BlockState st(*req.pre);
        ns[id] = state::execute_block(st, req.pre.get(), req.block, req.vm).execution_ns;
    });
    return ns;
}

class CopiesWorker final : public PromiseWorker {
public:
    CopiesWorker(Napi::Env env, std::vector<uint8_t> request, unsigned copies)
        : PromiseWorker(env), request_(std::move(request)), copies_(copies) {}

    void Execute() override {
        capture([&] { ns_ = run_copies(request_, copies_); });
    }
    void OnOK() override {
        if (rejected()) return;
        Napi::Array ms = Napi::Array::New(Env(), ns_.size());
        for (uint32_t i = 0; i < ns_.size(); ++i)
            ms.Set(i, Napi::Number::New(Env(), static_cast<double>(ns_[i]) / 1e6));
        deferred_.Resolve(ms);
    }

private:
    std::vector<uint8_t> request_;  // a copy: the pre-states' codes are views into it
    unsigned copies_;
    std::vector<uint64_t> ns_;
};

Napi::Value executeBlockCopies(const Napi::CallbackInfo& info) {
    const auto request = bytesArg(info, 0, "request");
    const uint32_t copies = uint32Arg(info, 1, "copies");
    if (copies == 0 || copies > stm::ThreadPool::kMaxThreads)
        throw CodedError(code::kInvalidArgument, "copies must be between 1 and 256");
    auto* worker =
        new CopiesWorker(info.Env(), std::vector<uint8_t>(request.begin(), request.end()), copies);
    auto promise = worker->promise();
    worker->Queue();
    return promise;
}

Napi::Value executeBlock(const Napi::CallbackInfo& info) {
    const auto request = bytesArg(info, 0, "request");
    // The optional second argument: Block-STM threads (0 or absent: sequential).
    const unsigned threads =
        info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 0;
    // The optional third: stop Block-STM once conflicts dominate (the `auto` policy).
    const bool adaptive = info.Length() > 2 && info[2].IsBoolean() && info[2].As<Napi::Boolean>();
    // The optional fourth: only as transfer groups, else sequentially (block_parallel.hpp).
    const bool groups_only =
        info.Length() > 3 && info[3].IsBoolean() && info[3].As<Napi::Boolean>();
    auto* worker = new BlockWorker(info.Env(), std::vector<uint8_t>(request.begin(), request.end()),
                                   threads, adaptive, groups_only);
    auto promise = worker->promise();
    worker->Queue();  // the worker deletes itself after OnOK/OnError
    return promise;
}

// The code-analysis cache: emptied for first-run measurements (`bench blocks --first-run`),
// and the count of analyses made, which shows whether a run found its codes analysed.
Napi::Value clearCodeAnalysisCache(const Napi::CallbackInfo& info) {
    evm::clear_analysis_cache();
    return info.Env().Undefined();
}
Napi::Value codeAnalysesMade(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(evm::analyses_made()));
}
Napi::Value codeAnalysisCacheStats(const Napi::CallbackInfo& info) {
    const evm::AnalysisCacheStats st = evm::analysis_cache_stats();
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("entries", Napi::Number::New(info.Env(), static_cast<double>(st.entries)));
    out.Set("bytes", Napi::Number::New(info.Env(), static_cast<double>(st.bytes)));
    out.Set("translatedBytes",
            Napi::Number::New(info.Env(), static_cast<double>(st.translated_bytes)));
    return out;
}
Napi::Value setCodeAnalysisCacheLimit(const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || !info[0].IsNumber())
        throw CodedError(code::kInvalidArgument, "bytes must be a number");
    const double bytes = info[0].As<Napi::Number>().DoubleValue();
    if (!(bytes >= 0) || bytes > 9007199254740991.0 ||
        bytes != static_cast<double>(static_cast<uint64_t>(bytes)))
        throw CodedError(code::kInvalidArgument, "bytes must be a whole number from 0 to 2^53 - 1");
    evm::set_analysis_cache_limit(static_cast<size_t>(bytes));
    return info.Env().Undefined();
}

}  // namespace

void registerBlock(Napi::Env env, Napi::Object exports) {
    exports.Set("executeBlock", Napi::Function::New<exported<executeBlock>>(env, "executeBlock"));
    exports.Set("executeBlockCopies",
                Napi::Function::New<exported<executeBlockCopies>>(env, "executeBlockCopies"));
    exports.Set("clearCodeAnalysisCache", Napi::Function::New<exported<clearCodeAnalysisCache>>(
                                              env, "clearCodeAnalysisCache"));
    exports.Set("codeAnalysesMade",
                Napi::Function::New<exported<codeAnalysesMade>>(env, "codeAnalysesMade"));
    exports.Set("codeAnalysisCacheStats", Napi::Function::New<exported<codeAnalysisCacheStats>>(
                                              env, "codeAnalysisCacheStats"));
    exports.Set(
        "setCodeAnalysisCacheLimit",
        Napi::Function::New<exported<setCodeAnalysisCacheLimit>>(env, "setCodeAnalysisCacheLimit"));
}

}  // namespace pevm::addon
