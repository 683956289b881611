#include "evm/instructions.hpp"

#include <algorithm>

#include "crypto/keccak.hpp"

namespace pevm::evm {

int64_t grow_memory(Frame& f, int64_t gas, uint64_t end) noexcept {
    if (end > kMaxMemory) return -1;
    const uint64_t new_words = num_words(end);
    const uint64_t old_words = f.memory.size / 32;
    gas -= memory_cost(new_words) - memory_cost(old_words);
    if (gas < 0) return gas;
    if (!f.memory.grow(new_words * 32)) return -1;
    return gas;
}

namespace {

inline bool cold_account(Frame& f, const evmc_address& a) noexcept {
    return f.rev >= EVMC_BERLIN && f.host->access_account(f.ctx, &a) == EVMC_ACCESS_COLD;
}

/// Copies src[src_off, src_off + size) to memory[mem_off, ...), zero-filling what lies past the
/// end of src. Memory has been grown already.
inline void copy_padded(uint8_t* dst, const uint8_t* src, size_t src_size, const uint256& src_off,
                        size_t size) noexcept {
    size_t n = 0;
    if (src_off.fits_u64() && src_off.w[0] < src_size) {
        n = std::min<size_t>(size, src_size - src_off.w[0]);
        if (n != 0) std::memcpy(dst, src + src_off.w[0], n);
    }
    if (size > n) std::memset(dst + n, 0, size - n);
}

/// The common part of CALLDATACOPY / CODECOPY: [mem_off, src_off, size] on the stack.
inline OpResult copy_op(Frame& f, uint256* top, int64_t gas, const uint8_t* src,
                        size_t src_size) noexcept {
    const uint256& mem_off = top[-1];
    const uint256& src_off = top[-2];
    const uint256& size = top[-3];
    if (!check_memory(f, gas, mem_off, size)) return {EVMC_OUT_OF_GAS, gas};
    const size_t n = size.w[0];
    if ((gas -= 3 * static_cast<int64_t>(num_words(n))) < 0) return {EVMC_OUT_OF_GAS, gas};
    if (n != 0) copy_padded(f.memory.data + mem_off.w[0], src, src_size, src_off, n);
    return {EVMC_SUCCESS, gas};
}

}  // namespace

OpResult op_keccak256(Frame& f, uint256* top, int64_t gas) noexcept {
    const uint256& off = top[-1];
    uint256& size = top[-2];
    if (!check_memory(f, gas, off, size)) return {EVMC_OUT_OF_GAS, gas};
    const size_t n = size.w[0];
    if ((gas -= 6 * static_cast<int64_t>(num_words(n))) < 0) return {EVMC_OUT_OF_GAS, gas};
    uint8_t h[32];
    if (n == 64)  // a mapping slot: repeats across a block
        crypto::keccak256_cached(f.memory.data + off.w[0], n, h);
    else
        crypto::keccak256(n != 0 ? f.memory.data + off.w[0] : nullptr, n, h);
    size = uint256::load_be(h);
    return {EVMC_SUCCESS, gas};
}

OpResult op_balance(Frame& f, uint256* top, int64_t gas) noexcept {
    const evmc_address a = top[-1].to_address();
    if (cold_account(f, a) && (gas -= kColdAccountExtra) < 0) return {EVMC_OUT_OF_GAS, gas};
    top[-1] = uint256::from_bytes32(f.host->get_balance(f.ctx, &a));
    return {EVMC_SUCCESS, gas};
}

OpResult op_calldatacopy(Frame& f, uint256* top, int64_t gas) noexcept {
    return copy_op(f, top, gas, f.msg->input_data, f.msg->input_size);
}

OpResult op_codecopy(Frame& f, uint256* top, int64_t gas) noexcept {
    return copy_op(f, top, gas, f.code, f.code_size);
}

OpResult op_extcodesize(Frame& f, uint256* top, int64_t gas) noexcept {
    const evmc_address a = top[-1].to_address();
    if (cold_account(f, a) && (gas -= kColdAccountExtra) < 0) return {EVMC_OUT_OF_GAS, gas};
    top[-1] = uint256{static_cast<uint64_t>(f.host->get_code_size(f.ctx, &a))};
    return {EVMC_SUCCESS, gas};
}

OpResult op_extcodecopy(Frame& f, uint256* top, int64_t gas) noexcept {
    const evmc_address a = top[-1].to_address();
    const uint256& mem_off = top[-2];
    const uint256& src_off = top[-3];
    const uint256& size = top[-4];
    if (!check_memory(f, gas, mem_off, size)) return {EVMC_OUT_OF_GAS, gas};
    const size_t n = size.w[0];
    if ((gas -= 3 * static_cast<int64_t>(num_words(n))) < 0) return {EVMC_OUT_OF_GAS, gas};
    if (cold_account(f, a) && (gas -= kColdAccountExtra) < 0) return {EVMC_OUT_OF_GAS, gas};
    if (n != 0) {
        uint8_t* dst = f.memory.data + mem_off.w[0];
        size_t copied = 0;
        if (src_off.fits_u64())
            copied = f.host->copy_code(f.ctx, &a, static_cast<size_t>(src_off.w[0]), dst, n);
        if (copied < n) std::memset(dst + copied, 0, n - copied);
    }
    return {EVMC_SUCCESS, gas};
}

OpResult op_returndatacopy(Frame& f, uint256* top, int64_t gas) noexcept {
    const uint256& mem_off = top[-1];
    const uint256& src_off = top[-2];
    const uint256& size = top[-3];
    if (!check_memory(f, gas, mem_off, size)) return {EVMC_OUT_OF_GAS, gas};
    const size_t avail = f.return_data.size();
    if (!src_off.fits_u64() || src_off.w[0] > avail) return {EVMC_INVALID_MEMORY_ACCESS, gas};
    if (!size.fits_u64() || size.w[0] > avail - src_off.w[0])
        return {EVMC_INVALID_MEMORY_ACCESS, gas};
    const size_t n = size.w[0];
    if ((gas -= 3 * static_cast<int64_t>(num_words(n))) < 0) return {EVMC_OUT_OF_GAS, gas};
    if (n != 0) std::memcpy(f.memory.data + mem_off.w[0], f.return_data.data() + src_off.w[0], n);
    return {EVMC_SUCCESS, gas};
}

OpResult op_extcodehash(Frame& f, uint256* top, int64_t gas) noexcept {
    const evmc_address a = top[-1].to_address();
    if (cold_account(f, a) && (gas -= kColdAccountExtra) < 0) return {EVMC_OUT_OF_GAS, gas};
    top[-1] = uint256::from_bytes32(f.host->get_code_hash(f.ctx, &a));
    return {EVMC_SUCCESS, gas};
}

OpResult op_blockhash(Frame& f, uint256* top, int64_t gas) noexcept {
    const int64_t current = f.tx_context().block_number;
    const int64_t lowest = current > 256 ? current - 256 : 0;
    const uint256 n = top[-1];
    if (n.fits_u64() && n.w[0] < static_cast<uint64_t>(current) &&
        n.w[0] >= static_cast<uint64_t>(lowest))
        top[-1] =
            uint256::from_bytes32(f.host->get_block_hash(f.ctx, static_cast<int64_t>(n.w[0])));
    else
        top[-1] = uint256{};
    return {EVMC_SUCCESS, gas};
}

OpResult op_mcopy(Frame& f, uint256* top, int64_t gas) noexcept {
    const uint256& dst = top[-1];
    const uint256& src = top[-2];
    const uint256& size = top[-3];
    if (!check_memory(f, gas, src, size) || !check_memory(f, gas, dst, size))
        return {EVMC_OUT_OF_GAS, gas};
    const size_t n = size.w[0];
    if ((gas -= 3 * static_cast<int64_t>(num_words(n))) < 0) return {EVMC_OUT_OF_GAS, gas};
    if (n != 0) std::memmove(f.memory.data + dst.w[0], f.memory.data + src.w[0], n);
    return {EVMC_SUCCESS, gas};
}

OpResult op_sload(Frame& f, uint256* top, int64_t gas) noexcept {
    const evmc_bytes32 key = top[-1].to_bytes32();
    if (f.rev >= EVMC_BERLIN &&
        f.host->access_storage(f.ctx, &f.msg->recipient, &key) == EVMC_ACCESS_COLD &&
        (gas -= kColdSloadExtra) < 0)
        return {EVMC_OUT_OF_GAS, gas};
    top[-1] = uint256::from_bytes32(f.host->get_storage(f.ctx, &f.msg->recipient, &key));
    return {EVMC_SUCCESS, gas};
}

SstoreCost sstore_cost(evmc_revision rev, evmc_storage_status status) noexcept {
    // Frontier rules (also Petersburg, which reverted EIP-1283): 20000 to set a zero slot,
    // 5000 otherwise, 15000 refunded when a non-zero slot is cleared.
    if (rev < EVMC_CONSTANTINOPLE || rev == EVMC_PETERSBURG) {
        switch (status) {
            case EVMC_STORAGE_ADDED:
            case EVMC_STORAGE_DELETED_ADDED:
            case EVMC_STORAGE_DELETED_RESTORED:
                return {20000, 0};
            case EVMC_STORAGE_DELETED:
            case EVMC_STORAGE_MODIFIED_DELETED:
            case EVMC_STORAGE_ADDED_DELETED:
                return {5000, 15000};
            default:
                return {5000, 0};
        }
    }
    // Net metering: EIP-1283 (Constantinople), EIP-2200 (Istanbul), EIP-2929 (Berlin),
    // EIP-3529 (London).
    const int32_t warm = rev >= EVMC_BERLIN ? 100 : rev >= EVMC_ISTANBUL ? 800 : 200;
    const int32_t set = 20000;
    const int32_t reset = rev >= EVMC_BERLIN ? 5000 - 2100 : 5000;
    const int32_t clear = rev >= EVMC_LONDON ? 4800 : 15000;
    switch (status) {
        case EVMC_STORAGE_ADDED:
            return {set, 0};
        case EVMC_STORAGE_DELETED:
            return {reset, clear};
        case EVMC_STORAGE_MODIFIED:
            return {reset, 0};
        case EVMC_STORAGE_DELETED_ADDED:
            return {warm, -clear};
        case EVMC_STORAGE_MODIFIED_DELETED:
            return {warm, clear};
        case EVMC_STORAGE_DELETED_RESTORED:
            return {warm, reset - warm - clear};
        case EVMC_STORAGE_ADDED_DELETED:
            return {warm, set - warm};
        case EVMC_STORAGE_MODIFIED_RESTORED:
            return {warm, reset - warm};
        case EVMC_STORAGE_ASSIGNED:
        default:
            return {warm, 0};
    }
}

OpResult op_sstore(Frame& f, uint256* top, int64_t gas) noexcept {
    if (f.msg->flags & EVMC_STATIC) return {EVMC_STATIC_MODE_VIOLATION, gas};
    // EIP-2200 sentry: SSTORE needs more than the call stipend left.
    if (f.rev >= EVMC_ISTANBUL && gas <= 2300) return {EVMC_OUT_OF_GAS, gas};
    const evmc_bytes32 key = top[-1].to_bytes32();
    const evmc_bytes32 value = top[-2].to_bytes32();
    int64_t cost = 0;
    if (f.rev >= EVMC_BERLIN &&
        f.host->access_storage(f.ctx, &f.msg->recipient, &key) == EVMC_ACCESS_COLD)
        cost = kColdSloadCost;
    const evmc_storage_status status = f.host->set_storage(f.ctx, &f.msg->recipient, &key, &value);
    const SstoreCost c = sstore_cost(f.rev, status);
    if ((gas -= cost + c.gas) < 0) return {EVMC_OUT_OF_GAS, gas};
    f.gas_refund += c.refund;
    return {EVMC_SUCCESS, gas};
}

OpResult op_tload(Frame& f, uint256* top, int64_t gas) noexcept {
    const evmc_bytes32 key = top[-1].to_bytes32();
    top[-1] = uint256::from_bytes32(f.host->get_transient_storage(f.ctx, &f.msg->recipient, &key));
    return {EVMC_SUCCESS, gas};
}

OpResult op_tstore(Frame& f, uint256* top, int64_t gas) noexcept {
    if (f.msg->flags & EVMC_STATIC) return {EVMC_STATIC_MODE_VIOLATION, gas};
    const evmc_bytes32 key = top[-1].to_bytes32();
    const evmc_bytes32 value = top[-2].to_bytes32();
    f.host->set_transient_storage(f.ctx, &f.msg->recipient, &key, &value);
    return {EVMC_SUCCESS, gas};
}

OpResult op_exp(Frame& f, uint256* top, int64_t gas) noexcept {
    const uint256& base = top[-1];
    const uint256& exponent = top[-2];
    const int64_t per_byte = f.rev >= EVMC_SPURIOUS_DRAGON ? 50 : 10;
    if ((gas -= per_byte * count_significant_bytes(exponent)) < 0) return {EVMC_OUT_OF_GAS, gas};
    top[-2] = exp(base, exponent);
    return {EVMC_SUCCESS, gas};
}

template <int N>
OpResult op_log(Frame& f, uint256* top, int64_t gas) noexcept {
    if (f.msg->flags & EVMC_STATIC) return {EVMC_STATIC_MODE_VIOLATION, gas};
    const uint256& off = top[-1];
    const uint256& size = top[-2];
    if (!check_memory(f, gas, off, size)) return {EVMC_OUT_OF_GAS, gas};
    const size_t n = size.w[0];
    if ((gas -= 8 * static_cast<int64_t>(n)) < 0) return {EVMC_OUT_OF_GAS, gas};
    evmc_bytes32 topics[N > 0 ? N : 1];
    for (int i = 0; i < N; ++i) topics[i] = top[-3 - i].to_bytes32();
    f.host->emit_log(f.ctx, &f.msg->recipient, n != 0 ? f.memory.data + off.w[0] : nullptr, n,
                     topics, N);
    return {EVMC_SUCCESS, gas};
}

template OpResult op_log<0>(Frame&, uint256*, int64_t) noexcept;
template OpResult op_log<1>(Frame&, uint256*, int64_t) noexcept;
template OpResult op_log<2>(Frame&, uint256*, int64_t) noexcept;
template OpResult op_log<3>(Frame&, uint256*, int64_t) noexcept;
template OpResult op_log<4>(Frame&, uint256*, int64_t) noexcept;

}  // namespace pevm::evm
