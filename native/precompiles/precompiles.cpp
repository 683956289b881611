// The precompile table: one {since, gas, run} entry per address 0x01..0x11, plus P256VERIFY at
// 0x100. `gas` prices the input for the fork (it never allocates and saturates instead of
// overflowing); `run` is called only after the gas was charged and returns false for invalid
// input. Gas rules: Frontier (0x01-0x04), EIP-198/2565/7883 (0x05), EIP-196/197 with EIP-1108
// from Istanbul (0x06-0x08), EIP-152 (0x09), EIP-4844 (0x0a), EIP-2537 (0x0b-0x11), EIP-7951.
#include "precompiles/precompiles.hpp"

#include "precompiles/blake2f.hpp"
#include "precompiles/bls.hpp"
#include "precompiles/bn254.hpp"
#include "precompiles/ecrecover.hpp"
#include "precompiles/kzg.hpp"
#include "precompiles/modexp.hpp"
#include "precompiles/p256.hpp"
#include "precompiles/ripemd160.hpp"
#include "precompiles/sha256.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <span>
#include <vector>

namespace pevm::precompiles {
namespace {

using Input = std::span<const uint8_t>;
using Output = std::vector<uint8_t>;
using GasFn = uint64_t (*)(Input in, evmc_revision rev) noexcept;
using RunFn = bool (*)(Input in, evmc_revision rev, Output& out);

struct Precompile {
    evmc_revision since;
    GasFn gas;
    RunFn run;
};

constexpr uint64_t words(Input in) noexcept {
    return (static_cast<uint64_t>(in.size()) + 31) / 32;
}

// ---- 0x01-0x04 ---------------------------------------------------------------------------------

uint64_t ecrecover_gas(Input, evmc_revision) noexcept {
    return 3000;
}
bool ecrecover_run(Input in, evmc_revision, Output& out) {
    uint8_t addr[32];
    if (ecrecover(in.data(), in.size(), addr)) out.assign(addr, addr + 32);
    return true;  // an unrecoverable signature is a success with empty output
}

uint64_t sha256_gas(Input in, evmc_revision) noexcept {
    return 60 + 12 * words(in);
}
bool sha256_run(Input in, evmc_revision, Output& out) {
    out.resize(32);
    sha256(in.data(), in.size(), out.data());
    return true;
}

uint64_t ripemd160_gas(Input in, evmc_revision) noexcept {
    return 600 + 120 * words(in);
}
bool ripemd160_run(Input in, evmc_revision, Output& out) {
    out.assign(32, 0);
    ripemd160(in.data(), in.size(), out.data() + 12);
    return true;
}

uint64_t identity_gas(Input in, evmc_revision) noexcept {
    return 15 + 3 * words(in);
}
bool identity_run(Input in, evmc_revision, Output& out) {
    out.assign(in.begin(), in.end());
    return true;
}

// ---- 0x05 --------------------------------------------------------------------------------------

bool modexp_entry(Input in, evmc_revision rev, Output& out) {
    return modexp_run(in, rev, out);
}

// ---- 0x06-0x08: bn254
// ----------------------------------------------------------------------------

uint64_t bn254_add_gas(Input, evmc_revision rev) noexcept {
    return rev >= EVMC_ISTANBUL ? 150 : 500;
}
bool bn254_add_run(Input in, evmc_revision, Output& out) {
    out.resize(64);
    return bn254_add(in, out.data());
}

uint64_t bn254_mul_gas(Input, evmc_revision rev) noexcept {
    return rev >= EVMC_ISTANBUL ? 6000 : 40000;
}
bool bn254_mul_run(Input in, evmc_revision, Output& out) {
    out.resize(64);
    return bn254_mul(in, out.data());
}

uint64_t bn254_pairing_gas(Input in, evmc_revision rev) noexcept {
    const uint64_t pairs = in.size() / 192;
    return rev >= EVMC_ISTANBUL ? 45000 + 34000 * pairs : 100000 + 80000 * pairs;
}
bool bn254_pairing_run(Input in, evmc_revision, Output& out) {
    if (in.size() % 192 != 0) return false;
    out.resize(32);
    return bn254_pairing(in, out.data());
}

// ---- 0x09: blake2f
// -------------------------------------------------------------------------------

constexpr size_t kBlake2fInputSize = 213;  // rounds(4) h(64) m(128) t(16) f(1)

uint32_t load_be32(const uint8_t* p) noexcept {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint64_t load_le64(const uint8_t* p) noexcept {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

uint64_t blake2f_gas(Input in, evmc_revision) noexcept {
    return in.size() == kBlake2fInputSize ? load_be32(in.data()) : 0;  // wrong size: run fails
}
bool blake2f_run(Input in, evmc_revision, Output& out) {
    if (in.size() != kBlake2fInputSize) return false;
    const uint8_t flag = in[212];
    if (flag > 1) return false;
    uint64_t h[8], m[16], t[2];
    for (int i = 0; i < 8; ++i) h[i] = load_le64(in.data() + 4 + 8 * i);
    for (int i = 0; i < 16; ++i) m[i] = load_le64(in.data() + 68 + 8 * i);
    t[0] = load_le64(in.data() + 196);
    t[1] = load_le64(in.data() + 204);
    blake2b_compress(load_be32(in.data()), h, m, t, flag == 1);
    out.resize(64);
    for (int i = 0; i < 8; ++i)
        for (int b = 0; b < 8; ++b) out[8 * i + b] = static_cast<uint8_t>(h[i] >> (8 * b));
    return true;
}

// ---- 0x0a: KZG point evaluation
// ------------------------------------------------------------------

uint64_t point_evaluation_gas(Input, evmc_revision) noexcept {
    return 50000;
}
bool point_evaluation_run(Input in, evmc_revision, Output& out) {
    out.resize(64);
    return point_evaluation(in, out.data());
}

// ---- 0x0b-0x11: BLS12-381 ----------------------------------------------------------------------

// EIP-2537 MSM discounts (per mille) for k = 1..128 pairs; k > 128 uses the last value.
constexpr uint16_t kG1MsmDiscount[128] = {
    1000, 949, 848, 797, 764, 750, 738, 728, 719, 712, 705, 698, 692, 687, 682, 677, 673, 669, 665,
    661,  658, 654, 651, 648, 645, 642, 640, 637, 635, 632, 630, 627, 625, 623, 621, 619, 617, 615,
    613,  611, 609, 608, 606, 604, 603, 601, 599, 598, 596, 595, 593, 592, 591, 589, 588, 586, 585,
    584,  582, 581, 580, 579, 577, 576, 575, 574, 573, 572, 570, 569, 568, 567, 566, 565, 564, 563,
    562,  561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 551, 550, 549, 548, 547, 547, 546, 545,
    544,  543, 542, 541, 540, 540, 539, 538, 537, 536, 536, 535, 534, 533, 532, 532, 531, 530, 529,
    528,  528, 527, 526, 525, 525, 524, 523, 522, 522, 521, 520, 520, 519};
constexpr uint16_t kG2MsmDiscount[128] = {
    1000, 1000, 923, 884, 855, 832, 812, 796, 782, 770, 759, 749, 740, 732, 724, 717, 711, 704, 699,
    693,  688,  683, 679, 674, 670, 666, 663, 659, 655, 652, 649, 646, 643, 640, 637, 634, 632, 629,
    627,  624,  622, 620, 618, 615, 613, 611, 609, 607, 606, 604, 602, 600, 598, 597, 595, 593, 592,
    590,  589,  587, 586, 584, 583, 582, 580, 579, 578, 576, 575, 574, 573, 571, 570, 569, 568, 567,
    566,  565,  563, 562, 561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 552, 551, 550, 549, 548,
    547,  546,  545, 545, 544, 543, 542, 541, 541, 540, 539, 538, 537, 537, 536, 535, 535, 534, 533,
    532,  532,  531, 530, 530, 529, 528, 528, 527, 526, 526, 525, 524, 524};
static_assert(kG1MsmDiscount[127] == 519 && kG2MsmDiscount[127] == 524);  // the max discounts

uint64_t msm_gas(uint64_t k, uint64_t mul_cost, const uint16_t (&discount)[128]) noexcept {
    if (k == 0) return 0;  // empty input: run fails
    return k * mul_cost * discount[k <= 128 ? k - 1 : 127] / 1000;
}

uint64_t bls_g1add_gas(Input, evmc_revision) noexcept {
    return 375;
}
uint64_t bls_g1msm_gas(Input in, evmc_revision) noexcept {
    return msm_gas(in.size() / 160, 12000, kG1MsmDiscount);
}
uint64_t bls_g2add_gas(Input, evmc_revision) noexcept {
    return 600;
}
uint64_t bls_g2msm_gas(Input in, evmc_revision) noexcept {
    return msm_gas(in.size() / 288, 22500, kG2MsmDiscount);
}
uint64_t bls_pairing_gas(Input in, evmc_revision) noexcept {
    return 37700 + 32600 * (in.size() / 384);
}
uint64_t bls_map_fp_gas(Input, evmc_revision) noexcept {
    return 5500;
}
uint64_t bls_map_fp2_gas(Input, evmc_revision) noexcept {
    return 23800;
}

template <bool (*F)(std::span<const uint8_t>, std::vector<uint8_t>&) noexcept>
bool bls_run(Input in, evmc_revision, Output& out) {
    return F(in, out);
}

// ---- 0x100: P256VERIFY
// ----------------------------------------------------------------------------

uint64_t p256_gas(Input, evmc_revision) noexcept {
    return 6900;
}
bool p256_run(Input in, evmc_revision, Output& out) {
    if (in.size() == 160 && p256_verify(in)) {
        out.assign(32, 0);
        out[31] = 1;
    }
    return true;  // an invalid signature or input is a success with empty output
}

// ---- the table ---------------------------------------------------------------------------------

constexpr Precompile kTable[0x12] = {
    {EVMC_MAX_REVISION, nullptr, nullptr},  // 0x00: not a precompile
    {EVMC_FRONTIER, ecrecover_gas, ecrecover_run},
    {EVMC_FRONTIER, sha256_gas, sha256_run},
    {EVMC_FRONTIER, ripemd160_gas, ripemd160_run},
    {EVMC_FRONTIER, identity_gas, identity_run},
    {EVMC_BYZANTIUM, modexp_gas, modexp_entry},
    {EVMC_BYZANTIUM, bn254_add_gas, bn254_add_run},
    {EVMC_BYZANTIUM, bn254_mul_gas, bn254_mul_run},
    {EVMC_BYZANTIUM, bn254_pairing_gas, bn254_pairing_run},
    {EVMC_ISTANBUL, blake2f_gas, blake2f_run},
    {EVMC_CANCUN, point_evaluation_gas, point_evaluation_run},
    {EVMC_PRAGUE, bls_g1add_gas, bls_run<bls_g1add>},
    {EVMC_PRAGUE, bls_g1msm_gas, bls_run<bls_g1msm>},
    {EVMC_PRAGUE, bls_g2add_gas, bls_run<bls_g2add>},
    {EVMC_PRAGUE, bls_g2msm_gas, bls_run<bls_g2msm>},
    {EVMC_PRAGUE, bls_pairing_gas, bls_run<bls_pairing>},
    {EVMC_PRAGUE, bls_map_fp_gas, bls_run<bls_map_fp_to_g1>},
    {EVMC_PRAGUE, bls_map_fp2_gas, bls_run<bls_map_fp2_to_g2>},
};
constexpr Precompile kP256Verify = {EVMC_OSAKA, p256_gas, p256_run};
constexpr unsigned kP256VerifyAddress = 0x100;

const Precompile* lookup(const evmc_address& addr, evmc_revision rev) noexcept {
    for (int i = 0; i < 18; ++i)
        if (addr.bytes[i] != 0) return nullptr;
    const unsigned index = (unsigned{addr.bytes[18]} << 8) | addr.bytes[19];
    const Precompile* p = nullptr;
    if (index != 0 && index < std::size(kTable))
        p = &kTable[index];
    else if (index == kP256VerifyAddress)
        p = &kP256Verify;
    return p != nullptr && rev >= p->since ? p : nullptr;
}

evmc_result make_result(evmc_status_code status, int64_t gas_left) noexcept {
    evmc_result r{};
    r.status_code = status;
    r.gas_left = gas_left;
    return r;
}

void release_output(const evmc_result* result) noexcept {
    std::free(const_cast<uint8_t*>(result->output_data));
}

}  // namespace

bool is_precompile(const evmc_address& addr, evmc_revision rev) noexcept {
    return lookup(addr, rev) != nullptr;
}

evmc_result execute(const evmc_address& addr, evmc_revision rev, const uint8_t* input,
                    size_t input_size, int64_t gas) noexcept {
    const Precompile* p = lookup(addr, rev);
    if (p == nullptr) return make_result(EVMC_REJECTED, 0);
    const Input in = input_size != 0 ? Input(input, input_size) : Input();
    const uint64_t cost = p->gas(in, rev);
    if (gas < 0 || cost > static_cast<uint64_t>(gas)) return make_result(EVMC_OUT_OF_GAS, 0);
    try {
        Output out;
        if (!p->run(in, rev, out)) return make_result(EVMC_PRECOMPILE_FAILURE, 0);
        evmc_result r = make_result(EVMC_SUCCESS, gas - static_cast<int64_t>(cost));
        if (!out.empty()) {
            auto* buf = static_cast<uint8_t*>(std::malloc(out.size()));
            if (buf == nullptr) return make_result(EVMC_OUT_OF_MEMORY, 0);
            std::memcpy(buf, out.data(), out.size());
            r.output_data = buf;
            r.output_size = out.size();
            r.release = release_output;
        }
        return r;
    } catch (const std::bad_alloc&) {
        return make_result(EVMC_OUT_OF_MEMORY, 0);
    } catch (...) {
        return make_result(EVMC_INTERNAL_ERROR, 0);
    }
}

}  // namespace pevm::precompiles
