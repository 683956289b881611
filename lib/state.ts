/**
 * The state transition of one transaction: `executeTransaction(fork, pre, env, tx)` validates its
 * arguments, encodes them into one buffer, makes one native call and decodes one result buffer.
 * It applies what a transaction itself does (nonce, gas purchase and refund, execution, the
 * coinbase's priority fee, self-destructs, EIP-161 removal of touched empty accounts); block-level
 * work (block reward, withdrawals, system contracts) is not part of it.
 *
 * The wire format (version 1; native/addon/state_binding.cpp decodes it). Integers are
 * little-endian u8/u32/u64; `w256` is 32 bytes big-endian; `addr` 20 bytes; `b32` 32 bytes;
 * `bytes` is a u32 length and the data.
 *   request: u8 version=1, u8 revision, bytes vmPath (empty: built-in VM)
 *     env:   u64 number, u64 timestamp, u64 gasLimit, addr coinbase, w256 difficulty,
 *            b32 prevRandao, w256 baseFee, u64 excessBlobGas, w256 chainId,
 *            u32 n, n x (u64 number, b32 hash)
 *     pre:   u32 n, n x (addr, w256 balance, u64 nonce, bytes code, u32 m, m x (w256 key, w256 value))
 *     tx:    u8 type, addr sender, u8 hasTo, addr to, w256 nonce, w256 value, w256 gasLimit,
 *            bytes data, w256 gasPrice, w256 maxFeePerGas, w256 maxPriorityFeePerGas,
 *            u32 n, n x (addr, u32 k, k x b32), w256 maxFeePerBlobGas, u32 n, n x b32,
 *            u32 n, n x (w256 chainId, addr, w256 nonce, w256 yParity, w256 r, w256 s)
 *   result:  u8 kind; 1 (invalid): bytes reason, bytes message;
 *            0 (executed): u32 status, u64 gasUsed, u64 executionNs,
 *            u32 n, n x (addr, u32 t, t x b32, bytes data)                              [logs]
 *            u32 n, n x (addr, u8 flags (1 deleted, 2 code changed), unless deleted:
 *                        w256 balance, u64 nonce, [bytes code], u32 m, m x (w256 key, w256 value))
 */
import { native } from "./binding";
import { bytesToHex } from "./bytes";
import { callNative, DecodeError, InvalidArgumentError } from "./errors";
import { forkRevision, forks, type Fork } from "./fork";

export interface Account {
  balance: bigint;
  nonce: bigint;
  code: Uint8Array;
  storage: Map<bigint, bigint>;
}
/** Accounts by lowercase `0x` address; an absent address does not exist. */
export type State = Map<string, Account>;

export interface BlockEnv {
  number: bigint;
  timestamp: bigint;
  gasLimit: bigint;
  coinbase: string;
  difficulty: bigint;
  /** What PREVRANDAO returns from Paris on (32 bytes). */
  prevRandao: Uint8Array;
  /** London+. */
  baseFee: bigint;
  /** Cancun+: the blob base fee is derived from it with the fork's update fraction. */
  excessBlobGas: bigint;
  chainId: bigint;
  /** What BLOCKHASH returns; other numbers give zero. */
  blockHashes: Map<bigint, Uint8Array>;
}

export interface AccessListEntry {
  address: string;
  storageKeys: bigint[];
}

export interface Authorization {
  chainId: bigint;
  address: string;
  nonce: bigint;
  yParity: bigint;
  r: bigint;
  s: bigint;
}

export interface TxRequest {
  type: 0 | 1 | 2 | 3 | 4;
  sender: string;
  to: string | null;
  nonce: bigint;
  value: bigint;
  gasLimit: bigint;
  data: Uint8Array;
  gasPrice?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  accessList?: AccessListEntry[];
  maxFeePerBlobGas?: bigint;
  blobVersionedHashes?: Uint8Array[];
  authorizationList?: Authorization[];
}

export interface Log {
  address: string;
  topics: Uint8Array[];
  data: Uint8Array;
}

