// Compile-time opcode facts: one X-macro list generates the Opcode enum, the names, the stack
// requirements, the immediate sizes and the per-fork base gas tables.
//
// Base gas is what the interpreter charges before an instruction runs. Dynamic parts (memory,
// copies, EIP-2929 cold surcharges, SSTORE, calls, creates) are charged by the instructions. Under
// Berlin+ the base of the account/storage-reading opcodes is the warm cost (100) and the cold
// extra is added when the host reports a cold access, as EIP-2929 describes.
#pragma once

#include <array>
#include <cstdint>

#include "evm/evmc.h"

namespace pevm::evm {

// X(NAME, byte, stack items needed, stack change, fork it appears in, base gas in that fork)
// clang-format off
#define PEVM_OPCODES(X)                                  \
    X(STOP, 0x00, 0, 0, EVMC_FRONTIER, 0)                \
    X(ADD, 0x01, 2, -1, EVMC_FRONTIER, 3)                \
    X(MUL, 0x02, 2, -1, EVMC_FRONTIER, 5)                \
    X(SUB, 0x03, 2, -1, EVMC_FRONTIER, 3)                \
    X(DIV, 0x04, 2, -1, EVMC_FRONTIER, 5)                \
    X(SDIV, 0x05, 2, -1, EVMC_FRONTIER, 5)               \
    X(MOD, 0x06, 2, -1, EVMC_FRONTIER, 5)                \
    X(SMOD, 0x07, 2, -1, EVMC_FRONTIER, 5)               \
    X(ADDMOD, 0x08, 3, -2, EVMC_FRONTIER, 8)             \
    X(MULMOD, 0x09, 3, -2, EVMC_FRONTIER, 8)             \
    X(EXP, 0x0a, 2, -1, EVMC_FRONTIER, 10)               \
    X(SIGNEXTEND, 0x0b, 2, -1, EVMC_FRONTIER, 5)         \
    X(LT, 0x10, 2, -1, EVMC_FRONTIER, 3)                 \
    X(GT, 0x11, 2, -1, EVMC_FRONTIER, 3)                 \
    X(SLT, 0x12, 2, -1, EVMC_FRONTIER, 3)                \
    X(SGT, 0x13, 2, -1, EVMC_FRONTIER, 3)                \
    X(EQ, 0x14, 2, -1, EVMC_FRONTIER, 3)                 \
    X(ISZERO, 0x15, 1, 0, EVMC_FRONTIER, 3)              \
    X(AND, 0x16, 2, -1, EVMC_FRONTIER, 3)                \
    X(OR, 0x17, 2, -1, EVMC_FRONTIER, 3)                 \
    X(XOR, 0x18, 2, -1, EVMC_FRONTIER, 3)                \
    X(NOT, 0x19, 1, 0, EVMC_FRONTIER, 3)                 \
    X(BYTE, 0x1a, 2, -1, EVMC_FRONTIER, 3)               \
    X(SHL, 0x1b, 2, -1, EVMC_CONSTANTINOPLE, 3)          \
    X(SHR, 0x1c, 2, -1, EVMC_CONSTANTINOPLE, 3)          \
    X(SAR, 0x1d, 2, -1, EVMC_CONSTANTINOPLE, 3)          \
    X(CLZ, 0x1e, 1, 0, EVMC_OSAKA, 5)                    \
    X(KECCAK256, 0x20, 2, -1, EVMC_FRONTIER, 30)         \
    X(ADDRESS, 0x30, 0, 1, EVMC_FRONTIER, 2)             \
    X(BALANCE, 0x31, 1, 0, EVMC_FRONTIER, 20)            \
    X(ORIGIN, 0x32, 0, 1, EVMC_FRONTIER, 2)              \
    X(CALLER, 0x33, 0, 1, EVMC_FRONTIER, 2)              \
    X(CALLVALUE, 0x34, 0, 1, EVMC_FRONTIER, 2)           \
    X(CALLDATALOAD, 0x35, 1, 0, EVMC_FRONTIER, 3)        \
    X(CALLDATASIZE, 0x36, 0, 1, EVMC_FRONTIER, 2)        \
    X(CALLDATACOPY, 0x37, 3, -3, EVMC_FRONTIER, 3)       \
    X(CODESIZE, 0x38, 0, 1, EVMC_FRONTIER, 2)            \
    X(CODECOPY, 0x39, 3, -3, EVMC_FRONTIER, 3)           \
    X(GASPRICE, 0x3a, 0, 1, EVMC_FRONTIER, 2)            \
    X(EXTCODESIZE, 0x3b, 1, 0, EVMC_FRONTIER, 20)        \
    X(EXTCODECOPY, 0x3c, 4, -4, EVMC_FRONTIER, 20)       \
    X(RETURNDATASIZE, 0x3d, 0, 1, EVMC_BYZANTIUM, 2)     \
    X(RETURNDATACOPY, 0x3e, 3, -3, EVMC_BYZANTIUM, 3)    \
    X(EXTCODEHASH, 0x3f, 1, 0, EVMC_CONSTANTINOPLE, 400) \
    X(BLOCKHASH, 0x40, 1, 0, EVMC_FRONTIER, 20)          \
    X(COINBASE, 0x41, 0, 1, EVMC_FRONTIER, 2)            \
    X(TIMESTAMP, 0x42, 0, 1, EVMC_FRONTIER, 2)           \
    X(NUMBER, 0x43, 0, 1, EVMC_FRONTIER, 2)              \
    X(PREVRANDAO, 0x44, 0, 1, EVMC_FRONTIER, 2)          \
    X(GASLIMIT, 0x45, 0, 1, EVMC_FRONTIER, 2)            \
    X(CHAINID, 0x46, 0, 1, EVMC_ISTANBUL, 2)             \
    X(SELFBALANCE, 0x47, 0, 1, EVMC_ISTANBUL, 5)         \
    X(BASEFEE, 0x48, 0, 1, EVMC_LONDON, 2)               \
    X(BLOBHASH, 0x49, 1, 0, EVMC_CANCUN, 3)              \
    X(BLOBBASEFEE, 0x4a, 0, 1, EVMC_CANCUN, 2)           \
    X(POP, 0x50, 1, -1, EVMC_FRONTIER, 2)                \
    X(MLOAD, 0x51, 1, 0, EVMC_FRONTIER, 3)               \
    X(MSTORE, 0x52, 2, -2, EVMC_FRONTIER, 3)             \
    X(MSTORE8, 0x53, 2, -2, EVMC_FRONTIER, 3)            \
    X(SLOAD, 0x54, 1, 0, EVMC_FRONTIER, 50)              \
    X(SSTORE, 0x55, 2, -2, EVMC_FRONTIER, 0)             \
    X(JUMP, 0x56, 1, -1, EVMC_FRONTIER, 8)               \
    X(JUMPI, 0x57, 2, -2, EVMC_FRONTIER, 10)             \
    X(PC, 0x58, 0, 1, EVMC_FRONTIER, 2)                  \
    X(MSIZE, 0x59, 0, 1, EVMC_FRONTIER, 2)               \
    X(GAS, 0x5a, 0, 1, EVMC_FRONTIER, 2)                 \
    X(JUMPDEST, 0x5b, 0, 0, EVMC_FRONTIER, 1)            \
    X(TLOAD, 0x5c, 1, 0, EVMC_CANCUN, 100)               \
    X(TSTORE, 0x5d, 2, -2, EVMC_CANCUN, 100)             \
    X(MCOPY, 0x5e, 3, -3, EVMC_CANCUN, 3)                \
    X(PUSH0, 0x5f, 0, 1, EVMC_SHANGHAI, 2)               \
    PEVM_PUSH_OPCODES(X)                                 \
    PEVM_DUP_OPCODES(X)                                  \
    PEVM_SWAP_OPCODES(X)                                 \
    X(LOG0, 0xa0, 2, -2, EVMC_FRONTIER, 375)             \
    X(LOG1, 0xa1, 3, -3, EVMC_FRONTIER, 750)             \
    X(LOG2, 0xa2, 4, -4, EVMC_FRONTIER, 1125)            \
    X(LOG3, 0xa3, 5, -5, EVMC_FRONTIER, 1500)            \
    X(LOG4, 0xa4, 6, -6, EVMC_FRONTIER, 1875)            \
    X(CREATE, 0xf0, 3, -2, EVMC_FRONTIER, 32000)         \
    X(CALL, 0xf1, 7, -6, EVMC_FRONTIER, 40)              \
    X(CALLCODE, 0xf2, 7, -6, EVMC_FRONTIER, 40)          \
    X(RETURN, 0xf3, 2, -2, EVMC_FRONTIER, 0)             \
    X(DELEGATECALL, 0xf4, 6, -5, EVMC_HOMESTEAD, 40)     \
    X(CREATE2, 0xf5, 4, -3, EVMC_CONSTANTINOPLE, 32000)  \
    X(STATICCALL, 0xfa, 6, -5, EVMC_BYZANTIUM, 700)      \
    X(REVERT, 0xfd, 2, -2, EVMC_BYZANTIUM, 0)            \
    X(INVALID, 0xfe, 0, 0, EVMC_FRONTIER, 0)             \
    X(SELFDESTRUCT, 0xff, 1, -1, EVMC_FRONTIER, 0)

#define PEVM_PUSH_OPCODES(X)                                                                \
    X(PUSH1, 0x60, 0, 1, EVMC_FRONTIER, 3) X(PUSH2, 0x61, 0, 1, EVMC_FRONTIER, 3)           \
    X(PUSH3, 0x62, 0, 1, EVMC_FRONTIER, 3) X(PUSH4, 0x63, 0, 1, EVMC_FRONTIER, 3)           \
    X(PUSH5, 0x64, 0, 1, EVMC_FRONTIER, 3) X(PUSH6, 0x65, 0, 1, EVMC_FRONTIER, 3)           \
    X(PUSH7, 0x66, 0, 1, EVMC_FRONTIER, 3) X(PUSH8, 0x67, 0, 1, EVMC_FRONTIER, 3)           \
    X(PUSH9, 0x68, 0, 1, EVMC_FRONTIER, 3) X(PUSH10, 0x69, 0, 1, EVMC_FRONTIER, 3)          \
    X(PUSH11, 0x6a, 0, 1, EVMC_FRONTIER, 3) X(PUSH12, 0x6b, 0, 1, EVMC_FRONTIER, 3)         \
    X(PUSH13, 0x6c, 0, 1, EVMC_FRONTIER, 3) X(PUSH14, 0x6d, 0, 1, EVMC_FRONTIER, 3)         \
    X(PUSH15, 0x6e, 0, 1, EVMC_FRONTIER, 3) X(PUSH16, 0x6f, 0, 1, EVMC_FRONTIER, 3)         \
    X(PUSH17, 0x70, 0, 1, EVMC_FRONTIER, 3) X(PUSH18, 0x71, 0, 1, EVMC_FRONTIER, 3)         \
    X(PUSH19, 0x72, 0, 1, EVMC_FRONTIER, 3) X(PUSH20, 0x73, 0, 1, EVMC_FRONTIER, 3)         \
    X(PUSH21, 0x74, 0, 1, EVMC_FRONTIER, 3) X(PUSH22, 0x75, 0, 1, EVMC_FRONTIER, 3)         \
    X(PUSH23, 0x76, 0, 1, EVMC_FRONTIER, 3) X(PUSH24, 0x77, 0, 1, EVMC_FRONTIER, 3)         \
    X(PUSH25, 0x78, 0, 1, EVMC_FRONTIER, 3) X(PUSH26, 0x79, 0, 1, EVMC_FRONTIER, 3)         \
    X(PUSH27, 0x7a, 0, 1, EVMC_FRONTIER, 3) X(PUSH28, 0x7b, 0, 1, EVMC_FRONTIER, 3)         \
    X(PUSH29, 0x7c, 0, 1, EVMC_FRONTIER, 3) X(PUSH30, 0x7d, 0, 1, EVMC_FRONTIER, 3)         \
    X(PUSH31, 0x7e, 0, 1, EVMC_FRONTIER, 3) X(PUSH32, 0x7f, 0, 1, EVMC_FRONTIER, 3)

#define PEVM_DUP_OPCODES(X)                                                                 \
    X(DUP1, 0x80, 1, 1, EVMC_FRONTIER, 3) X(DUP2, 0x81, 2, 1, EVMC_FRONTIER, 3)             \
    X(DUP3, 0x82, 3, 1, EVMC_FRONTIER, 3) X(DUP4, 0x83, 4, 1, EVMC_FRONTIER, 3)             \
    X(DUP5, 0x84, 5, 1, EVMC_FRONTIER, 3) X(DUP6, 0x85, 6, 1, EVMC_FRONTIER, 3)             \
    X(DUP7, 0x86, 7, 1, EVMC_FRONTIER, 3) X(DUP8, 0x87, 8, 1, EVMC_FRONTIER, 3)             \
    X(DUP9, 0x88, 9, 1, EVMC_FRONTIER, 3) X(DUP10, 0x89, 10, 1, EVMC_FRONTIER, 3)           \
    X(DUP11, 0x8a, 11, 1, EVMC_FRONTIER, 3) X(DUP12, 0x8b, 12, 1, EVMC_FRONTIER, 3)         \
    X(DUP13, 0x8c, 13, 1, EVMC_FRONTIER, 3) X(DUP14, 0x8d, 14, 1, EVMC_FRONTIER, 3)         \
    X(DUP15, 0x8e, 15, 1, EVMC_FRONTIER, 3) X(DUP16, 0x8f, 16, 1, EVMC_FRONTIER, 3)

#define PEVM_SWAP_OPCODES(X)                                                                \
    X(SWAP1, 0x90, 2, 0, EVMC_FRONTIER, 3) X(SWAP2, 0x91, 3, 0, EVMC_FRONTIER, 3)           \
    X(SWAP3, 0x92, 4, 0, EVMC_FRONTIER, 3) X(SWAP4, 0x93, 5, 0, EVMC_FRONTIER, 3)           \
    X(SWAP5, 0x94, 6, 0, EVMC_FRONTIER, 3) X(SWAP6, 0x95, 7, 0, EVMC_FRONTIER, 3)           \
    X(SWAP7, 0x96, 8, 0, EVMC_FRONTIER, 3) X(SWAP8, 0x97, 9, 0, EVMC_FRONTIER, 3)           \
    X(SWAP9, 0x98, 10, 0, EVMC_FRONTIER, 3) X(SWAP10, 0x99, 11, 0, EVMC_FRONTIER, 3)        \
    X(SWAP11, 0x9a, 12, 0, EVMC_FRONTIER, 3) X(SWAP12, 0x9b, 13, 0, EVMC_FRONTIER, 3)       \
    X(SWAP13, 0x9c, 14, 0, EVMC_FRONTIER, 3) X(SWAP14, 0x9d, 15, 0, EVMC_FRONTIER, 3)       \
    X(SWAP15, 0x9e, 16, 0, EVMC_FRONTIER, 3) X(SWAP16, 0x9f, 17, 0, EVMC_FRONTIER, 3)

// clang-format on

enum Opcode : uint8_t {
#define PEVM_X(name, code, req, change, since, gas) OP_##name = code,
    PEVM_OPCODES(PEVM_X)
#undef PEVM_X
};

inline constexpr int kNumRevisions = EVMC_OSAKA + 1;
inline constexpr int kStackLimit = 1024;

struct OpcodeTraits {
    const char* name = nullptr;  // null: not an opcode in any fork
    uint8_t stack_required = 0;  // items that must be on the stack
    int8_t stack_change = 0;     // height after minus height before
    uint8_t immediate_size = 0;  // bytes of immediate data (PUSHn: n)
    int8_t since = -1;           // first evmc_revision that defines it
};

inline constexpr std::array<OpcodeTraits, 256> kTraits = [] {
    std::array<OpcodeTraits, 256> t{};
#define PEVM_X(nm, code, req, change, rev, gas) \
    t[code] = {#nm, req, change, uint8_t(code >= 0x60 && code <= 0x7f ? code - 0x5f : 0), rev};
    PEVM_OPCODES(PEVM_X)
#undef PEVM_X
    return t;
}();

/// Base gas of every opcode in one fork; -1 where the opcode is undefined.
using GasRow = std::array<int16_t, 256>;

namespace detail {

constexpr GasRow introduced_in(int rev, GasRow row) {
#define PEVM_X(nm, code, req, change, since, gas) \
    if (since == rev) row[code] = gas;
    PEVM_OPCODES(PEVM_X)
#undef PEVM_X
    return row;
}

/// Each fork = the previous fork + the opcodes it introduces + its repricings.
constexpr GasRow gas_row(int rev) {
    GasRow row{};
    if (rev == EVMC_FRONTIER) {
        for (auto& g : row) g = -1;
        return introduced_in(EVMC_FRONTIER, row);
    }
    row = introduced_in(rev, gas_row(rev - 1));
    switch (rev) {
        case EVMC_TANGERINE_WHISTLE:  // EIP-150: IO-heavy operations repriced
            row[OP_BALANCE] = 400;
            row[OP_EXTCODESIZE] = 700;
            row[OP_EXTCODECOPY] = 700;
            row[OP_SLOAD] = 200;
            row[OP_CALL] = 700;
            row[OP_CALLCODE] = 700;
            row[OP_DELEGATECALL] = 700;
            row[OP_SELFDESTRUCT] = 5000;
            break;
        case EVMC_ISTANBUL:  // EIP-1884
            row[OP_BALANCE] = 700;
            row[OP_EXTCODEHASH] = 700;
            row[OP_SLOAD] = 800;
            break;
        case EVMC_BERLIN:  // EIP-2929: base = warm access; cold surcharge added at run time
            row[OP_BALANCE] = 100;
            row[OP_EXTCODESIZE] = 100;
            row[OP_EXTCODECOPY] = 100;
            row[OP_EXTCODEHASH] = 100;
            row[OP_SLOAD] = 100;
            row[OP_CALL] = 100;
            row[OP_CALLCODE] = 100;
            row[OP_DELEGATECALL] = 100;
            row[OP_STATICCALL] = 100;
            break;
        default:
            break;
    }
    return row;
}

}  // namespace detail

inline constexpr std::array<GasRow, kNumRevisions> kGasCosts = [] {
    std::array<GasRow, kNumRevisions> t{};
    for (int r = 0; r < kNumRevisions; ++r) t[r] = detail::gas_row(r);
    return t;
}();

/// The base gas of `op` if it is the same in every fork that defines it, else -1.
template <uint8_t Op>
inline constexpr int kConstantGas = [] {
    int g = -2;
    for (int r = 0; r < kNumRevisions; ++r) {
        const int c = kGasCosts[r][Op];
        if (c < 0) continue;
        if (g == -2)
            g = c;
        else if (g != c)
            return -1;
    }
    return g < 0 ? -1 : g;
}();

// The tables agree with the published schedules.
static_assert(kGasCosts[EVMC_FRONTIER][OP_SLOAD] == 50);
static_assert(kGasCosts[EVMC_TANGERINE_WHISTLE][OP_SLOAD] == 200);
static_assert(kGasCosts[EVMC_ISTANBUL][OP_SLOAD] == 800);
static_assert(kGasCosts[EVMC_BERLIN][OP_SLOAD] == 100);
static_assert(kGasCosts[EVMC_OSAKA][OP_SLOAD] == 100);
static_assert(kGasCosts[EVMC_FRONTIER][OP_DELEGATECALL] == -1);
static_assert(kGasCosts[EVMC_HOMESTEAD][OP_DELEGATECALL] == 40);
static_assert(kGasCosts[EVMC_BYZANTIUM][OP_STATICCALL] == 700);
static_assert(kGasCosts[EVMC_PETERSBURG][OP_SHL] == 3);
static_assert(kGasCosts[EVMC_BYZANTIUM][OP_SHL] == -1);
static_assert(kGasCosts[EVMC_CONSTANTINOPLE][OP_EXTCODEHASH] == 400);
static_assert(kGasCosts[EVMC_ISTANBUL][OP_EXTCODEHASH] == 700);
static_assert(kGasCosts[EVMC_ISTANBUL][OP_SELFBALANCE] == 5);
static_assert(kGasCosts[EVMC_BERLIN][OP_BALANCE] == 100);
static_assert(kGasCosts[EVMC_LONDON][OP_BASEFEE] == 2 && kGasCosts[EVMC_BERLIN][OP_BASEFEE] == -1);
static_assert(kGasCosts[EVMC_SHANGHAI][OP_PUSH0] == 2 && kGasCosts[EVMC_PARIS][OP_PUSH0] == -1);
static_assert(kGasCosts[EVMC_CANCUN][OP_TLOAD] == 100 && kGasCosts[EVMC_CANCUN][OP_MCOPY] == 3);
static_assert(kGasCosts[EVMC_CANCUN][OP_BLOBHASH] == 3 &&
              kGasCosts[EVMC_SHANGHAI][OP_BLOBHASH] == -1);
static_assert(kGasCosts[EVMC_OSAKA][OP_CLZ] == 5 && kGasCosts[EVMC_PRAGUE][OP_CLZ] == -1);
static_assert(kGasCosts[EVMC_OSAKA][0x0c] == -1 && kGasCosts[EVMC_OSAKA][0xef] == -1);
static_assert(kGasCosts[EVMC_TANGERINE_WHISTLE][OP_SELFDESTRUCT] == 5000);
static_assert(kConstantGas<OP_ADD> == 3 && kConstantGas<OP_SLOAD> == -1);
static_assert(kTraits[OP_PUSH32].immediate_size == 32 && kTraits[OP_DUP16].stack_required == 16);
static_assert(kTraits[OP_SWAP16].stack_required == 17 && kTraits[OP_CALL].stack_change == -6);

}  // namespace pevm::evm
