// The dispatch loop.
//
// Direct threading over the analysed instruction array (analysis.hpp): each instruction holds
// the address of its handler (a label here, GCC/Clang labels-as-values), and each handler ends
// in its own indirect jump to the next, which gives the branch predictor one site per opcode.
// Static checks (stack height, base gas, the fork an opcode appears in) were moved by the
// analysis into one BEGINBLOCK per basic block, so handlers are only their semantics. The loop
// keeps the instruction pointer, the stack top and the gas in locals; instructions that talk to
// the host live out of line (instructions.cpp, instructions_calls.cpp) and take and return the
// gas by value.
//
// Measured on the evm-benchmarks (see the report in the commit history): the per-instruction
// checks of a byte-code loop cost 2-4x on jump- and push-heavy code; block checks remove them.
#include <algorithm>
#include <memory>

#include "evm/analysis.hpp"
#include "evm/evm.hpp"
#include "evm/instructions.hpp"

namespace pevm::evm {

namespace {

/// Frames are big (the stack alone is 32 KiB): keep the released ones per thread.
struct FramePool {
    std::vector<Frame*> free;
    ~FramePool() {
        for (Frame* f : free) delete f;
    }
};
thread_local FramePool t_pool;

Frame* acquire_frame() {
    if (!t_pool.free.empty()) {
        Frame* f = t_pool.free.back();
        t_pool.free.pop_back();
        return f;
    }
    return new Frame;
}

void release_frame(Frame* f) noexcept {
    if (f->memory.capacity > (uint64_t{8} << 20)) {  // don't keep huge memories around
        std::free(f->memory.data);
        f->memory.data = nullptr;
        f->memory.capacity = 0;
    }
    f->reset();
    if (t_pool.free.size() < 64)
        t_pool.free.push_back(f);
    else
        delete f;
}

void release_output(const evmc_result* r) {
    std::free(const_cast<uint8_t*>(r->output_data));
}

/// Runs the analysed code; with `handlers_out` set it only reports the handler table.
evmc_status_code run(Frame* fp, const CodeAnalysis* ap, int64_t* gas_io,
                     const void* const** handlers_out) noexcept {
    // clang-format off
    static const void* const kLabels[kNumHandlers] = {
        &&L_STOP, &&L_ADD, &&L_MUL, &&L_SUB, &&L_DIV, &&L_SDIV, &&L_MOD, &&L_SMOD,  // 0x00
        &&L_ADDMOD, &&L_MULMOD, &&L_EXP, &&L_SIGNEXTEND, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED,  // 0x08
        &&L_LT, &&L_GT, &&L_SLT, &&L_SGT, &&L_EQ, &&L_ISZERO, &&L_AND, &&L_OR,  // 0x10
        &&L_XOR, &&L_NOT, &&L_BYTE, &&L_SHL, &&L_SHR, &&L_SAR, &&L_CLZ, &&L_UNDEFINED,  // 0x18
        &&L_KECCAK256, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED,  // 0x20
        &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED,  // 0x28
        &&L_ADDRESS, &&L_BALANCE, &&L_ORIGIN, &&L_CALLER, &&L_CALLVALUE, &&L_CALLDATALOAD, &&L_CALLDATASIZE, &&L_CALLDATACOPY,  // 0x30
        &&L_CODESIZE, &&L_CODECOPY, &&L_GASPRICE, &&L_EXTCODESIZE, &&L_EXTCODECOPY, &&L_RETURNDATASIZE, &&L_RETURNDATACOPY, &&L_EXTCODEHASH,  // 0x38
        &&L_BLOCKHASH, &&L_COINBASE, &&L_TIMESTAMP, &&L_NUMBER, &&L_PREVRANDAO, &&L_GASLIMIT, &&L_CHAINID, &&L_SELFBALANCE,  // 0x40
        &&L_BASEFEE, &&L_BLOBHASH, &&L_BLOBBASEFEE, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED,  // 0x48
        &&L_POP, &&L_MLOAD, &&L_MSTORE, &&L_MSTORE8, &&L_SLOAD, &&L_SSTORE, &&L_JUMP, &&L_JUMPI,  // 0x50
        &&L_PC, &&L_MSIZE, &&L_GAS, &&L_JUMPDEST, &&L_TLOAD, &&L_TSTORE, &&L_MCOPY, &&L_PUSH0,  // 0x58
        &&L_PUSH1, &&L_PUSH2, &&L_PUSH3, &&L_PUSH4, &&L_PUSH5, &&L_PUSH6, &&L_PUSH7, &&L_PUSH8,  // 0x60
        &&L_PUSH9, &&L_PUSH10, &&L_PUSH11, &&L_PUSH12, &&L_PUSH13, &&L_PUSH14, &&L_PUSH15, &&L_PUSH16,  // 0x68
        &&L_PUSH17, &&L_PUSH18, &&L_PUSH19, &&L_PUSH20, &&L_PUSH21, &&L_PUSH22, &&L_PUSH23, &&L_PUSH24,  // 0x70
        &&L_PUSH25, &&L_PUSH26, &&L_PUSH27, &&L_PUSH28, &&L_PUSH29, &&L_PUSH30, &&L_PUSH31, &&L_PUSH32,  // 0x78
        &&L_DUP1, &&L_DUP2, &&L_DUP3, &&L_DUP4, &&L_DUP5, &&L_DUP6, &&L_DUP7, &&L_DUP8,  // 0x80
        &&L_DUP9, &&L_DUP10, &&L_DUP11, &&L_DUP12, &&L_DUP13, &&L_DUP14, &&L_DUP15, &&L_DUP16,  // 0x88
        &&L_SWAP1, &&L_SWAP2, &&L_SWAP3, &&L_SWAP4, &&L_SWAP5, &&L_SWAP6, &&L_SWAP7, &&L_SWAP8,  // 0x90
        &&L_SWAP9, &&L_SWAP10, &&L_SWAP11, &&L_SWAP12, &&L_SWAP13, &&L_SWAP14, &&L_SWAP15, &&L_SWAP16,  // 0x98
        &&L_LOG0, &&L_LOG1, &&L_LOG2, &&L_LOG3, &&L_LOG4, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED,  // 0xa0
        &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED,  // 0xa8
        &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED,  // 0xb0
        &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED,  // 0xb8
        &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED,  // 0xc0
        &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED,  // 0xc8
        &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED,  // 0xd0
        &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED,  // 0xd8
        &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED,  // 0xe0
        &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED, &&L_UNDEFINED,  // 0xe8
        &&L_CREATE, &&L_CALL, &&L_CALLCODE, &&L_RETURN, &&L_DELEGATECALL, &&L_CREATE2, &&L_UNDEFINED, &&L_UNDEFINED,  // 0xf0
        &&L_UNDEFINED, &&L_UNDEFINED, &&L_STATICCALL, &&L_UNDEFINED, &&L_UNDEFINED, &&L_REVERT, &&L_INVALID, &&L_SELFDESTRUCT,  // 0xf8
        &&L_BEGINBLOCK, &&L_UNDEFINED, &&L_JUMP_STATIC, &&L_JUMPI_STATIC, &&L_ENTRY, &&L_JUMP_LAZY, &&L_JUMPI_LAZY,  // pseudo-ops
    };
    if (handlers_out != nullptr) {
        *handlers_out = kLabels;
        return EVMC_SUCCESS;
    }

    Frame& f = *fp;
    const CodeAnalysis& a = *ap;
    const Instruction* ip = a.instructions();
    uint256* const base = f.stack;
    uint256* top = base;
    int64_t gas = *gas_io;
    evmc_status_code status = EVMC_SUCCESS;

#define PEVM_NEXT() \
    ++ip;           \
    goto* ip->handler
// An instruction implemented out of line; it leaves its result where the new top will be.
#define PEVM_CALL_OP(NAME, FN)                                               \
    L_##NAME : {                                                             \
        const int64_t corr_ = ip->arg.correction;                            \
        const OpResult r_ = FN(f, top, gas + corr_);                         \
        gas = r_.gas - corr_;                                                \
        if (r_.status != EVMC_SUCCESS) {                                     \
            status = r_.status;                                              \
            goto halt;                                                       \
        }                                                                    \
        /* what is left cannot pay the rest of the block, already charged */ \
        if (gas < 0) goto out_of_gas;                                        \
        top += kTraits[OP_##NAME].stack_change;                              \
    }                                                                        \
    PEVM_NEXT();
#define PEVM_BINARY(NAME, EXPR)     \
    L_##NAME : {                    \
        const uint256& x = top[-1]; \
        const uint256& y = top[-2]; \
        top[-2] = (EXPR);           \
        --top;                      \
    }                               \
    PEVM_NEXT();
#define PEVM_PUSH_VALUE(NAME, EXPR) \
    L_##NAME : *top = (EXPR);       \
    ++top;                          \
    PEVM_NEXT();
// Memory for [off, off + LEN) with off from the stack and LEN a small constant.
#define PEVM_MEMORY(OFF, LEN)                                            \
    if (!(OFF).fits_u64() || (OFF).w[0] > kMaxMemory) goto out_of_gas; \
    if ((OFF).w[0] + (LEN) > f.memory.size) {                          \
        gas = grow_memory(f, gas, (OFF).w[0] + (LEN));                 \
        if (gas < 0) goto out_of_gas;                                  \
    }

