/**
 * The compact binary request and result of the native `executeBlock` (one call per block; the
 * format is documented at the top of native/addon/block_request.cpp). Writing goes through one
 * growable Buffer; words below 2^53 go through doubles, not bigint arithmetic or hex, and a
 * pre-state decoded from JSON arrives already encoded (./prestate-wire.ts). Encoding a
 * 1,000-transaction block takes about a millisecond.
 */
import { InvalidArgumentError } from "../errors";
import { forkRevision } from "../fork";
import { rlpHeaderLength, writeRlpHeader } from "../rlp";
import { hexIntoChecked, knownCodeHash } from "./json";
import { encodedPreState } from "./prestate-wire";
import { type Scratch, Writer } from "./writer";
import type {
  AccountDiff,
  Block,
  BlockTransaction,
  BlockContext,
  BlockResult,
  ExecuteBlockOptions,
  Log,
  Receipt,
} from "./types";

const ENCODING_VERSION = 1;
const NO_CODE = 0xffffffff;
const ZERO32 = new Uint8Array(32);
const ZERO20 = new Uint8Array(20);

/** The `codes` and `pre` sections from the accounts. */
function encodePreState(w: Writer, pre: BlockContext["pre"]): void {
  // Codes once each (accounts often share a code object), then accounts referring to them.
  const codeIndex = new Map<Uint8Array, number>();
  const codes: Uint8Array[] = [];
  for (const acc of pre.values()) {
    if (acc.code.length !== 0 && !codeIndex.has(acc.code)) {
      codeIndex.set(acc.code, codes.length);
      codes.push(acc.code);
    }
  }
  w.u32(codes.length);
  for (const c of codes) {
    const hash = knownCodeHash(c);
    w.u8(hash ? 1 : 0);
    if (hash) w.raw(hash);
    w.bytes(c);
  }
  w.u32(pre.size);
  for (const [address, acc] of pre) {
    w.addr(address);
    w.w256(acc.balance);
    w.u64(acc.nonce);
    w.u32(acc.code.length === 0 ? NO_CODE : codeIndex.get(acc.code)!);
    w.u32(acc.storage.size);
    for (const [k, v] of acc.storage) {
      w.w256(k);
      w.w256(v);
    }
  }
}

/**
 * One transaction of the `txs` section (a function of its own: the hot loop compiles early): its
 * sender when given in lowercase, as the result will report it.
 */
function encodeTransaction(w: Writer, tx: BlockTransaction): string | undefined {
  w.u8(tx.type);
  let sender: string | undefined;
  if (tx.sender !== undefined) {
    w.u8(0);
    if (w.addr(tx.sender)) sender = tx.sender;
  } else {
    const sig = tx.signature!;
    w.u8(1);
    w.raw(sig.signingHash);
    w.w256(sig.r);
    w.w256(sig.s);
    w.u8(sig.yParity);
  }
  w.u8(tx.to === null ? 0 : 1);
  if (tx.to === null) w.raw(ZERO20);
  else w.addr(tx.to);
  w.w256(tx.nonce);
  w.w256(tx.value);
  w.w256(tx.gasLimit);
  w.bytes(tx.data);
  w.w256(tx.gasPrice ?? 0n);
  w.w256(tx.maxFeePerGas ?? 0n);
  w.w256(tx.maxPriorityFeePerGas ?? 0n);
  const al = tx.accessList ?? [];
  w.u32(al.length);
  for (const e of al) {
    w.addr(e.address);
    w.u32(e.storageKeys.length);
    for (const k of e.storageKeys) w.w256(k);
  }
  w.w256(tx.maxFeePerBlobGas ?? 0n);
  const blobs = tx.blobVersionedHashes ?? [];
  w.u32(blobs.length);
  for (const b of blobs) w.raw(b);
  const auths = tx.authorizationList ?? [];
  w.u32(auths.length);
  for (const a of auths) {
    w.w256(a.chainId);
    w.addr(a.address);
    w.w256(a.nonce);
    w.w256(a.yParity);
    w.w256(a.r);
    w.w256(a.s);
  }
  return sender;
}

