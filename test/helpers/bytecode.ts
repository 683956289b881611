/**
 * A tiny EVM bytecode builder for per-EIP tests: opcodes by name, pushes of the smallest width,
 * and helpers for the common stack setups (mstore, sstore, call, create2, ...). Every helper
 * returns bytes; `code(...)` concatenates them. Gas of each piece is written where it is used.
 */

/** Opcode bytes by name (the ones the tests use, and the common ones). */
export const op = {
  STOP: 0x00,
  ADD: 0x01,
  MUL: 0x02,
  SUB: 0x03,
  DIV: 0x04,
  SDIV: 0x05,
  MOD: 0x06,
  SMOD: 0x07,
  ADDMOD: 0x08,
  MULMOD: 0x09,
  EXP: 0x0a,
  SIGNEXTEND: 0x0b,
  LT: 0x10,
  GT: 0x11,
  SLT: 0x12,
  SGT: 0x13,
  EQ: 0x14,
  ISZERO: 0x15,
  AND: 0x16,
  OR: 0x17,
  XOR: 0x18,
  NOT: 0x19,
  BYTE: 0x1a,
  SHL: 0x1b,
  SHR: 0x1c,
  SAR: 0x1d,
  CLZ: 0x1e,
  KECCAK256: 0x20,
  ADDRESS: 0x30,
  BALANCE: 0x31,
  ORIGIN: 0x32,
  CALLER: 0x33,
  CALLVALUE: 0x34,
  CALLDATALOAD: 0x35,
  CALLDATASIZE: 0x36,
  CALLDATACOPY: 0x37,
  CODESIZE: 0x38,
  CODECOPY: 0x39,
  GASPRICE: 0x3a,
  EXTCODESIZE: 0x3b,
  EXTCODECOPY: 0x3c,
  RETURNDATASIZE: 0x3d,
  RETURNDATACOPY: 0x3e,
  EXTCODEHASH: 0x3f,
  BLOCKHASH: 0x40,
  COINBASE: 0x41,
  TIMESTAMP: 0x42,
  NUMBER: 0x43,
  PREVRANDAO: 0x44,
  GASLIMIT: 0x45,
  CHAINID: 0x46,
  SELFBALANCE: 0x47,
  BASEFEE: 0x48,
  BLOBHASH: 0x49,
  BLOBBASEFEE: 0x4a,
  POP: 0x50,
  MLOAD: 0x51,
  MSTORE: 0x52,
  MSTORE8: 0x53,
  SLOAD: 0x54,
  SSTORE: 0x55,
  JUMP: 0x56,
  JUMPI: 0x57,
  PC: 0x58,
  MSIZE: 0x59,
  GAS: 0x5a,
  JUMPDEST: 0x5b,
  TLOAD: 0x5c,
  TSTORE: 0x5d,
  MCOPY: 0x5e,
  PUSH0: 0x5f,
  LOG0: 0xa0,
  LOG1: 0xa1,
  LOG2: 0xa2,
  LOG3: 0xa3,
  LOG4: 0xa4,
  CREATE: 0xf0,
  CALL: 0xf1,
  CALLCODE: 0xf2,
  RETURN: 0xf3,
  DELEGATECALL: 0xf4,
  CREATE2: 0xf5,
  STATICCALL: 0xfa,
  REVERT: 0xfd,
  INVALID: 0xfe,
  SELFDESTRUCT: 0xff,
} as const;

export type OpName = keyof typeof op;

/** A piece of code: bytes, an opcode name, or 0x hex. */
export type Piece = Uint8Array | OpName | `0x${string}`;

function pieceBytes(p: Piece): Uint8Array {
  if (p instanceof Uint8Array) return p;
  if (p.startsWith("0x")) return Uint8Array.from(Buffer.from(p.slice(2), "hex"));
  const byte = op[p as OpName];
  if (byte === undefined) throw new Error(`unknown opcode ${p}`);
  return Uint8Array.of(byte);
}

