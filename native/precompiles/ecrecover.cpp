#include "precompiles/ecrecover.hpp"

#include "crypto/keccak.hpp"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <algorithm>
#include <cstring>

namespace pevm::precompiles {
namespace {

// The group order n, big-endian.
constexpr uint8_t kOrder[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};

bool in_scalar_range(const uint8_t x[32]) noexcept {
    const bool zero = std::all_of(x, x + 32, [](uint8_t b) { return b == 0; });
    return !zero && std::memcmp(x, kOrder, 32) < 0;
}

}  // namespace

std::optional<evmc_address> recover_address(const uint8_t hash[32], const uint8_t r[32],
                                            const uint8_t s[32], uint8_t y_parity) noexcept {
    if (y_parity > 1 || !in_scalar_range(r) || !in_scalar_range(s)) return std::nullopt;
    // Recovery needs no context of its own: libsecp256k1's verification tables are precomputed
    // in the library, and the static context is read-only, so every thread shares it. The
    // library's self-test (what it asks of users of that context) runs once, on first use.
    static const bool tested = (secp256k1_selftest(), true);
    (void)tested;
    const secp256k1_context* ctx = secp256k1_context_static;
    uint8_t compact[64];
    std::memcpy(compact, r, 32);
    std::memcpy(compact + 32, s, 32);
    secp256k1_ecdsa_recoverable_signature sig;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, compact, y_parity))
        return std::nullopt;
    secp256k1_pubkey pubkey;
    if (!secp256k1_ecdsa_recover(ctx, &pubkey, &sig, hash)) return std::nullopt;
    uint8_t serialized[65];
    size_t len = sizeof(serialized);
    secp256k1_ec_pubkey_serialize(ctx, serialized, &len, &pubkey, SECP256K1_EC_UNCOMPRESSED);
    uint8_t digest[32];
    crypto::keccak256(serialized + 1, 64, digest);
    evmc_address addr;
    std::memcpy(addr.bytes, digest + 12, 20);
    return addr;
}

bool ecrecover(const uint8_t* input, size_t size, uint8_t out[32]) noexcept {
    uint8_t in[128]{};
    if (size != 0) std::memcpy(in, input, std::min<size_t>(size, 128));
    // v is a full 32-byte word that must equal 27 or 28.
    if (!std::all_of(in + 32, in + 63, [](uint8_t b) { return b == 0; })) return false;
    if (in[63] != 27 && in[63] != 28) return false;
    const auto addr = recover_address(in, in + 64, in + 96, static_cast<uint8_t>(in[63] - 27));
    if (!addr) return false;
    std::memset(out, 0, 12);
    std::memcpy(out + 12, addr->bytes, 20);
    return true;
}

}  // namespace pevm::precompiles
