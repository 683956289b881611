// The byte codec of the compact request and result buffers that cross the Node-API boundary
// (lib/state.ts, lib/block/wire.ts): integers little-endian, 256-bit words big-endian, byte
// strings as u32 length + data. A malformed request throws ERR_DECODE naming what was being read.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "boundary.hpp"
#include "evm/evmc.h"
#include "evm/uint256.hpp"
#include "state/transition.hpp"

namespace pevm::addon {

inline constexpr const char* kDecode = "ERR_DECODE";

/// Reads a request; `label` ("block request", ...) starts every error message.
class WireReader {
public:
    WireReader(std::span<const uint8_t> data, const char* label) : data_(data), label_(label) {}

    const uint8_t* take(size_t n, const char* what) {
        if (data_.size() - pos_ < n)
            throw CodedError(kDecode, std::string(label_) + " truncated in " + what);
        const uint8_t* p = data_.data() + pos_;
        pos_ += n;
        return p;
    }
    uint8_t u8(const char* what) { return *take(1, what); }
    uint32_t u32(const char* what) {
        const uint8_t* p = take(4, what);
        return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
    }
    uint64_t u64(const char* what) {
        const uint8_t* p = take(8, what);
        uint64_t v = 0;
        for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
        return v;
    }
    uint256 w256(const char* what) { return uint256::load_be(take(32, what)); }
    evmc_bytes32 b32(const char* what) {
        evmc_bytes32 b;
        std::memcpy(b.bytes, take(32, what), 32);
        return b;
    }
    evmc_address addr(const char* what) {
        evmc_address a;
        std::memcpy(a.bytes, take(20, what), 20);
        return a;
    }
    std::span<const uint8_t> bytes(const char* what) {
        const uint32_t n = u32(what);
        return {take(n, what), n};
    }
    /// A count of items each at least `min_item` bytes long, checked against what is left.
    uint32_t count(size_t min_item, const char* what) {
        const uint32_t n = u32(what);
        if (static_cast<uint64_t>(n) * min_item > data_.size() - pos_)
            throw CodedError(kDecode, std::string(label_) + ": bad count in " + what);
        return n;
    }
    bool done() const { return pos_ == data_.size(); }

private:
    std::span<const uint8_t> data_;
    const char* label_;
    size_t pos_ = 0;
};

/// Builds a result buffer.
class WireWriter {
public:
    void u8(uint8_t v) { out.push_back(v); }
    void u32(uint32_t v) {
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void u64(uint64_t v) {
        for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void raw(const uint8_t* p, size_t n) { out.insert(out.end(), p, p + n); }
    /// Overwrites the u32 at `at` (a length known only once what it measures is written).
    void put_u32(size_t at, uint32_t v) {
        for (int i = 0; i < 4; ++i) out[at + i] = static_cast<uint8_t>(v >> (8 * i));
    }
    void w256(const uint256& v) {
        uint8_t b[32];
        v.store_be(b);
        raw(b, 32);
    }
    void bytes(const uint8_t* p, size_t n) {
        u32(static_cast<uint32_t>(n));
        raw(p, n);
    }
    void str(const std::string& s) { bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
    std::vector<uint8_t> out;
};

/// The transaction fields after type and sender, as both the state and the block requests carry
/// them: u8 hasTo, addr to, w256 nonce, value, gasLimit, bytes data, w256 gasPrice, maxFeePerGas,
/// maxPriorityFeePerGas, access list, w256 maxFeePerBlobGas, blob hashes, authorizations.
inline void read_tx_body(WireReader& r, state::Transaction& tx) {
    const bool has_to = r.u8("tx.hasTo") != 0;
    const evmc_address to = r.addr("tx.to");
    if (has_to) tx.to = to;
    tx.nonce = r.w256("tx.nonce");
    tx.value = r.w256("tx.value");
    tx.gas_limit = r.w256("tx.gasLimit");
    const auto data = r.bytes("tx.data");
    tx.data.assign(data.begin(), data.end());
    tx.gas_price = r.w256("tx.gasPrice");
    tx.max_fee_per_gas = r.w256("tx.maxFeePerGas");
    tx.max_priority_fee_per_gas = r.w256("tx.maxPriorityFeePerGas");
    for (uint32_t n = r.count(24, "access list"); n > 0; --n) {
        auto& e = tx.access_list.emplace_back();
        e.address = r.addr("access list address");
        for (uint32_t k = r.count(32, "access list keys"); k > 0; --k)
            e.storage_keys.push_back(r.b32("access list key"));
    }
    tx.max_fee_per_blob_gas = r.w256("tx.maxFeePerBlobGas");
    for (uint32_t n = r.count(32, "blob hashes"); n > 0; --n)
        tx.blob_hashes.push_back(r.b32("blob hash"));
    for (uint32_t n = r.count(180, "authorizations"); n > 0; --n) {
        auto& a = tx.authorizations.emplace_back();
        a.chain_id = r.w256("authorization chainId");
        a.address = r.addr("authorization address");
        a.nonce = r.w256("authorization nonce");
        a.y_parity = r.w256("authorization yParity");
        a.r = r.w256("authorization r");
        a.s = r.w256("authorization s");
    }
}

/// A u64 from the wire as the int64 the EVM's block context uses (saturating).
inline int64_t clamp_i64(uint64_t v) {
    return v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
               ? std::numeric_limits<int64_t>::max()
               : static_cast<int64_t>(v);
}

}  // namespace pevm::addon
