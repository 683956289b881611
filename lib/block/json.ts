/**
 * Decoding and validation of JSON-RPC blocks (`eth_getBlockByNumber(n, true)`), prestate maps
 * (address -> balance, nonce, code or code hash, storage) and block-hash tables: the format of
 * ../shared/data/mainnet and of a prestate tracer. Every malformed field throws DecodeError naming
 * the field; an unknown transaction type throws DecodeError too; a code hash missing from the
 * code table throws MissingStateError.
 */
import { DecodeError, MissingStateError } from "../errors";
import type { Fork } from "../fork";
import type { Account, State } from "../state";
import { encodePreStateBytes, encodePreStateJson, LazyPreState } from "./prestate-wire";
import { signingHash } from "./rlp-block";
import type {
  AccessListEntry,
  Authorization,
  Block,
  BlockHeader,
  BlockTransaction,
  Withdrawal,
} from "./types";

const LOOSE_QUANTITY = /^0x[0-9a-fA-F]+$/;
const U256 = 1n << 256n;
const U64 = 1n << 64n;
const EMPTY = new Uint8Array(0);
const EMPTY_CODE_HASH = "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";

type Json = Record<string, unknown>;

function describe(v: unknown): string {
  const s = typeof v === "string" ? JSON.stringify(v.length > 42 ? v.slice(0, 40) + "…" : v) : String(v);
  return s;
}

export function obj(v: unknown, what: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new DecodeError(`${what} must be an object`);
  return v as Json;
}

export function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new DecodeError(`${what} must be an array`);
  return v;
}

// Hex validation and decoding by a character table instead of regular expressions: a block with
// its pre-state has tens of thousands of hex fields, and regexes were the largest decoding cost.
const NIBBLE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) NIBBLE[48 + c] = c;
for (let c = 0; c < 6; c++) NIBBLE[65 + c] = NIBBLE[97 + c] = 10 + c;

/** `s` is "0x" followed by only hex digits (possibly none). */
function isPrefixedHex(s: string): boolean {
  if (s.charCodeAt(0) !== 48 || s.charCodeAt(1) !== 120) return false;
  for (let i = 2; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || NIBBLE[c]! < 0) return false;
  }
  return true;
}

/** A `0x` + 40 hex digit string. */
export function isAddress(v: unknown): v is string {
  return typeof v === "string" && v.length === 42 && isPrefixedHex(v);
}

/** A `0x` + 64 hex digit string. */
export function isHash(v: unknown): v is string {
  return typeof v === "string" && v.length === 66 && isPrefixedHex(v);
}

/**
 * Writes the `n` bytes that the hex digits of `s` from index `from` spell into `out` at `pos`;
 * `s` must have been validated (isAddress, isHash).
 */
export function hexInto(out: Uint8Array, pos: number, s: string, from: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const j = from + 2 * i;
    out[pos + i] = (NIBBLE[s.charCodeAt(j)]! << 4) | NIBBLE[s.charCodeAt(j + 1)]!;
  }
}

/**
 * Like hexInto, validating as it goes: false (with `out` partly written) at the first character
 * that is not a hex digit.
 */
export function hexIntoChecked(out: Uint8Array, pos: number, s: string, from: number, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const j = from + 2 * i;
    const c1 = s.charCodeAt(j);
    const c2 = s.charCodeAt(j + 1);
    const hi = c1 > 127 ? -1 : NIBBLE[c1]!;
    const lo = c2 > 127 ? -1 : NIBBLE[c2]!;
    if ((hi | lo) < 0) return false;
    out[pos + i] = (hi << 4) | lo;
  }
  return true;
}

