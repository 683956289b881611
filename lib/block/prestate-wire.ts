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
