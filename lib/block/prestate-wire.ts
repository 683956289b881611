/**
 * A pre-state decoded straight from its JSON into the request's `codes` and `pre` sections
 * (native/addon/block_request.cpp), hex to bytes, with no bigint, Account or Map per account and
 * slot: for a 1,000-transaction block this was most of the decoding and request encoding time.
 * The result is still a `State` (a Map): the first Map method call builds the ordinary accounts
 * (by the eager decoder) and from then on the request is encoded from those, since they may be
 * changed. Anything the fast path does not handle exactly like the eager decoder (bad or unusual
 * input, inline code, addresses with capitals, storage keys with leading zeros) falls back to it,
 * so errors and edge cases behave identically.
 */
import type { Account, State } from "../state";
import { Writer } from "./writer";

const NO_CODE = 0xffffffff;
const NIBBLE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) NIBBLE[48 + c] = c;
for (let c = 0; c < 6; c++) NIBBLE[65 + c] = NIBBLE[97 + c] = 10 + c;

/**
 * The request's `codes` section (each code with its trusted keccak hash; written by the request
 * encoder so that code is copied once) and the `pre` section's `count` encoded accounts.
 */
export interface PreSections {
  codes: Uint8Array[];
  hashes: Uint8Array[];
  accounts: Uint8Array;
  count: number;
}

/** How the fast path finds a code by its hash string (undefined: not in the table). */
export type CodeLookup = (codeHash: string) => Uint8Array | undefined;

class SectionWriter extends Writer {
  /** `0x` + exactly 2n lowercase-or-uppercase hex digits; false if not hex. */
  hexBytes(s: string, n: number): boolean {
    this.room(n);
    for (let i = 0; i < n; i++) {
      const c1 = s.charCodeAt(2 + 2 * i);
      const c2 = s.charCodeAt(3 + 2 * i);
      if (c1 > 127 || c2 > 127) return false;
      const hi = NIBBLE[c1]!;
      const lo = NIBBLE[c2]!;
      if (hi < 0 || lo < 0) return false;
      this.buf[this.pos + i] = (hi << 4) | lo;
    }
    this.pos += n;
    return true;
  }
  /**
   * A quantity (hex string with leading zeros tolerated, or a safe integer) right-aligned in
   * `size` bytes (big-endian; little-endian for the u64 nonce); false if invalid or too large.
   */
  quantity(v: unknown, size: 32 | 8, littleEndian: boolean): boolean {
    this.room(size);
    const p = this.pos; // zeroed: Buffer.alloc, each byte written once
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v) || v < 0) return false;
      const hi = Math.floor(v / 2 ** 32);
      const lo = v >>> 0;
      if (littleEndian) {
        this.buf.writeUInt32LE(lo, p);
        this.buf.writeUInt32LE(hi, p + 4);
      } else {
        this.buf.writeUInt32BE(hi, p + size - 8);
        this.buf.writeUInt32BE(lo, p + size - 4);
      }
      this.pos += size;
      return true;
    }
    if (typeof v !== "string" || v.length < 3 || v.charCodeAt(0) !== 48 || v.charCodeAt(1) !== 120)
      return false;
    let first = 2;
    while (first < v.length - 1 && v.charCodeAt(first) === 48) first++;
    const digits = v.length - first;
    if (digits > 2 * size) {
      // Validate the rest before reporting out of range (the eager decoder names the error).
      return false;
    }
    // Digits from the least significant end, two per byte.
    for (let i = 0; i < digits; i++) {
      const c = v.charCodeAt(v.length - 1 - i);
      if (c > 127) return false;
      const d = NIBBLE[c]!;
      if (d < 0) return false;
      const byte = i >> 1;
      const at = littleEndian ? p + byte : p + size - 1 - byte;
      this.buf[at] = this.buf[at]! | (i & 1 ? d << 4 : d);
    }
    this.pos += size;
    return true;
  }
}