/** A hex quantity (leading zeros tolerated, as some producers emit them) or a safe integer. */
export function quantity(v: unknown, what: string, limit = U256): bigint {
  let n: bigint;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v < 0)
      throw new DecodeError(`${what} is not a non-negative integer: ${v}`);
    n = BigInt(v);
  } else if (typeof v === "string" && v.length > 2 && v.length <= 15) {
    // Up to 13 digits fit a double exactly: value and validation in one pass, no string parse.
    if (v.charCodeAt(0) !== 48 || v.charCodeAt(1) !== 120)
      throw new DecodeError(`${what} is not a hex quantity: ${describe(v)}`);
    let x = 0;
    for (let i = 2; i < v.length; i++) {
      const c = v.charCodeAt(i);
      const d = c > 127 ? -1 : NIBBLE[c]!;
      if (d < 0) throw new DecodeError(`${what} is not a hex quantity: ${describe(v)}`);
      x = x * 16 + d;
    }
    n = BigInt(x);
  } else if (typeof v === "string" && v.length > 2 && isPrefixedHex(v)) {
    n = BigInt(v);
  } else {
    throw new DecodeError(`${what} is not a hex quantity: ${describe(v)}`);
  }
  if (n >= limit) throw new DecodeError(`${what} is out of range: ${describe(v)}`);
  return n;
}