    goto* ip->handler;

L_BEGINBLOCK : {
    if ((gas -= ip->arg.block.gas) < 0) goto out_of_gas;
    const ptrdiff_t height = top - base;
    if (height < ip->arg.block.stack_req) goto stack_underflow;
    if (height + ip->arg.block.stack_max > kStackLimit) goto stack_overflow;
}
    PEVM_NEXT();

L_ENTRY : {  // a jump into the middle of a block: check the rest of it, then continue there
    if ((gas -= ip->arg.block.gas) < 0) goto out_of_gas;
    const ptrdiff_t height = top - base;
    if (height < ip->arg.block.stack_req) goto stack_underflow;
    if (height + ip->arg.block.stack_max > kStackLimit) goto stack_overflow;
    ip = ip[1].arg.target;
}
    goto* ip->handler;
L_JUMP_STATIC:
    if (ip->arg.target == nullptr) goto bad_jump;
    ip = ip->arg.target;
    goto* ip->handler;
L_JUMPI_STATIC:
    if (top[-1]) {
        if (ip->arg.target == nullptr) goto bad_jump;
        --top;
        ip = ip->arg.target;
        goto* ip->handler;
    }
    --top;
    PEVM_NEXT();
// A static jump to a JUMPDEST that was not translated when the jump was: its BEGINBLOCK through
// the analysis's table, translated now if still not.
L_JUMP_LAZY:
    ip = a.lazy_target(ip->arg.slot);
    goto* ip->handler;
L_JUMPI_LAZY:
    if (top[-1]) {
        --top;
        ip = a.lazy_target(ip->arg.slot);
        goto* ip->handler;
    }
    --top;
    PEVM_NEXT();

L_STOP:
    goto halt;
    PEVM_BINARY(ADD, x + y)
    PEVM_BINARY(MUL, x * y)
    PEVM_BINARY(SUB, x - y)
    PEVM_BINARY(DIV, x / y)
    PEVM_BINARY(SDIV, sdiv(x, y))
    PEVM_BINARY(MOD, x % y)
    PEVM_BINARY(SMOD, smod(x, y))
L_ADDMOD:
    top[-3] = addmod(top[-1], top[-2], top[-3]);
    top -= 2;
    PEVM_NEXT();
L_MULMOD:
    top[-3] = mulmod(top[-1], top[-2], top[-3]);
    top -= 2;
    PEVM_NEXT();
    PEVM_CALL_OP(EXP, op_exp)
    PEVM_BINARY(SIGNEXTEND, signextend(x, y))
    PEVM_BINARY(LT, uint256{x < y})
    PEVM_BINARY(GT, uint256{y < x})
    PEVM_BINARY(SLT, uint256{slt(x, y)})
    PEVM_BINARY(SGT, uint256{sgt(x, y)})
    PEVM_BINARY(EQ, uint256{x == y})
L_ISZERO:
    top[-1] = uint256{!top[-1]};
    PEVM_NEXT();
    PEVM_BINARY(AND, x & y)
    PEVM_BINARY(OR, x | y)
    PEVM_BINARY(XOR, x ^ y)
L_NOT:
    top[-1] = ~top[-1];
    PEVM_NEXT();
    PEVM_BINARY(BYTE, byte(y, x))
    PEVM_BINARY(SHL, y << x)
    PEVM_BINARY(SHR, y >> x)
    PEVM_BINARY(SAR, sar(y, x))
L_CLZ:
    top[-1] = uint256{clz(top[-1])};
    PEVM_NEXT();
    PEVM_CALL_OP(KECCAK256, op_keccak256)