/** Concatenates pieces into code. */
export function code(...pieces: Piece[]): Uint8Array {
  const parts = pieces.map(pieceBytes);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Big-endian bytes of a value, at least one byte (or exactly `size`). */
function valueBytes(value: bigint | number | string | Uint8Array, size?: number): Uint8Array {
  let bytes: Uint8Array;
  if (value instanceof Uint8Array) bytes = value;
  else if (typeof value === "string") bytes = Uint8Array.from(Buffer.from(value.replace(/^0x/, ""), "hex"));
  else {
    const v = BigInt(value);
    if (v < 0n || v >= 1n << 256n) throw new Error(`push value out of range: ${v}`);
    let hex = v.toString(16);
    if (hex.length % 2) hex = "0" + hex;
    bytes = Uint8Array.from(Buffer.from(hex, "hex"));
  }
  const width = size ?? Math.max(1, bytes.length);
  if (bytes.length > width || width > 32) throw new Error(`push of ${bytes.length} bytes into PUSH${width}`);
  const out = new Uint8Array(1 + width);
  out[0] = 0x5f + width;
  out.set(bytes, 1 + width - bytes.length);
  return out;
}

/** PUSHn of the smallest width (PUSH1 for 0; use `push0()` for PUSH0), or exactly `size` bytes. 3 gas. */
export function push(value: bigint | number | string | Uint8Array, size?: number): Uint8Array {
  return valueBytes(value, size);
}

/** PUSH0 (EIP-3855). 2 gas. */
export function push0(): Uint8Array {
  return Uint8Array.of(op.PUSH0);
}

/** Pushes the arguments so that the first is on top of the stack (the EVM's argument order). */
export function args(...values: (bigint | number | string | Uint8Array)[]): Uint8Array {
  return code(...values.reverse().map((v) => push(v)));
}

/** mstore(offset, value): PUSH value, PUSH offset, MSTORE. 6 + 3 + memory expansion. */
export function mstore(offset: number | bigint, value: bigint | number | string | Uint8Array): Uint8Array {
  return code(args(offset, value), "MSTORE");
}

/** sstore(key, value): PUSH value, PUSH key, SSTORE. 6 + SSTORE gas. */
export function sstore(key: number | bigint, value: bigint | number | string | Uint8Array): Uint8Array {
  return code(args(key, value), "SSTORE");
}

/** sload(key): PUSH key, SLOAD. 3 + SLOAD gas. */
export function sload(key: number | bigint): Uint8Array {
  return code(push(key), "SLOAD");
}

/** tstore(key, value) (EIP-1153). 6 + 100. */
export function tstore(key: number | bigint, value: bigint | number | string | Uint8Array): Uint8Array {
  return code(args(key, value), "TSTORE");
}

/** tload(key) (EIP-1153). 3 + 100. */
export function tload(key: number | bigint): Uint8Array {
  return code(push(key), "TLOAD");
}

/** mcopy(dst, src, len) (EIP-5656). 9 + 3 + 3 * words(len) + memory expansion. */
export function mcopy(dst: number, src: number, len: number): Uint8Array {
  return code(args(dst, src, len), "MCOPY");
}

export interface CallArgs {
  gas: bigint | number;
  to: string;
  value?: bigint | number;
  argsOffset?: number;
  argsSize?: number;
  retOffset?: number;
  retSize?: number;
}

/** CALL with 7 pushes (21 gas) then the CALL itself. */
export function call(a: CallArgs): Uint8Array {
  return code(
    args(a.gas, a.to, a.value ?? 0, a.argsOffset ?? 0, a.argsSize ?? 0, a.retOffset ?? 0, a.retSize ?? 0),
    "CALL",
  );
}

/** STATICCALL / DELEGATECALL (no value): 6 pushes (18 gas) then the opcode. */
export function callNoValue(kind: "STATICCALL" | "DELEGATECALL", a: Omit<CallArgs, "value">): Uint8Array {
  return code(args(a.gas, a.to, a.argsOffset ?? 0, a.argsSize ?? 0, a.retOffset ?? 0, a.retSize ?? 0), kind);
}

/** create2(value, offset, size, salt): 4 pushes (12 gas) then CREATE2. */
export function create2(
  value: number | bigint,
  offset: number,
  size: number,
  salt: bigint | number,
): Uint8Array {
  return code(args(value, offset, size, salt), "CREATE2");
}

/** create(value, offset, size): 3 pushes (9 gas) then CREATE. */
export function create(value: number | bigint, offset: number, size: number): Uint8Array {
  return code(args(value, offset, size), "CREATE");
}

/** return(offset, size): 6 gas + memory expansion. */
export function ret(offset: number, size: number): Uint8Array {
  return code(args(offset, size), "RETURN");
}

/** revert(offset, size): 6 gas + memory expansion. */
export function revert(offset: number, size: number): Uint8Array {
  return code(args(offset, size), "REVERT");
}

/**
 * Init code that deploys `runtime` (up to 32 bytes): mstore it right-aligned in word 0, return it.
 */
export function deployCode(runtime: Uint8Array): Uint8Array {
  if (runtime.length === 0 || runtime.length > 32) throw new Error("deployCode: 1..32 bytes of runtime");
  return code(mstore(0, runtime), ret(32 - runtime.length, runtime.length));
}

/** Memory expansion cost (Yellow Paper): 3 * words + words^2 / 512 for `words` 32-byte words. */
export function memoryCost(words: number): number {
  return 3 * words + Math.floor((words * words) / 512);
}