export function data(v: unknown, what: string): Uint8Array {
  if (typeof v === "string" && v.length % 2 === 0 && v.charCodeAt(0) === 48 && v.charCodeAt(1) === 120) {
    if (v.length === 2) return EMPTY;
    // Node's hex decoding stops at the first pair that is not hex: a short result means bad hex.
    const bytes = Buffer.from(v.slice(2), "hex");
    // A plain Uint8Array view (small inputs share Node's buffer pool): no copy, no ArrayBuffer each.
    if (bytes.length * 2 === v.length - 2)
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  throw new DecodeError(`${what} is not 0x-prefixed even-length hex: ${describe(v)}`);
}

export function address(v: unknown, what: string): string {
  if (!isAddress(v)) throw new DecodeError(`${what} is not a 20-byte address: ${describe(v)}`);
  return v.toLowerCase();
}

export function hash(v: unknown, what: string): Uint8Array {
  if (!isHash(v)) throw new DecodeError(`${what} is not a 32-byte hash: ${describe(v)}`);
  const out = new Uint8Array(32);
  hexInto(out, 0, v, 2, 32);
  return out;
}

/** A 32-byte word given as a quantity or as 32-byte data (storage keys and values). */
export function word(v: unknown, what: string): bigint {
  return quantity(v, what, U256);
}

function opt<T>(o: Json, key: string, f: (v: unknown, what: string) => T, what: string): T | undefined {
  const v = o[key];
  return v === undefined || v === null ? undefined : f(v, `${what}.${key}`);
}

/** The mainnet fork of a block by number and timestamp (the README's schedule). */
export function mainnetFork(number: bigint, timestamp: bigint): Fork {
  if (timestamp >= 1764798551n) return "Osaka";
  if (timestamp >= 1746612311n) return "Prague";
  if (timestamp >= 1710338135n) return "Cancun";
  if (timestamp >= 1681338455n) return "Shanghai";
  if (number >= 15537394n) return "Paris";
  if (number >= 12965000n) return "London";
  if (number >= 12244000n) return "Berlin";
  if (number >= 9069000n) return "Istanbul";
  if (number >= 7280000n) return "Petersburg";
  if (number >= 4370000n) return "Byzantium";
  if (number >= 2675000n) return "SpuriousDragon";
  if (number >= 2463000n) return "TangerineWhistle";
  if (number >= 1150000n) return "Homestead";
  return "Frontier";
}

function accessList(v: unknown, what: string): AccessListEntry[] {
  return arr(v, what).map((e, i) => {
    const o = obj(e, `${what}[${i}]`);
    return {
      address: address(o["address"], `${what}[${i}].address`),
      storageKeys: arr(o["storageKeys"] ?? [], `${what}[${i}].storageKeys`).map((k, j) =>
        word(k, `${what}[${i}].storageKeys[${j}]`),
      ),
    };
  });
}

function authorizations(v: unknown, what: string): Authorization[] {
  return arr(v, what).map((e, i) => {
    const o = obj(e, `${what}[${i}]`);
    const w = `${what}[${i}]`;
    return {
      chainId: quantity(o["chainId"], `${w}.chainId`),
      address: address(o["address"], `${w}.address`),
      nonce: quantity(o["nonce"], `${w}.nonce`),
      yParity: quantity(o["yParity"] ?? o["v"], `${w}.yParity`),
      r: quantity(o["r"], `${w}.r`),
      s: quantity(o["s"], `${w}.s`),
    };
  });
}

/**
 * One JSON-RPC transaction. The sender is `from` when given; otherwise it is recovered (natively)
 * from `v`/`yParity`, `r` and `s` over the signing hash computed here.
 */
export function decodeRpcTransaction(v: unknown, what: string, chainId = 1n): BlockTransaction {
  const o = obj(v, what);
  const type = o["type"] === undefined ? 0n : quantity(o["type"], `${what}.type`);
  if (type > 4n) throw new DecodeError(`${what}.type: unknown transaction type ${type}`);
  const tx: BlockTransaction = {
    type: Number(type) as BlockTransaction["type"],
    to: o["to"] === null || o["to"] === undefined ? null : address(o["to"], `${what}.to`),
    nonce: quantity(o["nonce"], `${what}.nonce`, U64),
    value: quantity(o["value"], `${what}.value`),
    gasLimit: quantity(o["gas"] ?? o["gasLimit"], `${what}.gas`, U64),
    data: data(o["input"] ?? o["data"] ?? "0x", `${what}.input`),
  };
  if (tx.type < 2) {
    tx.gasPrice = quantity(o["gasPrice"], `${what}.gasPrice`);
  } else {
    tx.maxFeePerGas = quantity(o["maxFeePerGas"], `${what}.maxFeePerGas`);
    tx.maxPriorityFeePerGas = quantity(o["maxPriorityFeePerGas"], `${what}.maxPriorityFeePerGas`);
  }
  if (tx.type >= 1) tx.accessList = accessList(o["accessList"] ?? [], `${what}.accessList`);
  if (tx.type === 3) {
    tx.maxFeePerBlobGas = quantity(o["maxFeePerBlobGas"], `${what}.maxFeePerBlobGas`);
    tx.blobVersionedHashes = arr(o["blobVersionedHashes"], `${what}.blobVersionedHashes`).map((h, i) =>
      hash(h, `${what}.blobVersionedHashes[${i}]`),
    );
  }
  if (tx.type === 4)
    tx.authorizationList = authorizations(o["authorizationList"], `${what}.authorizationList`);
  const txChainId = opt(o, "chainId", quantity, what);
  if (txChainId !== undefined) tx.chainId = txChainId;
  if (o["from"] !== undefined && o["from"] !== null) {
    tx.sender = address(o["from"], `${what}.from`);
  } else {
    const vv = opt(o, "v", quantity, what);
    const parity = tx.type === 0 ? undefined : (opt(o, "yParity", quantity, what) ?? vv);
    if (tx.type === 0 && vv === undefined) throw new DecodeError(`${what}: neither from nor v`);
    const yParity = tx.type === 0 ? (vv! >= 35n ? (vv! - 35n) % 2n : vv! - 27n) : parity;
    if (yParity === undefined || yParity < 0n || yParity > 1n)
      throw new DecodeError(`${what}: neither from nor a valid signature parity`);
    const legacyChainId = tx.type === 0 && vv! >= 35n ? (vv! - 35n) / 2n : chainId;
    tx.signature = {
      signingHash: signingHash(tx, tx.type === 0 ? legacyChainId : (txChainId ?? chainId), vv),
      r: quantity(o["r"], `${what}.r`),
      s: quantity(o["s"], `${what}.s`),
      yParity: Number(yParity),
    };
  }
  return tx;
}

/** The header fields of a JSON-RPC block. */
export function decodeRpcHeader(o: Json, what: string): BlockHeader {
  const h: BlockHeader = {
    parentHash: hash(o["parentHash"], `${what}.parentHash`),
    coinbase: address(o["miner"] ?? o["coinbase"], `${what}.miner`),
    stateRoot: hash(o["stateRoot"], `${what}.stateRoot`),
    receiptsRoot: hash(o["receiptsRoot"], `${what}.receiptsRoot`),
    logsBloom: data(o["logsBloom"], `${what}.logsBloom`),
    difficulty: quantity(o["difficulty"] ?? "0x0", `${what}.difficulty`),
    number: quantity(o["number"], `${what}.number`, U64),
    gasLimit: quantity(o["gasLimit"], `${what}.gasLimit`, U64),
    gasUsed: quantity(o["gasUsed"], `${what}.gasUsed`, U64),
    timestamp: quantity(o["timestamp"], `${what}.timestamp`, U64),
    extraData: data(o["extraData"] ?? "0x", `${what}.extraData`),
    mixHash: o["mixHash"] === undefined ? new Uint8Array(32) : hash(o["mixHash"], `${what}.mixHash`),
  };
  if (h.logsBloom.length !== 256)
    throw new DecodeError(`${what}.logsBloom must be 256 bytes, got ${h.logsBloom.length}`);
  const set = <K extends keyof BlockHeader>(k: K, v: BlockHeader[K] | undefined): void => {
    if (v !== undefined) h[k] = v;
  };
  set("ommersHash", opt(o, "sha3Uncles", hash, what));
  set("transactionsRoot", opt(o, "transactionsRoot", hash, what));
  set("baseFeePerGas", opt(o, "baseFeePerGas", quantity, what));
  set("withdrawalsRoot", opt(o, "withdrawalsRoot", hash, what));
  set(
    "blobGasUsed",
    opt(o, "blobGasUsed", (v, w) => quantity(v, w, U64), what),
  );
  set(
    "excessBlobGas",
    opt(o, "excessBlobGas", (v, w) => quantity(v, w, U64), what),
  );
  set("parentBeaconBlockRoot", opt(o, "parentBeaconBlockRoot", hash, what));
  set("requestsHash", opt(o, "requestsHash", hash, what));
  set("hash", opt(o, "hash", hash, what));
  return h;
}

/** A JSON-RPC block with full transactions. The fork defaults to mainnet's schedule. */
export function decodeRpcBlock(v: unknown, fork?: Fork): Block {
  const o = obj(v, "block");
  const header = decodeRpcHeader(o, "block");
  const txs = arr(o["transactions"] ?? [], "block.transactions");
  const transactions = txs.map((t, i) => {
    if (typeof t === "string")
      throw new DecodeError(`block.transactions[${i}] is a hash: full transactions are needed`);
    return decodeRpcTransaction(t, `block.transactions[${i}]`);
  });
  const block: Block = {
    fork: fork ?? mainnetFork(header.number, header.timestamp),
    header,
    transactions,
    ommers: [],
    unknownOmmers: arr(o["uncles"] ?? [], "block.uncles").length,
  };
  if (o["withdrawals"] !== undefined && o["withdrawals"] !== null) {
    block.withdrawals = arr(o["withdrawals"], "block.withdrawals").map((w, i): Withdrawal => {
      const x = obj(w, `block.withdrawals[${i}]`);
      const what = `block.withdrawals[${i}]`;
      return {
        index: quantity(x["index"], `${what}.index`, U64),
        validatorIndex: quantity(x["validatorIndex"], `${what}.validatorIndex`, U64),
        address: address(x["address"], `${what}.address`),
        amount: quantity(x["amount"], `${what}.amount`, U64),
      };
    });
  }
  return block;
}

/**
 * A code table: `{"0x<code hash>": "0x<code>"}`. All codes are converted once into one
 * off-heap buffer (a large table of JavaScript strings would make every garbage collection
 * slow); `get` returns views into it, shared by every account and block that uses them.
 */
const knownHashes = new WeakMap<Uint8Array, Uint8Array>();

/** The keccak hash of `code` when it came from a code table keyed by hash (saves hashing it). */
export function knownCodeHash(code: Uint8Array): Uint8Array | undefined {
  return knownHashes.get(code);
}

export class CodeTable {
  private readonly index = new Map<string, Uint8Array>();

  constructor(json: unknown = {}) {
    const entries = Object.entries(obj(json, "bytecodes"));
    let total = 0;
    for (const [, v] of entries) {
      if (typeof v !== "string" || v.length % 2 !== 0 || v.charCodeAt(0) !== 48 || v.charCodeAt(1) !== 120)
        throw new DecodeError(`bytecodes: code is not 0x-prefixed even-length hex`);
      total += (v.length - 2) / 2;
    }
    const store = Buffer.allocUnsafe(total);
    let offset = 0;
    for (const [k, v] of entries) {
      const n = (v as string).length / 2 - 1;
      // Hex decoding stops at the first pair that is not hex: fewer bytes written means bad hex.
      if (store.write((v as string).slice(2), offset, n, "hex") !== n)
        throw new DecodeError(`bytecodes: code is not 0x-prefixed even-length hex`);
      const code = new Uint8Array(store.buffer, store.byteOffset + offset, n);
      if (isHash(k)) knownHashes.set(code, hash(k, "bytecodes key"));
      this.index.set(k.toLowerCase(), code);
      offset += n;
    }
  }

  /** The code with this hash, or undefined. */
  find(codeHash: string): Uint8Array | undefined {
    const key = codeHash.toLowerCase();
    return key === EMPTY_CODE_HASH ? EMPTY : this.index.get(key);
  }

  /** The code with this hash; MissingStateError when the table does not have it. */
  get(codeHash: string, what: string): Uint8Array {
    const key = codeHash.toLowerCase();
    if (key === EMPTY_CODE_HASH) return EMPTY;
    const code = this.index.get(key);
    if (code === undefined) throw new MissingStateError(`${what}: code ${codeHash} is not in the code table`);
    return code;
  }
}

/**
 * A prestate map `{ "<address>": { balance, nonce, code? | code_hash? | codeHash?, storage? } }`.
 * Code given inline is used as is; a code hash is looked up in `codes`.
 */
export function decodePreState(v: unknown, codes: CodeTable = new CodeTable()): State {
  const o = obj(v, "pre-state");
  // Usually straight into the request encoding; the accounts are built only if asked for.
  const sections = encodePreStateJson(o, (h) => codes.find(h));
  if (sections !== undefined) return new LazyPreState(sections, () => decodePreStateEagerly(o, codes));
  return decodePreStateEagerly(o, codes);
}

/**
 * A prestate map as JSON text in bytes (a pre_state.json file; `what` names it in errors). The
 * usual plain shape goes straight into the request encoding without JSON.parse; anything else is
 * parsed and decoded as by decodePreState.
 */
export function decodePreStateBytes(bytes: Buffer, codes: CodeTable, what: string): State {
  const sections = encodePreStateBytes(bytes, (h) => codes.find(h));
  if (sections !== undefined)
    return new LazyPreState(sections, () =>
      decodePreStateEagerly(obj(parseJson(bytes.toString("utf8"), what), "pre-state"), codes),
    );
  return decodePreState(parseJson(bytes.toString("utf8"), what), codes);
}

function decodePreStateEagerly(o: Json, codes: CodeTable): State {
  const state: State = new Map();
  for (const [addr, raw] of Object.entries(o)) {
    const what = `pre-state[${addr}]`;
    const a = obj(raw, what);
    let code: Uint8Array = EMPTY;
    if (a["code"] !== undefined && a["code"] !== null) code = data(a["code"], `${what}.code`);
    else {
      const ch = a["code_hash"] ?? a["codeHash"];
      if (ch !== undefined && ch !== null) {
        if (!isHash(ch)) throw new DecodeError(`${what}.code_hash is not a 32-byte hash: ${describe(ch)}`);
        code = codes.get(ch, what);
      }
    }
    const storage = new Map<bigint, bigint>();
    const s = a["storage"];
    if (s !== undefined && s !== null) {
      for (const [k, val] of Object.entries(obj(s, `${what}.storage`))) {
        storage.set(word(k, `${what}.storage key`), word(val, `${what}.storage[${k}]`));
      }
    }
    const account: Account = {
      balance: quantity(a["balance"] ?? "0x0", `${what}.balance`),
      nonce: quantity(a["nonce"] ?? 0, `${what}.nonce`, U64),
      code,
      storage,
    };
    state.set(address(addr, "pre-state address"), account);
  }
  return state;
}

/** `{"<number>": "0x<hash>"}`. */
export function decodeBlockHashes(v: unknown): Map<bigint, Uint8Array> {
  const out = new Map<bigint, Uint8Array>();
  for (const [k, h] of Object.entries(obj(v, "block hashes"))) {
    if (!/^[0-9]+$/.test(k) && !LOOSE_QUANTITY.test(k))
      throw new DecodeError(`block hashes: bad block number ${describe(k)}`);
    out.set(BigInt(k), hash(h, `block hashes[${k}]`));
  }
  return out;
}

/** JSON.parse with a DecodeError that names the source. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DecodeError(`${what} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