    PEVM_PUSH_VALUE(ADDRESS, uint256::from_address(f.msg->recipient))
    PEVM_CALL_OP(BALANCE, op_balance)
    PEVM_PUSH_VALUE(ORIGIN, uint256::from_address(f.tx_context().tx_origin))
    PEVM_PUSH_VALUE(CALLER, uint256::from_address(f.msg->sender))
    PEVM_PUSH_VALUE(CALLVALUE, uint256::from_bytes32(f.msg->value))
L_CALLDATALOAD : {
    uint256& x = top[-1];
    const size_t n = f.msg->input_size;
    if (!x.fits_u64() || x.w[0] >= n) {
        x = uint256{};
    } else {
        const size_t off = x.w[0];
        const size_t k = std::min<size_t>(32, n - off);
        uint8_t buf[32] = {};
        std::memcpy(buf, f.msg->input_data + off, k);
        x = uint256::load_be(buf);
    }
}
    PEVM_NEXT();
    PEVM_PUSH_VALUE(CALLDATASIZE, uint256{static_cast<uint64_t>(f.msg->input_size)})
    PEVM_CALL_OP(CALLDATACOPY, op_calldatacopy)
    PEVM_PUSH_VALUE(CODESIZE, uint256{static_cast<uint64_t>(a.code_size())})
    PEVM_CALL_OP(CODECOPY, op_codecopy)
    PEVM_PUSH_VALUE(GASPRICE, uint256::from_bytes32(f.tx_context().tx_gas_price))
    PEVM_CALL_OP(EXTCODESIZE, op_extcodesize)
    PEVM_CALL_OP(EXTCODECOPY, op_extcodecopy)
    PEVM_PUSH_VALUE(RETURNDATASIZE, uint256{static_cast<uint64_t>(f.return_data.size())})
    PEVM_CALL_OP(RETURNDATACOPY, op_returndatacopy)
    PEVM_CALL_OP(EXTCODEHASH, op_extcodehash)
    PEVM_CALL_OP(BLOCKHASH, op_blockhash)
    PEVM_PUSH_VALUE(COINBASE, uint256::from_address(f.tx_context().block_coinbase))
    PEVM_PUSH_VALUE(TIMESTAMP, uint256{static_cast<uint64_t>(f.tx_context().block_timestamp)})
    PEVM_PUSH_VALUE(NUMBER, uint256{static_cast<uint64_t>(f.tx_context().block_number)})
    PEVM_PUSH_VALUE(PREVRANDAO, uint256::from_bytes32(f.tx_context().block_prev_randao))
    PEVM_PUSH_VALUE(GASLIMIT, uint256{static_cast<uint64_t>(f.tx_context().block_gas_limit)})
    PEVM_PUSH_VALUE(CHAINID, uint256::from_bytes32(f.tx_context().chain_id))
    PEVM_PUSH_VALUE(SELFBALANCE,
                    uint256::from_bytes32(f.host->get_balance(f.ctx, &f.msg->recipient)))
    PEVM_PUSH_VALUE(BASEFEE, uint256::from_bytes32(f.tx_context().block_base_fee))
L_BLOBHASH : {
    uint256& x = top[-1];
    const evmc_tx_context& tx = f.tx_context();
    x = x.fits_u64() && x.w[0] < tx.blob_hashes_count ? uint256::from_bytes32(tx.blob_hashes[x.w[0]])
                                                      : uint256{};
}
    PEVM_NEXT();
    PEVM_PUSH_VALUE(BLOBBASEFEE, uint256::from_bytes32(f.tx_context().blob_base_fee))

L_POP:
    --top;
    PEVM_NEXT();
L_MLOAD : {
    uint256& x = top[-1];
    PEVM_MEMORY(x, 32)
    x = uint256::load_be(f.memory.data + x.w[0]);
}
    PEVM_NEXT();
L_MSTORE : {
    const uint256& off = top[-1];
    PEVM_MEMORY(off, 32)
    top[-2].store_be(f.memory.data + off.w[0]);
    top -= 2;
}
    PEVM_NEXT();
L_MSTORE8 : {
    const uint256& off = top[-1];
    PEVM_MEMORY(off, 1)
    f.memory.data[off.w[0]] = static_cast<uint8_t>(top[-2].w[0]);
    top -= 2;
}
    PEVM_NEXT();
    PEVM_CALL_OP(SLOAD, op_sload)
    PEVM_CALL_OP(SSTORE, op_sstore)
L_JUMP : {
    const Instruction* target = a.jump_target(top[-1]);
    if (target == nullptr) goto bad_jump;
    --top;
    ip = target;
}
    goto* ip->handler;
L_JUMPI:
    if (top[-2]) {
        const Instruction* target = a.jump_target(top[-1]);
        if (target == nullptr) goto bad_jump;
        top -= 2;
        ip = target;
        goto* ip->handler;
    }
    top -= 2;
    PEVM_NEXT();
    PEVM_PUSH_VALUE(PC, uint256{ip->arg.small})
    PEVM_PUSH_VALUE(MSIZE, uint256{static_cast<uint64_t>(f.memory.size)})
    PEVM_PUSH_VALUE(GAS, uint256{static_cast<uint64_t>(gas + ip->arg.correction)})
L_JUMPDEST:  // never dispatched: a JUMPDEST is its block's BEGINBLOCK
    PEVM_NEXT();
    PEVM_CALL_OP(TLOAD, op_tload)
    PEVM_CALL_OP(TSTORE, op_tstore)
    PEVM_CALL_OP(MCOPY, op_mcopy)
    PEVM_PUSH_VALUE(PUSH0, uint256{})

L_PUSH1:
L_PUSH2:
L_PUSH3:
L_PUSH4:
L_PUSH5:
L_PUSH6:
L_PUSH7:
L_PUSH8:
    *top = uint256{ip->arg.small};
    ++top;
    PEVM_NEXT();
L_PUSH9:
L_PUSH10:
L_PUSH11:
L_PUSH12:
L_PUSH13:
L_PUSH14:
L_PUSH15:
L_PUSH16:
L_PUSH17:
L_PUSH18:
L_PUSH19:
L_PUSH20:
L_PUSH21:
L_PUSH22:
L_PUSH23:
L_PUSH24:
L_PUSH25:
L_PUSH26:
L_PUSH27:
L_PUSH28:
L_PUSH29:
L_PUSH30:
L_PUSH31:
L_PUSH32:
    *top = *ip->arg.big;
    ++top;
    PEVM_NEXT();

#define PEVM_DUP(N)       \
    L_DUP##N : *top = top[-(N)]; \
    ++top;                \
    PEVM_NEXT();
    PEVM_DUP(1) PEVM_DUP(2) PEVM_DUP(3) PEVM_DUP(4) PEVM_DUP(5) PEVM_DUP(6) PEVM_DUP(7)
    PEVM_DUP(8) PEVM_DUP(9) PEVM_DUP(10) PEVM_DUP(11) PEVM_DUP(12) PEVM_DUP(13) PEVM_DUP(14)
    PEVM_DUP(15) PEVM_DUP(16)
#undef PEVM_DUP

#define PEVM_SWAP(N)                  \
    L_SWAP##N : {                     \
        const uint256 t_ = top[-1];   \
        top[-1] = top[-1 - (N)];      \
        top[-1 - (N)] = t_;           \
    }                                 \
    PEVM_NEXT();
    PEVM_SWAP(1) PEVM_SWAP(2) PEVM_SWAP(3) PEVM_SWAP(4) PEVM_SWAP(5) PEVM_SWAP(6) PEVM_SWAP(7)
    PEVM_SWAP(8) PEVM_SWAP(9) PEVM_SWAP(10) PEVM_SWAP(11) PEVM_SWAP(12) PEVM_SWAP(13)
    PEVM_SWAP(14) PEVM_SWAP(15) PEVM_SWAP(16)
#undef PEVM_SWAP

