#include "stm/mock_vm.hpp"

#include <cstring>
#include <thread>

namespace pevm::stm::mock {

namespace {

inline uint64_t mix64(uint64_t x) noexcept {  // splitmix64's finalizer
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// A dependent chain the compiler cannot shortcut: the simulated work of a transaction.
inline uint64_t busy(uint64_t x, uint32_t iterations) noexcept {
    for (uint32_t i = 0; i < iterations; ++i) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        x ^= x >> 29;
    }
    return x;
}

class Reader {
public:
    explicit Reader(std::span<const uint8_t> b) : b_(b) {}
    bool ok() const noexcept { return ok_; }
    bool at_end() const noexcept { return pos_ == b_.size(); }
    template <class T>
    T get() noexcept {
        T v{};
        if (b_.size() - pos_ < sizeof(T)) {
            ok_ = false;
            return v;
        }
        std::memcpy(&v, b_.data() + pos_, sizeof(T));  // little-endian host (x86-64, arm64)
        pos_ += sizeof(T);
        return v;
    }

private:
    std::span<const uint8_t> b_;
    size_t pos_ = 0;
    bool ok_ = true;
};

}  // namespace

bool MockBlock::decode(std::span<const uint8_t> bytes, MockBlock& out, std::string& error) {
    Reader r(bytes);
    const uint32_t count = r.get<uint32_t>();
    if (!r.ok() || count > bytes.size() / 6) {
        error = "mock block: bad transaction count";
        return false;
    }
    std::vector<Tx> txs(count);
    for (auto& tx : txs) {
        tx.work = r.get<uint32_t>();
        const uint16_t ops = r.get<uint16_t>();
        if (!r.ok()) break;
        tx.ops.resize(ops);
        for (auto& op : tx.ops) {
            const uint8_t kind = r.get<uint8_t>();
            op.key = r.get<uint32_t>();
            if (kind > static_cast<uint8_t>(OpKind::kYield)) {
                error = "mock block: unknown operation kind";
                return false;
            }
            op.kind = static_cast<OpKind>(kind);
            if (op.kind == OpKind::kDelta) op.amount = r.get<uint64_t>();
            if (op.kind == OpKind::kReadIndirect && op.key == 0) {
                error = "mock block: indirect read with modulus 0";
                return false;
            }
        }
        if (!r.ok()) break;
    }
    if (!r.ok() || !r.at_end()) {
        error = r.ok() ? "mock block: trailing bytes" : "mock block: truncated";
        return false;
    }
    out = MockBlock(std::move(txs));
    return true;
}

MockBlock::Value MockBlock::storage_read(const Location& key) const noexcept {
    const uint64_t s = mix64(0x5107a6e000000000ull ^ key);
    return uint256{mix64(s), mix64(s + 1), mix64(s + 2), mix64(s + 3)};
}

MockBlock::Output MockBlock::execute(TxIdx tx_idx, TxView<Location, Value>& view) const {
    // SAFETY: the engine only executes indices below size().
    const Tx& tx = txs_[tx_idx];
    const uint32_t slice =
        tx.ops.empty() ? tx.work : tx.work / static_cast<uint32_t>(tx.ops.size());
    uint64_t acc = mix64(tx_idx);
    uint64_t spin = acc;
    if (tx.ops.empty()) spin = busy(spin, slice);
    for (size_t i = 0; i < tx.ops.size(); ++i) {
        const Op& op = tx.ops[i];
        spin = busy(spin, slice);
        switch (op.kind) {
            case OpKind::kRead:
            case OpKind::kReadIndirect: {
                const uint32_t key =
                    op.kind == OpKind::kRead ? op.key : static_cast<uint32_t>(acc % op.key);
                Value v;
                if (!view.read(key, v)) return 0;
                acc = mix64(acc ^ v.w[0]) ^ mix64(v.w[1] + key) ^ mix64(v.w[2] ^ v.w[3]);
                break;
            }
            case OpKind::kWriteIfOdd:
                if ((acc & 1) == 0) break;
                [[fallthrough]];
            case OpKind::kWrite: {
                const uint64_t h = mix64(acc + i);
                view.write(op.key, uint256{h, mix64(h), mix64(h + 1), acc});
                break;
            }
            case OpKind::kDelta:
                view.add(op.key, uint256{op.amount});
                break;
            case OpKind::kYield:
                std::this_thread::yield();
                break;
        }
    }
    asm volatile("" : : "r"(spin));  // keeps the simulated work without changing the output
    return acc;
}

}  // namespace pevm::stm::mock