/** A storage key with no leading zeros and no capitals: two such keys never mean one slot. */
function canonicalKey(k: string): boolean {
  if (k.length < 3 || k.length > 66 || k.charCodeAt(0) !== 48 || k.charCodeAt(1) !== 120) return false;
  if (k.length > 3 && k.charCodeAt(2) === 48) return false;
  for (let i = 2; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * The `codes` and `pre` request sections for a prestate JSON object, or undefined when the fast
 * path does not apply (the caller then decodes eagerly, which reports any error).
 */
export function encodePreStateJson(o: Record<string, unknown>, lookup: CodeLookup): PreSections | undefined {
  const codeIndex = new Map<Uint8Array, number>();
  const codes: Uint8Array[] = [];
  const codeHashes: string[] = [];
  const accounts = new SectionWriter(64 * 1024);
  let count = 0;
  for (const addr of Object.keys(o)) {
    const a = o[addr];
    if (typeof a !== "object" || a === null || Array.isArray(a)) return undefined;
    const acc = a as Record<string, unknown>;
    // Lowercase addresses only: with capitals, two keys could name one account.
    if (addr.length !== 42 || !canonicalAddress(addr)) return undefined;
    if (acc["code"] !== undefined && acc["code"] !== null) return undefined;
    accounts.hexBytes(addr, 20);
    if (!accounts.quantity(acc["balance"] ?? "0x0", 32, false)) return undefined;
    if (!accounts.quantity(acc["nonce"] ?? 0, 8, true)) return undefined;
    let index = NO_CODE;
    const ch = acc["code_hash"] ?? acc["codeHash"];
    if (ch !== undefined && ch !== null) {
      if (typeof ch !== "string" || ch.length !== 66 || !isHex(ch)) return undefined;
      const code = lookup(ch);
      if (code === undefined) return undefined;
      if (code.length !== 0) {
        const known = codeIndex.get(code);
        if (known !== undefined) index = known;
        else {
          index = codes.length;
          codeIndex.set(code, index);
          codes.push(code);
          codeHashes.push(ch);
        }
      }
    }
    accounts.u32(index);
    const s = acc["storage"];
    let slots = 0;
    const countAt = accounts.pos;
    accounts.u32(0);
    if (s !== undefined && s !== null) {
      if (typeof s !== "object" || Array.isArray(s)) return undefined;
      const storage = s as Record<string, unknown>;
      for (const k of Object.keys(storage)) {
        if (!canonicalKey(k)) return undefined;
        if (!accounts.quantity(k, 32, false)) return undefined;
        if (!accounts.quantity(storage[k], 32, false)) return undefined;
        slots++;
      }
    }
    accounts.buf.writeUInt32LE(slots, countAt);
    count++;
  }
  return {
    codes,
    hashes: codeHashes.map((h) => Buffer.from(h.slice(2), "hex")),
    accounts: accounts.buf.subarray(0, accounts.pos),
    count,
  };
}

// The prestate JSON scanned as bytes, straight into the sections: no JSON.parse and no string per
// field. The scanner takes only the plain shape that producers write (lowercase address keys in
// ascending order, so none repeats; canonical storage keys, checked for repeats; quantities as
// hex strings or plain integers; no inline code, null, escapes or unknown fields) and gives up
// (undefined) on anything else, which then goes through JSON.parse and encodePreStateJson. What
// it accepts, JSON.parse reads as an object that encodePreStateJson encodes to the same bytes.
const LOWER = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) LOWER[48 + c] = c;
for (let c = 0; c < 6; c++) LOWER[97 + c] = 10 + c;
const ANY = new Int8Array(256).fill(-1);
for (let c = 0; c < 128; c++) ANY[c] = NIBBLE[c]!;
const QUOTE = 34;
const FIELDS = ["balance", "nonce", "code_hash", "codeHash", "storage"].map((f) => Buffer.from(f));
const FIELD_BITS = [1, 2, 4, 4, 8];
// An account's fixed part: address, balance, nonce, code index, slot count.
const ACCOUNT_BYTES = 68;

class PreStateScanner extends SectionWriter {
  i = 0;
  /** The end of the last hex string read. */
  end = 0;
  constructor(
    readonly b: Buffer,
    size: number,
  ) {
    super(size);
  }
  reserve(n: number): void {
    this.room(n);
  }
  /** Skips JSON whitespace; the byte after it (-1 at the end). */
  peek(): number {
    const b = this.b;
    let i = this.i;
    while (i < b.length) {
      const c = b[i]!;
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
      i++;
    }
    this.i = i;
    return i < b.length ? b[i]! : -1;
  }
  eat(c: number): boolean {
    if (this.peek() !== c) return false;
    this.i++;
    return true;
  }
  /** A known account field name and its colon: the field's bit, or -1. */
  field(): number {
    if (this.peek() !== QUOTE) return -1;
    const b = this.b;
    const start = this.i + 1;
    let end = start;
    while (end < b.length && b[end] !== QUOTE) end++;
    if (end >= b.length) return -1;
    this.i = end + 1;
    if (!this.eat(58)) return -1; // ':'
    for (let f = 0; f < FIELDS.length; f++) {
      const name = FIELDS[f]!;
      if (end - start !== name.length) continue;
      let k = 0;
      while (k < name.length && b[start + k] === name[k]) k++;
      if (k === name.length) return FIELD_BITS[f]!;
    }
    return -1;
  }
  /** A `"0x…"` string of the hex digits in `table`: the digits start (this.end: their end), or -1. */
  hexString(table: Int8Array): number {
    const b = this.b;
    const i = this.i;
    if (b[i] !== QUOTE || b[i + 1] !== 48 || b[i + 2] !== 120) return -1;
    let j = i + 3;
    while (j < b.length && table[b[j]!]! >= 0) j++;
    if (j >= b.length || b[j] !== QUOTE) return -1;
    this.i = j + 1;
    this.end = j;
    return i + 3;
  }
  /** Hex digits [start, end) right-aligned in `size` zero bytes at `p` (little-endian if `le`). */
  putDigits(start: number, end: number, p: number, size: number, le: boolean): boolean {
    const b = this.b;
    while (start < end - 1 && b[start] === 48) start++;
    if (start === end || end - start > 2 * size) return false;
    const out = this.buf;
    for (let k = 0, j = end - 1; j >= start; k++, j -= 2) {
      const hi = j > start ? NIBBLE[b[j - 1]!]! << 4 : 0;
      out[le ? p + k : p + size - 1 - k] = hi | NIBBLE[b[j]!]!;
    }
    return true;
  }
  /** A quantity at `p` (zeroed, with room): a hex string, or a plain integer below 2^53. */
  value(p: number, size: number, le: boolean): boolean {
    const c = this.peek();
    if (c === QUOTE) {
      const start = this.hexString(ANY);
      return start >= 0 && this.putDigits(start, this.end, p, size, le);
    }
    if (c < 48 || c > 57) return false;
    const b = this.b;
    let j = this.i;
    let v = 0;
    while (j < b.length && b[j]! >= 48 && b[j]! <= 57) v = v * 10 + (b[j++]! - 48);
    // No leading zeros, fractions or exponents (JSON.parse would read them otherwise).
    if (j - this.i > 15 || (j - this.i > 1 && c === 48)) return false;
    if (j < b.length && (b[j] === 46 || b[j] === 101 || b[j] === 69)) return false;
    this.i = j;
    const hi = Math.floor(v / 2 ** 32);
    const lo = v >>> 0;
    if (le) {
      this.buf.writeUInt32LE(lo, p);
      this.buf.writeUInt32LE(hi, p + 4);
    } else {
      this.buf.writeUInt32BE(hi, p + size - 8);
      this.buf.writeUInt32BE(lo, p + size - 4);
    }
    return true;
  }
}

/** Whether two of the `n` 64-byte slots from `at` have the same key. */
function repeatedKey(buf: Buffer, at: number, n: number): boolean {
  const same = (x: number, y: number): boolean => {
    for (let k = 28; k >= 0; k -= 4) if (buf.readInt32LE(x + k) !== buf.readInt32LE(y + k)) return false;
    return true;
  };
  if (n <= 16) {
    for (let x = 1; x < n; x++) for (let y = 0; y < x; y++) if (same(at + 64 * x, at + 64 * y)) return true;
    return false;
  }
  let size = 64;
  while (size < 2 * n) size *= 2;
  const table = new Int32Array(size).fill(-1);
  for (let x = 0; x < n; x++) {
    const key = at + 64 * x;
    let h =
      Math.imul(buf.readInt32LE(key + 28) ^ buf.readInt32LE(key + 12), 0x9e3779b1) ^ buf.readInt32LE(key);
    h = (h ^ (h >>> 15)) & (size - 1);
    for (; table[h]! >= 0; h = (h + 1) & (size - 1)) if (same(key, at + 64 * table[h]!)) return true;
    table[h] = x;
  }
  return false;
}

/**
 * The `codes` and `pre` sections straight from prestate JSON bytes, or undefined when they are
 * not of the plain shape the scanner takes (the caller then parses them as before).
 */
export function encodePreStateBytes(bytes: Buffer, lookup: CodeLookup): PreSections | undefined {
  const s = new PreStateScanner(bytes, 64 * 1024 + 2 * bytes.length);
  const codes: CodeList = { index: new Map(), codes: [], hashes: [], lookup };
  let count = 0;
  let prev = -1; // where the previous account's address was written
  if (!s.eat(123)) return undefined; // '{'
  if (!s.eat(125)) {
    do {
      const at = scanAccount(s, codes, prev);
      if (at < 0) return undefined;
      prev = at;
      count++;
    } while (s.eat(44));
    if (!s.eat(125)) return undefined;
  }
  if (s.peek() !== -1) return undefined;
  return { codes: codes.codes, hashes: codes.hashes, accounts: s.buf.subarray(0, s.pos), count };
}

/** The codes of the `codes` section, each once. */
interface CodeList {
  index: Map<Uint8Array, number>;
  codes: Uint8Array[];
  hashes: Uint8Array[];
  lookup: CodeLookup;
}

/**
 * One `"0x<40 lowercase hex digits>": {"balance": …, "nonce": …, "code_hash": …, "storage": {…}}`
 * into the `pre` section, its address above the one at `prev`: where it was written, or -1 if the
 * scanner gives up. (A function of its own: it is optimized early, which a whole-file loop is not.)
 */
function scanAccount(s: PreStateScanner, codes: CodeList, prev: number): number {
  const bytes = s.b;
  if (s.peek() !== QUOTE) return -1;
  const start = s.hexString(LOWER);
  if (start < 0 || s.end - start !== 40 || !s.eat(58) || !s.eat(123)) return -1;
  s.reserve(ACCOUNT_BYTES);
  const at = s.pos;
  s.putDigits(start, s.end, at, 20, false);
  if (prev >= 0) {
    const out = s.buf;
    let k = 0;
    while (k < 20 && out[prev + k] === out[at + k]) k++;
    if (k === 20 || out[prev + k]! > out[at + k]!) return -1;
  }
  s.pos += ACCOUNT_BYTES;
  let seen = 0;
  let index = NO_CODE;
  let slots = 0;
  if (!s.eat(125)) {
    do {
      const f = s.field();
      if (f < 0 || seen & f) return -1;
      seen |= f;
      if (f === 1) {
        if (!s.value(at + 20, 32, false)) return -1;
      } else if (f === 2) {
        if (!s.value(at + 52, 8, true)) return -1;
      } else if (f === 4) {
        if (s.peek() !== QUOTE) return -1;
        const h = s.hexString(ANY);
        if (h < 0 || s.end - h !== 64) return -1;
        const ch = bytes.toString("latin1", h - 2, s.end);
        const code = codes.lookup(ch);
        if (code === undefined) return -1;
        if (code.length !== 0) {
          const known = codes.index.get(code);
          if (known !== undefined) index = known;
          else {
            index = codes.codes.length;
            codes.index.set(code, index);
            codes.codes.push(code);
            codes.hashes.push(Buffer.from(ch.slice(2), "hex"));
          }
        }
      } else {
        if (!s.eat(123)) return -1;
        if (!s.eat(125)) {
          do {
            // A canonical key (no leading zeros, no capitals): two keys never name one slot.
            if (s.peek() !== QUOTE) return -1;
            const k = s.hexString(LOWER);
            if (k < 0 || (s.end - k > 1 && bytes[k] === 48)) return -1;
            s.reserve(64);
            if (!s.putDigits(k, s.end, s.pos, 32, false) || !s.eat(58)) return -1;
            if (!s.value(s.pos + 32, 32, false)) return -1;
            s.pos += 64;
            slots++;
          } while (s.eat(44));
          if (!s.eat(125)) return -1;
        }
      }
    } while (s.eat(44));
    if (!s.eat(125)) return -1;
  }
  if (slots > 1 && repeatedKey(s.buf, at + ACCOUNT_BYTES, slots)) return -1;
  s.buf.writeUInt32LE(index, at + 60);
  s.buf.writeUInt32LE(slots, at + 64);
  return at;
}

function isHex(s: string): boolean {
  if (s.charCodeAt(0) !== 48 || s.charCodeAt(1) !== 120) return false;
  for (let i = 2; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || NIBBLE[c]! < 0) return false;
  }
  return true;
}