    PEVM_CALL_OP(LOG0, op_log<0>)
    PEVM_CALL_OP(LOG1, op_log<1>)
    PEVM_CALL_OP(LOG2, op_log<2>)
    PEVM_CALL_OP(LOG3, op_log<3>)
    PEVM_CALL_OP(LOG4, op_log<4>)
    PEVM_CALL_OP(CREATE, op_create<EVMC_CREATE>)
    PEVM_CALL_OP(CALL, op_call<EVMC_CALL>)
    PEVM_CALL_OP(CALLCODE, op_call<EVMC_CALLCODE>)
L_RETURN:
    status = EVMC_SUCCESS;
    goto output;
    PEVM_CALL_OP(DELEGATECALL, op_call<EVMC_DELEGATECALL>)
    PEVM_CALL_OP(CREATE2, op_create<EVMC_CREATE2>)
    PEVM_CALL_OP(STATICCALL, op_staticcall)
L_REVERT:
    status = EVMC_REVERT;
    goto output;
L_INVALID:
    status = EVMC_INVALID_INSTRUCTION;
    goto halt;
L_SELFDESTRUCT : {
    const OpResult r_ = op_selfdestruct(f, top, gas);
    gas = r_.gas;
    status = r_.status;
    goto halt;
}

#undef PEVM_NEXT
#undef PEVM_CALL_OP
#undef PEVM_BINARY
#undef PEVM_PUSH_VALUE
#undef PEVM_MEMORY
    // clang-format on

output : {  // RETURN / REVERT: [offset, size] on the stack
    int64_t g = gas;
    if (!check_memory(f, g, top[-1], top[-2])) goto out_of_gas;
    gas = g;
    if (top[-2]) {
        f.output_offset = top[-1].w[0];
        f.output_size = top[-2].w[0];
    }
    goto halt;
}
L_UNDEFINED:
    status = EVMC_UNDEFINED_INSTRUCTION;
    goto halt;
stack_underflow:
    status = EVMC_STACK_UNDERFLOW;
    goto halt;
stack_overflow:
    status = EVMC_STACK_OVERFLOW;
    goto halt;
bad_jump:
    status = EVMC_BAD_JUMP_DESTINATION;
    goto halt;
out_of_gas:
    status = EVMC_OUT_OF_GAS;
halt:
    *gas_io = gas;
    return status;
}

}  // namespace