export interface TxResult {
  /** Set when the transaction is invalid for this block/state: nothing was executed and `post`
   *  equals `pre`. A stable UPPER_SNAKE reason: NONCE_TOO_LOW, NONCE_TOO_HIGH, NONCE_IS_MAX,
   *  INSUFFICIENT_FUNDS, INTRINSIC_GAS_TOO_LOW, INTRINSIC_GAS_BELOW_FLOOR (EIP-7623),
   *  GAS_LIMIT_EXCEEDS_BLOCK, GAS_LIMIT_ABOVE_CAP (EIP-7825), FEE_CAP_BELOW_BASE_FEE,
   *  PRIORITY_FEE_ABOVE_FEE_CAP, SENDER_NOT_EOA, INITCODE_TOO_LARGE, TYPE_NOT_SUPPORTED,
   *  BLOB_TX_CREATE, BLOB_COUNT_ZERO, BLOB_COUNT_EXCEEDED, BLOB_VERSIONED_HASH_INVALID,
   *  BLOB_FEE_CAP_BELOW_BLOB_BASE_FEE, SET_CODE_TX_CREATE, EMPTY_AUTHORIZATION_LIST. */
  invalid?: { reason: string; message: string };
  /** Meaningless when invalid. */
  status: "success" | "revert" | "failure";
  /** After refunds and the EIP-7623 floor. */
  gasUsed: bigint;
  logs: Log[];
  /** The whole state after the transaction. */
  post: State;
  /** Time spent in the VM execution proper. */
  executionNs: number;
}

export interface ExecuteOptions {
  /** Path of an external EVMC VM shared library; default: the built-in interpreter. */
  vm?: string;
  /**
   * For benchmarks: run the (side-effect free) transition this many times back to back in native
   * code, with warm caches, and report the median VM time as `executionNs` (default 1).
   */
  repeat?: number;
}

const U64 = 1n << 64n;
const U256 = 1n << 256n;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const ENCODING_VERSION = 1;

// ---- argument checks --------------------------------------------------------------------------

function quantity(v: unknown, what: string, limit: bigint): bigint {
  if (typeof v !== "bigint") throw new InvalidArgumentError(`${what} must be a bigint`);
  if (v < 0n || v >= limit) {
    throw new InvalidArgumentError(`${what} is out of range (0 to 2^${limit === U64 ? 64 : 256}-1): ${v}`);
  }
  return v;
}

function address(v: unknown, what: string): string {
  if (typeof v !== "string" || !ADDRESS.test(v)) {
    throw new InvalidArgumentError(`${what} must be a 0x-prefixed 20-byte hex address`);
  }
  return v.toLowerCase();
}

function bytes(v: unknown, what: string, maxLength = 0xffffffff): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new InvalidArgumentError(`${what} must be a Uint8Array`);
  if (v.length > maxLength) throw new InvalidArgumentError(`${what} is longer than ${maxLength} bytes`);
  return v;
}

function array<T>(v: unknown, what: string): T[] {
  if (!Array.isArray(v)) throw new InvalidArgumentError(`${what} must be an array`);
  return v as T[];
}

// ---- encoding ---------------------------------------------------------------------------------