/**
 * Encodes everything the native executor needs into one buffer. With `scratch` the request is
 * written into that reused buffer and is valid only until the next use of it (the native
 * executeBlock copies its request before it returns). With `senders`, the senders given in
 * lowercase are noted there by transaction index (see decodeBlockResult).
 */
export function encodeBlockRequest(
  block: Block,
  ctx: BlockContext,
  options: ExecuteBlockOptions,
  scratch?: Scratch,
  senders?: (string | undefined)[],
): Uint8Array {
  const h = block.header;
  const preSections = encodedPreState(ctx.pre);
  let preBytes = 0;
  if (preSections !== undefined) {
    preBytes = preSections.accounts.length + preSections.codes.length * 37;
    for (const c of preSections.codes) preBytes += c.length;
  } else {
    preBytes = ctx.pre.size * 256;
    for (const acc of ctx.pre.values()) preBytes += acc.code.length;
  }
  let txBytes = 0;
  for (const tx of block.transactions) txBytes += tx.data.length;
  const w = new Writer(64 * 1024 + block.transactions.length * 512 + txBytes + preBytes, scratch);
  w.u8(ENCODING_VERSION);
  w.u8(forkRevision(block.fork));
  const daoFork = options.daoFork ?? h.number === 1_920_000n;
  w.u8((options.missingState === "error" ? 1 : 0) | (daoFork ? 2 : 0));
  w.u32(options.recoveryThreads ?? 0);
  if (options.vm === undefined || options.vm === "") w.u32(0);
  else w.bytes(Buffer.from(options.vm, "utf8"));
  w.u64(h.number);
  w.u64(h.timestamp);
  w.u64(h.gasLimit);
  w.addr(h.coinbase);
  w.w256(h.difficulty);
  w.raw(h.mixHash.length === 32 ? h.mixHash : ZERO32);
  w.w256(h.baseFeePerGas ?? 0n);
  w.u64(h.excessBlobGas ?? 0n);
  w.w256(ctx.chainId);
  w.raw(h.parentHash);
  w.u8(h.parentBeaconBlockRoot ? 1 : 0);
  w.raw(h.parentBeaconBlockRoot ?? ZERO32);
  w.u32(block.unknownOmmers);
  w.u32(block.ommers.length);
  for (const o of block.ommers) {
    w.addr(o.coinbase);
    w.u64(o.number);
  }
  w.u8(block.withdrawals ? 1 : 0);
  const withdrawals = block.withdrawals ?? [];
  w.u32(withdrawals.length);
  for (const wd of withdrawals) {
    w.u64(wd.index);
    w.u64(wd.validatorIndex);
    w.addr(wd.address);
    w.u64(wd.amount);
  }

  if (preSections !== undefined) {
    w.u32(preSections.codes.length);
    for (let i = 0; i < preSections.codes.length; i++) {
      w.u8(1);
      w.raw(preSections.hashes[i]!);
      w.bytes(preSections.codes[i]!);
    }
    w.u32(preSections.count);
    w.raw(preSections.accounts);
  } else {
    encodePreState(w, ctx.pre);
  }
  w.u32(ctx.blockHashes.size);
  for (const [n, hash] of ctx.blockHashes) {
    w.u64(n);
    w.raw(hash);
  }

  const txs = block.transactions;
  w.u32(txs.length);
  if (senders === undefined) for (const tx of txs) encodeTransaction(w, tx);
  else for (let i = 0; i < txs.length; i++) senders[i] = encodeTransaction(w, txs[i]!);
  return w.result();
}

/** What the native side reports instead of a result when the block is invalid. */
export type BlockFailure =
  | { kind: "transaction"; txIndex: number; reason: string; message: string }
  | { kind: "block"; reason: string; message: string }
  | { kind: "missing"; message: string };

