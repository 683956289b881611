/**
 * The compact binary request and result of the native `executeBlock` (one call per block; the
 * format is documented at the top of native/addon/block_request.cpp). Writing goes through one
 * growable Buffer; words below 2^53 go through doubles, not bigint arithmetic or hex, and a
 * pre-state decoded from JSON arrives already encoded (./prestate-wire.ts). Encoding a
 * 1,000-transaction block takes about a millisecond.
 */
import { InvalidArgumentError } from "../errors";
import { forkRevision } from "../fork";
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

/** One transaction of the `txs` section (a function of its own: the hot loop compiles early). */
function encodeTransaction(w: Writer, tx: BlockTransaction): void {
  w.u8(tx.type);
  if (tx.sender !== undefined) {
    w.u8(0);
    w.addr(tx.sender);
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
}

/**
 * Encodes everything the native executor needs into one buffer. With `scratch` the request is
 * written into that reused buffer and is valid only until the next use of it (the native
 * executeBlock copies its request before it returns).
 */
export function encodeBlockRequest(
  block: Block,
  ctx: BlockContext,
  options: ExecuteBlockOptions,
  scratch?: Scratch,
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
  w.bytes(Buffer.from(options.vm ?? "", "utf8"));
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

  w.u32(block.transactions.length);
  for (const tx of block.transactions) encodeTransaction(w, tx);
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
  constructor(data: Uint8Array) {
    this.buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.bytesView = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  u8(): number {
    return this.buf[this.pos++]!;
  }
  u32(): number {
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    const lo = this.buf.readUInt32LE(this.pos);
    const hi = this.buf.readUInt32LE(this.pos + 4);
    // Gas and nonces fit a double exactly: no bigint shifts.
    const v = hi < 0x200000 ? BigInt(hi * 2 ** 32 + lo) : this.buf.readBigUInt64LE(this.pos);
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
  private logAddressAt = -1;
  private logAddress = "";
  /** A log's address: often the previous log's (a token's transfers), then the same string. */
  logAddr(): string {
    const b = this.bytesView;
    const p = this.pos;
    const q = this.logAddressAt;
    if (q >= 0) {
      let k = 0;
      while (k < 20 && b[p + k] === b[q + k]) k++;
      if (k === 20) {
        this.pos += 20;
        return this.logAddress;
      }
    }
    this.logAddressAt = p;
    this.logAddress = this.addr();
    return this.logAddress;
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

function readLogs(r: Reader): Log[] {
  const logs: Log[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const address = r.logAddr();
    const topics: Uint8Array[] = [];
    for (let t = r.u32(); t > 0; t--) topics.push(r.take(32));
    logs.push({ address, topics, data: r.bytes() });
  }
  return logs;
}

/** One receipt of the result (a function of its own: the hot loop compiles early). */
function readReceipt(r: Reader): Receipt {
  const type = r.u8();
  const status = r.u8() === 1 ? 1 : 0;
  const gas = r.u64();
  const cumulativeGasUsed = r.u64();
  const sender = r.addr();
  const bloom = r.take(256);
  return {
    type,
    status,
    gasUsed: gas,
    cumulativeGasUsed,
    sender,
    logsBloom: bloom,
    logs: readLogs(r),
  };
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

/** Decodes the native result: a failure, or the receipts, the diff (on demand) and the timings. */
export function decodeBlockResult(data: Uint8Array): BlockFailure | DecodedBlockResult {
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
  for (let i = 0; i < receipts.length; i++) receipts[i] = readReceipt(r);
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