function canonicalAddress(s: string): boolean {
  if (s.charCodeAt(0) !== 48 || s.charCodeAt(1) !== 120) return false;
  for (let i = 2; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * A State whose accounts are built on first use; until then `encodedPreState` gives the request
 * sections decoded straight from the JSON.
 */
export class LazyPreState extends Map<string, Account> {
  private source: (() => State) | undefined;
  private sections: PreSections | undefined;

  constructor(sections: PreSections, build: () => State) {
    super();
    this.sections = sections;
    this.source = build;
  }

  /** The pre-encoded sections while no account has been handed out (then they may change). */
  encoded(): PreSections | undefined {
    return this.sections;
  }

  private materialize(): void {
    const build = this.source;
    if (build === undefined) return;
    this.source = undefined;
    this.sections = undefined;
    for (const [k, v] of build()) super.set(k, v);
  }

  override get size(): number {
    this.materialize();
    return super.size;
  }
  override get(key: string): Account | undefined {
    this.materialize();
    return super.get(key);
  }
  override has(key: string): boolean {
    this.materialize();
    return super.has(key);
  }
  override set(key: string, value: Account): this {
    this.materialize();
    return super.set(key, value);
  }
  override delete(key: string): boolean {
    this.materialize();
    return super.delete(key);
  }
  override clear(): void {
    this.materialize();
    super.clear();
  }
  override forEach(
    cb: (value: Account, key: string, map: Map<string, Account>) => void,
    thisArg?: unknown,
  ): void {
    this.materialize();
    super.forEach(cb, thisArg);
  }
  override keys(): MapIterator<string> {
    this.materialize();
    return super.keys();
  }
  override values(): MapIterator<Account> {
    this.materialize();
    return super.values();
  }
  override entries(): MapIterator<[string, Account]> {
    this.materialize();
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[string, Account]> {
    this.materialize();
    return super[Symbol.iterator]();
  }
}

/** The pre-encoded request sections of `state`, when it still has them. */
export function encodedPreState(state: State): PreSections | undefined {
  return state instanceof LazyPreState ? state.encoded() : undefined;
}