const void* const* instruction_handlers() noexcept {
    static const void* const* const handlers = [] {
        const void* const* h = nullptr;
        run(nullptr, nullptr, nullptr, &h);
        return h;
    }();
    return handlers;
}

evmc_result execute(const evmc_host_interface& host, evmc_host_context* ctx,
                    const evmc_message& msg, const CodeAnalysis& analysis,
                    const HostExtensions* extensions) noexcept {
    Frame* f = acquire_frame();
    f->host = &host;
    f->extensions = extensions;
    f->ctx = ctx;
    f->rev = analysis.revision();
    f->msg = &msg;
    f->code = analysis.code();
    f->code_size = analysis.code_size();

    int64_t gas = msg.gas;
    const evmc_status_code status = run(f, &analysis, &gas, nullptr);

    evmc_result r{};
    r.status_code = status;
    if (status == EVMC_SUCCESS || status == EVMC_REVERT) {
        r.gas_left = gas;
        if (status == EVMC_SUCCESS) r.gas_refund = f->gas_refund;
        if (f->output_size != 0) {
            auto* out = static_cast<uint8_t*>(std::malloc(f->output_size));
            if (out == nullptr) {
                r = evmc_result{};
                r.status_code = EVMC_OUT_OF_MEMORY;
            } else {
                std::memcpy(out, f->memory.data + f->output_offset, f->output_size);
                r.output_data = out;
                r.output_size = f->output_size;
                r.release = release_output;
            }
        }
    }
    release_frame(f);
    return r;
}

evmc_result execute(const evmc_host_interface& host, evmc_host_context* ctx, evmc_revision rev,
                    const evmc_message& msg, const uint8_t* code, size_t code_size,
                    const evmc_bytes32* code_hash, const HostExtensions* extensions) noexcept {
    if (code_size == 0) {
        evmc_result r{};
        r.status_code = EVMC_SUCCESS;
        r.gas_left = msg.gas;
        return r;
    }
    if (rev < EVMC_FRONTIER || rev > EVMC_OSAKA) rev = EVMC_OSAKA;
    if (code_hash != nullptr) {
        const ThreadAnalysis a(*code_hash, code, code_size, rev);
        return execute(host, ctx, msg, a.get(), extensions);
    }
    const std::shared_ptr<const CodeAnalysis> a = analyze(code, code_size, rev);
    return execute(host, ctx, msg, *a, extensions);
}

}  // namespace pevm::evm
