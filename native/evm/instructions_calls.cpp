// CALL, CALLCODE, DELEGATECALL, STATICCALL, CREATE, CREATE2 and SELFDESTRUCT.
//
// The division of labour follows EVMC as evmone uses it: the VM charges every gas cost of these
// instructions (base, EIP-2929 cold access, value transfer and stipend, new account, memory,
// EIP-150 63/64, EIP-3860 initcode words), checks the depth limit and the caller's balance for
// value transfers (a "light" failure: 0 pushed, gas kept, no host call), then calls host->call.
// The host computes create addresses, bumps nonces, transfers value, runs precompiles and the
// nested frame, and applies the code deposit rules.
#include <algorithm>
#include <limits>

#include "evm/instructions.hpp"

namespace pevm::evm {

namespace {

constexpr int64_t kCallValueCost = 9000;
constexpr int64_t kCallStipend = 2300;
constexpr int64_t kNewAccountCost = 25000;
constexpr int32_t kMaxDepth = 1024;
constexpr size_t kMaxInitcodeSize = 2 * 24576;

/// The EIP-7702 delegate of `a` if its code is a delegation designator (0xef0100 ++ address).
bool delegate_of(Frame& f, const evmc_address& a, evmc_address& delegate) noexcept {
    if (f.host->get_code_size(f.ctx, &a) != 23) return false;
    uint8_t code[23];
    if (f.host->copy_code(f.ctx, &a, 0, code, sizeof code) != 23) return false;
    if (code[0] != 0xef || code[1] != 0x01 || code[2] != 0x00) return false;
    std::memcpy(delegate.bytes, code + 3, 20);
    return true;
}

inline bool same_address(const evmc_address& a, const evmc_address& b) noexcept {
    return std::memcmp(a.bytes, b.bytes, 20) == 0;
}

template <evmc_call_kind Kind, bool Static>
OpResult call_impl(Frame& f, uint256* top, int64_t gas) noexcept {
    constexpr bool kHasValueArg = (Kind == EVMC_CALL && !Static) || Kind == EVMC_CALLCODE;
    constexpr int kArgs = kHasValueArg ? 7 : 6;
    uint256* args = top - kArgs;  // args[kArgs - 1] is the top item
    const uint256 gas_arg = top[-1];
    const evmc_address dst = top[-2].to_address();
    const uint256 value = kHasValueArg ? top[-3] : uint256{};
    const uint256 in_off = top[kHasValueArg ? -4 : -3];
    const uint256 in_size = top[kHasValueArg ? -5 : -4];
    const uint256 out_off = top[kHasValueArg ? -6 : -5];
    const uint256 out_size = top[kHasValueArg ? -7 : -6];
    uint256& result_slot = args[0];
    result_slot = uint256{};  // assume failure
    f.return_data.clear();
    const bool has_value = static_cast<bool>(value);

    if (f.rev >= EVMC_BERLIN && f.host->access_account(f.ctx, &dst) == EVMC_ACCESS_COLD &&
        (gas -= kColdAccountExtra) < 0)
        return {EVMC_OUT_OF_GAS, gas};

    evmc_address code_addr = dst;
    bool delegated = false;
    if (f.rev >= EVMC_PRAGUE && delegate_of(f, dst, code_addr)) {
        delegated = true;
        const int64_t cost = f.host->access_account(f.ctx, &code_addr) == EVMC_ACCESS_COLD
                                 ? kColdAccountCost
                                 : kWarmReadCost;
        if ((gas -= cost) < 0) return {EVMC_OUT_OF_GAS, gas};
    }

    if (!check_memory(f, gas, in_off, in_size)) return {EVMC_OUT_OF_GAS, gas};
    if (!check_memory(f, gas, out_off, out_size)) return {EVMC_OUT_OF_GAS, gas};

    evmc_message msg{};
    msg.kind = Kind;
    msg.flags = Static ? uint32_t{EVMC_STATIC} : f.msg->flags;
    if (delegated)
        msg.flags |= EVMC_DELEGATED;
    else
        msg.flags &= ~uint32_t{EVMC_DELEGATED};
    msg.depth = f.msg->depth + 1;
    msg.recipient = (Kind == EVMC_CALL) ? dst : f.msg->recipient;
    msg.code_address = code_addr;
    msg.sender = (Kind == EVMC_DELEGATECALL) ? f.msg->sender : f.msg->recipient;
    msg.value = (Kind == EVMC_DELEGATECALL) ? f.msg->value : value.to_bytes32();
    if (in_size) {
        msg.input_data = f.memory.data + in_off.w[0];
        msg.input_size = in_size.w[0];
    }

    int64_t cost = has_value ? kCallValueCost : 0;
    if constexpr (Kind == EVMC_CALL && !Static) {
        if (has_value && (f.msg->flags & EVMC_STATIC)) return {EVMC_STATIC_MODE_VIOLATION, gas};
        if ((has_value || f.rev < EVMC_SPURIOUS_DRAGON) && !f.host->account_exists(f.ctx, &dst))
            cost += kNewAccountCost;
    }
    if ((gas -= cost) < 0) return {EVMC_OUT_OF_GAS, gas};

    msg.gas = gas_arg.fits_u64() && gas_arg.w[0] <= uint64_t(std::numeric_limits<int64_t>::max())
                  ? static_cast<int64_t>(gas_arg.w[0])
                  : std::numeric_limits<int64_t>::max();
    if (f.rev >= EVMC_TANGERINE_WHISTLE)
        msg.gas = std::min(msg.gas, gas - gas / 64);
    else if (msg.gas > gas)
        return {EVMC_OUT_OF_GAS, gas};

    if (has_value) {
        msg.gas += kCallStipend;
        gas += kCallStipend;
    }

    if (f.msg->depth >= kMaxDepth) return {EVMC_SUCCESS, gas};
    if (has_value && !f.balance_covers(value)) return {EVMC_SUCCESS, gas};

    const evmc_result r = f.host->call(f.ctx, &msg);
    f.return_data.assign(r.output_data, r.output_data + r.output_size);
    result_slot = uint256{r.status_code == EVMC_SUCCESS ? 1u : 0u};
    if (const size_t n = std::min<size_t>(out_size.w[0], r.output_size); out_size && n != 0)
        std::memcpy(f.memory.data + out_off.w[0], r.output_data, n);
    gas -= msg.gas - r.gas_left;
    f.gas_refund += r.gas_refund;
    if (r.release != nullptr) r.release(&r);
    return {EVMC_SUCCESS, gas};
}

}  // namespace

template <evmc_call_kind Kind>
OpResult op_call(Frame& f, uint256* top, int64_t gas) noexcept {
    return call_impl<Kind, false>(f, top, gas);
}
template OpResult op_call<EVMC_CALL>(Frame&, uint256*, int64_t) noexcept;
template OpResult op_call<EVMC_CALLCODE>(Frame&, uint256*, int64_t) noexcept;
template OpResult op_call<EVMC_DELEGATECALL>(Frame&, uint256*, int64_t) noexcept;

OpResult op_staticcall(Frame& f, uint256* top, int64_t gas) noexcept {
    return call_impl<EVMC_CALL, true>(f, top, gas);
}

template <evmc_call_kind Kind>
OpResult op_create(Frame& f, uint256* top, int64_t gas) noexcept {
    constexpr int kArgs = Kind == EVMC_CREATE2 ? 4 : 3;
    if (f.msg->flags & EVMC_STATIC) return {EVMC_STATIC_MODE_VIOLATION, gas};
    const uint256 endowment = top[-1];
    const uint256 init_off = top[-2];
    const uint256 init_size = top[-3];
    const uint256 salt = Kind == EVMC_CREATE2 ? top[-4] : uint256{};
    uint256& result_slot = top[-kArgs];
    result_slot = uint256{};
    f.return_data.clear();

    if (!check_memory(f, gas, init_off, init_size)) return {EVMC_OUT_OF_GAS, gas};
    const size_t size = init_size.w[0];
    if (f.rev >= EVMC_SHANGHAI && size > kMaxInitcodeSize) return {EVMC_OUT_OF_GAS, gas};
    const int64_t word_cost = (Kind == EVMC_CREATE2 ? 6 : 0) + (f.rev >= EVMC_SHANGHAI ? 2 : 0);
    if ((gas -= word_cost * static_cast<int64_t>(num_words(size))) < 0)
        return {EVMC_OUT_OF_GAS, gas};

    if (f.msg->depth >= kMaxDepth) return {EVMC_SUCCESS, gas};
    if (endowment && !f.balance_covers(endowment)) return {EVMC_SUCCESS, gas};

    evmc_message msg{};
    msg.kind = Kind;
    msg.gas = f.rev >= EVMC_TANGERINE_WHISTLE ? gas - gas / 64 : gas;
    msg.depth = f.msg->depth + 1;
    msg.sender = f.msg->recipient;
    msg.value = endowment.to_bytes32();
    msg.create2_salt = salt.to_bytes32();
    if (size != 0) {
        msg.input_data = f.memory.data + init_off.w[0];
        msg.input_size = size;
    }
    const evmc_result r = f.host->call(f.ctx, &msg);
    gas -= msg.gas - r.gas_left;
    f.gas_refund += r.gas_refund;
    if (r.status_code == EVMC_SUCCESS) {
        result_slot = uint256::from_address(r.create_address);
    } else {
        f.return_data.assign(r.output_data, r.output_data + r.output_size);
    }
    if (r.release != nullptr) r.release(&r);
    return {EVMC_SUCCESS, gas};
}
template OpResult op_create<EVMC_CREATE>(Frame&, uint256*, int64_t) noexcept;
template OpResult op_create<EVMC_CREATE2>(Frame&, uint256*, int64_t) noexcept;

OpResult op_selfdestruct(Frame& f, uint256* top, int64_t gas) noexcept {
    if (f.msg->flags & EVMC_STATIC) return {EVMC_STATIC_MODE_VIOLATION, gas};
    const evmc_address beneficiary = top[-1].to_address();
    if (f.rev >= EVMC_BERLIN && f.host->access_account(f.ctx, &beneficiary) == EVMC_ACCESS_COLD &&
        (gas -= kColdAccountCost) < 0)
        return {EVMC_OUT_OF_GAS, gas};
    if (f.rev >= EVMC_TANGERINE_WHISTLE) {
        // EIP-150 charges a new beneficiary; EIP-161 only when value actually moves to it.
        bool charge = false;
        if (f.rev >= EVMC_SPURIOUS_DRAGON) {
            charge = static_cast<bool>(
                         uint256::from_bytes32(f.host->get_balance(f.ctx, &f.msg->recipient))) &&
                     !f.host->account_exists(f.ctx, &beneficiary);
        } else {
            charge = !f.host->account_exists(f.ctx, &beneficiary);
        }
        if (charge && (gas -= kNewAccountCost) < 0) return {EVMC_OUT_OF_GAS, gas};
    }
    const bool first = f.host->selfdestruct(f.ctx, &f.msg->recipient, &beneficiary);
    if (first && f.rev < EVMC_LONDON) f.gas_refund += 24000;
    return {EVMC_SUCCESS, gas};
}

}  // namespace pevm::evm