class Reader {
  pos = 0;
  readonly buf: Buffer;
  private readonly bytesView: Uint8Array;
  private readonly view: DataView;
  constructor(data: Uint8Array) {
    this.buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.bytesView = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  u8(): number {
    return this.buf[this.pos++]!;
  }
  u32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    // Gas and nonces fit a double exactly: no bigint shifts.
    const v = hi < 0x200000 ? BigInt(hi * 2 ** 32 + lo) : this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  take(n: number): Uint8Array {
    // A view, not a copy: the result buffer is ours alone, and thousands of small ArrayBuffers
    // (one per topic, log and hash) would make allocation and garbage collection slow.
    const out = this.bytesView.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  hex(n: number): string {
    const s = this.buf.toString("hex", this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  addr(): string {
    return "0x" + this.hex(20);
  }
  w256(): bigint {
    const b = this.buf;
    const p = this.pos;
    // Balances and slot values are mostly below 2^85: doubles and one shift, not a hex string,
    // make the bigint (a double alone below 2^53).
    if (
      (b.readUInt32BE(p) |
        b.readUInt32BE(p + 4) |
        b.readUInt32BE(p + 8) |
        b.readUInt32BE(p + 12) |
        b.readUInt32BE(p + 16)) ===
      0
    ) {
      const w5 = b.readUInt32BE(p + 20);
      if (w5 < 0x200000) {
        const w6 = b.readUInt32BE(p + 24);
        const w7 = b.readUInt32BE(p + 28);
        this.pos += 32;
        if (w5 === 0 && w6 < 0x200000) return BigInt(w6 * 2 ** 32 + w7);
        return (BigInt(w5 * 2 ** 32 + w6) << 32n) | BigInt(w7);
      }
    }
    return BigInt("0x" + this.hex(32));
  }
  bytes(): Uint8Array {
    return this.take(this.u32());
  }
  str(): string {
    const n = this.u32();
    const s = this.buf.toString("utf8", this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

/**
 * A receipt's logs as the result buffer holds them (`count` logs from `at`: addr, u32 t,
 * t x b32, bytes data each), decoded into Log objects only when asked for: a block's logs can
 * number ten thousand, each with a handful of topic arrays. The receipts root and the deposit
 * requests (./receipts.ts) read them straight from these bytes.
 */
export class RawLogs {
  constructor(
    /** The result. */
    readonly buf: Buffer,
    /** Where the first log starts in it. */
    readonly at: number,
    readonly count: number,
  ) {}

  /** The Log objects (views into the result, as the eager decoder made). */
  decode(): Log[] {
    const b = this.buf;
    const logs = new Array<Log>(this.count);
    let p = this.at;
    let address = "";
    let addressAt = -1;
    for (let i = 0; i < logs.length; i++) {
      // A log's address is often the previous log's (a token's transfers): then the same string.
      if (addressAt < 0 || b.compare(b, addressAt, addressAt + 20, p, p + 20) !== 0) {
        address = "0x" + b.toString("hex", p, p + 20);
        addressAt = p;
      }
      p += 20;
      const t = b.readUInt32LE(p);
      p += 4;
      const topics = new Array<Uint8Array>(t);
      for (let k = 0; k < t; k++, p += 32) topics[k] = view(b, p, 32);
      const n = b.readUInt32LE(p);
      p += 4;
      logs[i] = { address, topics, data: view(b, p, n) };
      p += n;
    }
    return logs;
  }

  /** The RLP encoding of the logs list ([[address, [topics...], data], ...]) from `at` in `out`,
   *  or its length when `out` is undefined. */
  rlp(out: Uint8Array | undefined, at: number): number {
    const b = this.buf;
    let p = this.at;
    let payload = 0;
    // The payload's length first (the list header needs it), then the items.
    for (let i = 0; i < this.count; i++) {
      const t = b.readUInt32LE(p + 20);
      const n = b.readUInt32LE(p + 24 + 32 * t);
      const body = 21 + rlpHeaderLength(33 * t) + 33 * t + rlpStringLength(b, p + 28 + 32 * t, n);
      payload += rlpHeaderLength(body) + body;
      p += 28 + 32 * t + n;
    }
    if (out === undefined) return rlpHeaderLength(payload) + payload;
    let q = writeRlpHeader(out, at, payload, 0xc0);
    p = this.at;
    for (let i = 0; i < this.count; i++) {
      const t = b.readUInt32LE(p + 20);
      const n = b.readUInt32LE(p + 24 + 32 * t);
      const dataAt = p + 28 + 32 * t;
      q = writeRlpHeader(out, q, 21 + rlpHeaderLength(33 * t) + 33 * t + rlpStringLength(b, dataAt, n), 0xc0);
      out[q++] = 0x80 + 20;
      q = copyBytes(b, p, out, q, 20);
      q = writeRlpHeader(out, q, 33 * t, 0xc0);
      for (let k = 0; k < t; k++) {
        out[q++] = 0x80 + 32;
        q = copyBytes(b, p + 24 + 32 * k, out, q, 32);
      }
      if (n === 1 && b[dataAt]! < 0x80) out[q++] = b[dataAt]!;
      else q = copyBytes(b, dataAt, out, writeRlpHeader(out, q, n, 0x80), n);
      p = dataAt + n;
    }
    return q - at;
  }

  /** The data of the logs that `address` (20 bytes) emitted with first topic `topic0`. */
  dataOf(address: Uint8Array, topic0: Uint8Array): Uint8Array[] {
    const b = this.buf;
    const out: Uint8Array[] = [];
    let p = this.at;
    for (let i = 0; i < this.count; i++) {
      const t = b.readUInt32LE(p + 20);
      const dataAt = p + 28 + 32 * t;
      const n = b.readUInt32LE(dataAt - 4);
      if (t > 0 && equalAt(b, p, address) && equalAt(b, p + 24, topic0)) out.push(view(b, dataAt, n));
      p = dataAt + n;
    }
    return out;
  }
}

/** Copies `n` bytes from `b` at `from` to `out` at `to`; the end in `out`. No view objects: a
 *  loop for the short ones (addresses, topics), Buffer's copy for the rest. */
function copyBytes(b: Buffer, from: number, out: Uint8Array, to: number, n: number): number {
  if (n <= 64) for (let i = 0; i < n; i++) out[to + i] = b[from + i]!;
  else b.copy(out, to, from, from + n);
  return to + n;
}

function view(b: Buffer, at: number, n: number): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset + at, n);
}

function equalAt(b: Buffer, at: number, x: Uint8Array): boolean {
  for (let i = 0; i < x.length; i++) if (b[at + i] !== x[i]) return false;
  return true;
}

/** The RLP length of the `n`-byte string at `at` in `b`. */
function rlpStringLength(b: Buffer, at: number, n: number): number {
  return n === 1 && b[at]! < 0x80 ? 1 : rlpHeaderLength(n) + n;
}

/** Returns its argument from `super()`: lets RawLogsSlot add a private field to a plain object. */
class Base {
  constructor(o: object) {
    return o;
  }
}

/**
 * The undecoded logs of a decoded receipt, in a private field of that (plain) receipt object: as
 * fast to reach as a property, invisible to keys, spreads and comparisons (a WeakMap costs
 * several times more per receipt). Empty once `logs` has been read or assigned.
 */
class RawLogsSlot extends Base {
  #raw: RawLogs | undefined;
  constructor(receipt: Receipt, raw: RawLogs) {
    super(receipt);
    this.#raw = raw;
  }
  static get(o: object): RawLogs | undefined {
    return #raw in o ? (o as RawLogsSlot).#raw : undefined;
  }
  static clear(o: object): void {
    if (#raw in o) (o as RawLogsSlot).#raw = undefined;
  }
}

/** The undecoded logs of `receipt`, while its `logs` have been neither read nor assigned. */
export function rawLogsOf(receipt: Receipt): RawLogs | undefined {
  return RawLogsSlot.get(receipt);
}

function settleLogs(receipt: Receipt, logs: Log[]): void {
  RawLogsSlot.clear(receipt);
  Object.defineProperty(receipt, "logs", {
    value: logs,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

// One accessor pair for all receipts (so they share one hidden class): `logs` is decoded on first
// read and is from then on an ordinary property; assigning it first works as for one.
const LOGS: PropertyDescriptor = {
  get(this: Receipt): Log[] {
    // The receipt holding the accessor: `this`, unless read through an object inheriting from it.
    let holder: object | null = this;
    while (holder !== null && RawLogsSlot.get(holder) === undefined)
      holder = Object.getPrototypeOf(holder) as object | null;
    const logs = holder === null ? [] : RawLogsSlot.get(holder)!.decode();
    // Frozen or sealed: decoded again on every read, as it cannot become a data property.
    if (holder === this && Object.isExtensible(this)) settleLogs(this, logs);
    return logs;
  },
  set(this: Receipt, logs: Log[]): void {
    settleLogs(this, logs);
  },
  enumerable: true,
  configurable: true,
};

/** One receipt of the result (a function of its own: the hot loop compiles early). */
function readReceipt(r: Reader, knownSender: string | undefined): Receipt {
  const type = r.u8();
  const status = r.u8() === 1 ? 1 : 0;
  const gas = r.u64();
  const cumulativeGasUsed = r.u64();
  let sender = knownSender;
  if (sender === undefined) sender = r.addr();
  else r.pos += 20;
  const bloom = r.take(256);
  const size = r.u32();
  const count = r.u32();
  const at = r.pos;
  r.pos += size - 4;
  if (count === 0) {
    return { type, status, gasUsed: gas, cumulativeGasUsed, sender, logsBloom: bloom, logs: [] };
  }
  // Logs are decoded when read (defining the accessor costs about as much as one log's arrays).
  const receipt = { type, status, gasUsed: gas, cumulativeGasUsed, sender, logsBloom: bloom } as Receipt;
  Object.defineProperty(receipt, "logs", LOGS);
  new RawLogsSlot(receipt, new RawLogs(r.buf, at, count));
  return receipt;
}

/** The result's diff section (see block_request.cpp). */
function readDiffSection(r: Reader): AccountDiff[] {
  const diff: AccountDiff[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const address = r.addr();
    const flags = r.u8();
    if (flags & 1) {
      diff.push({
        address,
        deleted: true,
        storageReset: true,
        balance: 0n,
        nonce: 0n,
        codeHash: new Uint8Array(32),
        storage: new Map(),
      });
      continue;
    }
    const balance = r.w256();
    const nonce = r.u64();
    const codeHash = r.take(32);
    const code = flags & 2 ? r.bytes() : undefined;
    const storage = new Map<bigint, bigint>();
    for (let m = r.u32(); m > 0; m--) storage.set(r.w256(), r.w256());
    const d: AccountDiff = {
      address,
      deleted: false,
      storageReset: (flags & 4) !== 0,
      balance,
      nonce,
      codeHash,
      storage,
    };
    if (code !== undefined) d.code = code;
    diff.push(d);
  }
  return diff;
}

/**
 * The native result decoded: the receipts, the timings and `readDiff`, which decodes the state
 * diff when called (the diff is the larger part of a result, and many callers never look at it).
 */
export type DecodedBlockResult = Omit<BlockResult, "timings" | "diff"> & {
  ns: bigint[];
  readDiff: () => AccountDiff[];
};

/**
 * Decodes the native result: a failure, or the receipts, the diff (on demand) and the timings.
 * `senders` (from encodeBlockRequest) gives the senders the request carried in lowercase: the
 * native side reports exactly those, so their strings stand for the bytes it returns.
 */
export function decodeBlockResult(
  data: Uint8Array,
  senders?: (string | undefined)[],
): BlockFailure | DecodedBlockResult {
  const r = new Reader(data);
  const kind = r.u8();
  if (kind === 1) {
    const txIndex = r.u32();
    const reason = r.str();
    return { kind: "transaction", txIndex, reason, message: r.str() };
  }
  if (kind === 2) {
    const reason = r.str();
    return { kind: "block", reason, message: r.str() };
  }
  if (kind === 3) return { kind: "missing", message: r.str() };

  const gasUsed = r.u64();
  const blobGasUsed = r.u64();
  const ns = [r.u64(), r.u64(), r.u64()]; // execution, recovery, native decode
  const logsBloom = r.take(256);
  const receipts = new Array<Receipt>(r.u32());
  for (let i = 0; i < receipts.length; i++) receipts[i] = readReceipt(r, senders?.[i]);
  const hasRequests = r.u8() === 1;
  const withdrawals = r.bytes();
  const consolidations = r.bytes();
  const diffAt = r.pos;
  const readDiff = (): AccountDiff[] => {
    r.pos = diffAt;
    return readDiffSection(r);
  };
  const out: DecodedBlockResult = {
    gasUsed,
    blobGasUsed,
    logsBloom,
    receipts,
    ns,
    readDiff,
  };
  if (hasRequests) out.requests = { withdrawals, consolidations };
  return out;
}