class Encoder {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  u64(v: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.pos, v, true);
    this.pos += 8;
  }
  w256(v: bigint): void {
    this.reserve(32);
    for (let i = 3; i >= 0; i--) {
      this.view.setBigUint64(this.pos + 8 * i, v & 0xffffffffffffffffn, false);
      v >>= 64n;
    }
    this.pos += 32;
  }
  /** Exactly `length` bytes, left-padded with zeros (b32 and addr fields). */
  fixed(v: Uint8Array, length: number): void {
    this.reserve(length);
    this.buf.fill(0, this.pos, this.pos + length - v.length);
    this.buf.set(v, this.pos + length - v.length);
    this.pos += length;
  }
  addr(hex: string): void {
    this.reserve(20);
    this.buf.set(Buffer.from(hex.slice(2), "hex"), this.pos);
    this.pos += 20;
  }
  bytes(v: Uint8Array): void {
    this.u32(v.length);
    this.reserve(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

function b32(v: unknown, what: string): Uint8Array {
  return bytes(v, what, 32);
}

function encodeRequest(
  fork: Fork,
  pre: State,
  env: BlockEnv,
  tx: TxRequest,
  options: ExecuteOptions,
): Uint8Array {
  const e = new Encoder();
  e.u8(ENCODING_VERSION);
  e.u8(forkRevision(fork));
  if (options.vm !== undefined && typeof options.vm !== "string") {
    throw new InvalidArgumentError("options.vm must be a path string");
  }
  e.bytes(Buffer.from(options.vm ?? "", "utf8"));

  if (typeof env !== "object" || env === null) throw new InvalidArgumentError("env must be an object");
  e.u64(quantity(env.number, "env.number", U64));
  e.u64(quantity(env.timestamp, "env.timestamp", U64));
  e.u64(quantity(env.gasLimit, "env.gasLimit", U64));
  e.addr(address(env.coinbase, "env.coinbase"));
  e.w256(quantity(env.difficulty, "env.difficulty", U256));
  e.fixed(b32(env.prevRandao, "env.prevRandao"), 32);
  e.w256(quantity(env.baseFee, "env.baseFee", U256));
  e.u64(quantity(env.excessBlobGas, "env.excessBlobGas", U64));
  e.w256(quantity(env.chainId, "env.chainId", U256));
  if (!(env.blockHashes instanceof Map)) throw new InvalidArgumentError("env.blockHashes must be a Map");
  e.u32(env.blockHashes.size);
  for (const [number, hash] of env.blockHashes) {
    e.u64(quantity(number, "block hash number", U64));
    e.fixed(b32(hash, `block hash ${number}`), 32);
  }

  if (!(pre instanceof Map)) throw new InvalidArgumentError("pre must be a Map of address -> Account");
  e.u32(pre.size);
  for (const [addr, acc] of pre) {
    const what = `pre[${addr}]`;
    e.addr(address(addr, `${what} address`));
    if (typeof acc !== "object" || acc === null) throw new InvalidArgumentError(`${what} must be an Account`);
    e.w256(quantity(acc.balance, `${what}.balance`, U256));
    e.u64(quantity(acc.nonce, `${what}.nonce`, U64));
    e.bytes(bytes(acc.code, `${what}.code`));
    if (!(acc.storage instanceof Map)) throw new InvalidArgumentError(`${what}.storage must be a Map`);
    e.u32(acc.storage.size);
    for (const [key, value] of acc.storage) {
      e.w256(quantity(key, `${what} storage key`, U256));
      e.w256(quantity(value, `${what} storage value`, U256));
    }
  }

  if (typeof tx !== "object" || tx === null) throw new InvalidArgumentError("tx must be an object");
  if (![0, 1, 2, 3, 4].includes(tx.type))
    throw new InvalidArgumentError(`tx.type must be 0 to 4: ${String(tx.type)}`);
  e.u8(tx.type);
  e.addr(address(tx.sender, "tx.sender"));
  if (tx.to === null) {
    e.u8(0);
    e.fixed(new Uint8Array(0), 20);
  } else {
    e.u8(1);
    e.addr(address(tx.to, "tx.to"));
  }
  e.w256(quantity(tx.nonce, "tx.nonce", U256));
  e.w256(quantity(tx.value, "tx.value", U256));
  e.w256(quantity(tx.gasLimit, "tx.gasLimit", U256));
  e.bytes(bytes(tx.data, "tx.data"));
  const dynamic = tx.type >= 2;
  if (!dynamic && tx.gasPrice === undefined)
    throw new InvalidArgumentError(`tx.gasPrice is required for type ${tx.type}`);
  if (dynamic && (tx.maxFeePerGas === undefined || tx.maxPriorityFeePerGas === undefined)) {
    throw new InvalidArgumentError(
      `tx.maxFeePerGas and tx.maxPriorityFeePerGas are required for type ${tx.type}`,
    );
  }
  e.w256(quantity(tx.gasPrice ?? 0n, "tx.gasPrice", U256));
  e.w256(quantity(tx.maxFeePerGas ?? 0n, "tx.maxFeePerGas", U256));
  e.w256(quantity(tx.maxPriorityFeePerGas ?? 0n, "tx.maxPriorityFeePerGas", U256));
  const accessList = array<AccessListEntry>(tx.accessList ?? [], "tx.accessList");
  e.u32(accessList.length);
  for (const [i, entry] of accessList.entries()) {
    e.addr(address(entry?.address, `tx.accessList[${i}].address`));
    const keys = array<bigint>(entry.storageKeys, `tx.accessList[${i}].storageKeys`);
    e.u32(keys.length);
    for (const key of keys) e.w256(quantity(key, `tx.accessList[${i}] storage key`, U256));
  }
  e.w256(quantity(tx.maxFeePerBlobGas ?? 0n, "tx.maxFeePerBlobGas", U256));
  const blobs = array<Uint8Array>(tx.blobVersionedHashes ?? [], "tx.blobVersionedHashes");
  e.u32(blobs.length);
  for (const [i, hash] of blobs.entries()) {
    const h = bytes(hash, `tx.blobVersionedHashes[${i}]`);
    if (h.length !== 32) throw new InvalidArgumentError(`tx.blobVersionedHashes[${i}] must be 32 bytes`);
    e.fixed(h, 32);
  }
  const auths = array<Authorization>(tx.authorizationList ?? [], "tx.authorizationList");
  e.u32(auths.length);
  for (const [i, a] of auths.entries()) {
    const what = `tx.authorizationList[${i}]`;
    if (typeof a !== "object" || a === null)
      throw new InvalidArgumentError(`${what} must be an Authorization`);
    e.w256(quantity(a.chainId, `${what}.chainId`, U256));
    e.addr(address(a.address, `${what}.address`));
    e.w256(quantity(a.nonce, `${what}.nonce`, U256));
    e.w256(quantity(a.yParity, `${what}.yParity`, U256));
    e.w256(quantity(a.r, `${what}.r`, U256));
    e.w256(quantity(a.s, `${what}.s`, U256));
  }
  return e.finish();
}

// ---- decoding ---------------------------------------------------------------------------------

class Decoder {
  private pos = 0;
  private readonly view: DataView;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length)
      throw new DecodeError("truncated result from the native state transition");
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  w256(): bigint {
    this.need(32);
    let v = 0n;
    for (let i = 0; i < 4; i++) v = (v << 64n) | this.view.getBigUint64(this.pos + 8 * i, false);
    this.pos += 32;
    return v;
  }
  take(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  addr(): string {
    return bytesToHex(this.take(20));
  }
  bytes(): Uint8Array {
    return this.take(this.u32());
  }
  text(): string {
    return Buffer.from(this.bytes()).toString("utf8");
  }
}

function decodeResult(buf: Uint8Array, pre: State): TxResult {
  const d = new Decoder(buf);
  if (d.u8() === 1) {
    const reason = d.text();
    const message = d.text();
    return {
      invalid: { reason, message },
      status: "failure",
      gasUsed: 0n,
      logs: [],
      post: pre,
      executionNs: 0,
    };
  }
  const statusCode = d.u32();
  const status = statusCode === 0 ? "success" : statusCode === 2 ? "revert" : "failure";
  const gasUsed = d.u64();
  const executionNs = Number(d.u64());
  const logs: Log[] = [];
  for (let n = d.u32(); n > 0; n--) {
    const address = d.addr();
    const topics: Uint8Array[] = [];
    for (let t = d.u32(); t > 0; t--) topics.push(d.take(32));
    logs.push({ address, topics, data: d.bytes() });
  }
  const post: State = new Map(pre);
  for (let n = d.u32(); n > 0; n--) {
    const address = d.addr();
    const flags = d.u8();
    if (flags & 1) {
      post.delete(address);
      continue;
    }
    const old = post.get(address);
    const balance = d.w256();
    const nonce = d.u64();
    const code = flags & 2 ? d.bytes() : (old?.code ?? new Uint8Array(0));
    const storage = new Map(old?.storage ?? []);
    for (let m = d.u32(); m > 0; m--) {
      const key = d.w256();
      const value = d.w256();
      if (value === 0n) storage.delete(key);
      else storage.set(key, value);
    }
    post.set(address, { balance, nonce, code, storage });
  }
  return { status, gasUsed, logs, post, executionNs };
}

/**
 * Validates and executes `tx` against `pre` under `fork`, synchronously. An invalid transaction
 * is not an error: the result carries `invalid` and `post` is `pre`. Bad arguments throw
 * InvalidArgumentError; an external VM that cannot be loaded throws VmLoadError. The inputs are
 * not modified; `post` shares unchanged accounts with `pre`.
 */
export function executeTransaction(
  fork: Fork,
  pre: State,
  env: BlockEnv,
  tx: TxRequest,
  options: ExecuteOptions = {},
): TxResult {
  if (!(forks as readonly string[]).includes(fork)) {
    throw new InvalidArgumentError(
      `unknown fork ${JSON.stringify(fork)}; use parseFork() for other spellings`,
    );
  }
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 1_000_000)
    throw new InvalidArgumentError(`repeat must be an integer from 1 to 1,000,000, not ${String(repeat)}`);
  const request = encodeRequest(fork, pre, env, tx, options);
  const result = callNative(() => native().executeTransaction(request, repeat));
  return decodeResult(result, pre);
}
