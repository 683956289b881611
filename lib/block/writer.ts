/** The growable little-endian buffer that encodes block requests (wire.ts, prestate-wire.ts). */
import { InvalidArgumentError } from "../errors";

const U64 = 1n << 64n;
const U256 = 1n << 256n;
/**
 * The byte that two hex digit character codes (each below 128) spell, at [c1 << 7 | c2], plus 256
 * when either digit is a capital; -1 when they are not two hex digits.
 */
const HEX_PAIR = new Int16Array(128 * 128).fill(-1);
{
  const digits = "0123456789abcdefABCDEF";
  const value = (c: string): number => parseInt(c, 16);
  for (const x of digits)
    for (const y of digits)
      HEX_PAIR[(x.charCodeAt(0) << 7) | y.charCodeAt(0)] =
        value(x) * 16 + value(y) + (x > "9" && x < "a" ? 256 : 0) + (y > "9" && y < "a" ? 256 : 0);
}
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A buffer kept from one request to the next (see Writer): its memory is already mapped, where a
 * fresh megabyte-sized buffer costs a page fault per 4 KiB on first write (most of a request is
 * code, megabytes per block). It holds the previous request's bytes: the request writer's methods
 * write every byte of their fields, so it needs no clearing.
 */
export interface Scratch {
  buf: Buffer;
}

/**
 * Builds a request buffer; prestate-wire.ts extends it with JSON fast paths. Its own methods write
 * all the bytes of each field; the fast paths of prestate-wire.ts write only the non-zero digits
 * of quantities and so need a fresh (zeroed) writer, without a scratch buffer.
 */
export class Writer {
  buf: Buffer;
  pos = 0;
  /** Over `buf`: its 64-bit stores take bigints without Buffer's range checks and shifts. */
  private view: DataView;
  private readonly scratch: Scratch | undefined;
  // With a scratch buffer, the result is a view into it that is only valid until the scratch is
  // used again.
  constructor(size: number, scratch?: Scratch) {
    this.scratch = scratch;
    if (scratch !== undefined && scratch.buf.length >= size) {
      this.buf = scratch.buf;
    } else {
      // A scratch buffer grows by doubling: each new one is fresh memory again.
      this.buf = Buffer.alloc(scratch !== undefined ? Math.max(size, 2 * scratch.buf.length) : size);
    }
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }
  protected room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.room(4);
    if (v >>> 0 === v) this.view.setUint32(this.pos, v, true);
    else this.buf.writeUInt32LE(v, this.pos); // throws the range error
    this.pos += 4;
  }
  u64(v: bigint): void {
    this.room(8);
    if (v >= 0n && v <= SAFE) {
      const n = Number(v);
      this.view.setUint32(this.pos, n >>> 0, true);
      this.view.setUint32(this.pos + 4, Math.floor(n / 2 ** 32), true);
    } else {
      this.buf.writeBigUInt64LE(v, this.pos);
    }
    this.pos += 8;
  }
  raw(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.raw(b);
  }
  w256(v: bigint): void {
    this.room(32);
    const p = this.pos;
    this.pos += 32;
    const d = this.view;
    // 64 bits per store (the high words of most: zero; the low word keeps the low 64 bits), no
    // hex, no Buffer range checks.
    if (v >= 0n && v < U64) {
      d.setFloat64(p, 0); // eight zero bytes
      d.setFloat64(p + 8, 0);
      d.setFloat64(p + 16, 0);
      d.setBigUint64(p + 24, v);
    } else if (v > 0n && v < U256) {
      const x = v >> 64n;
      const y = x >> 64n;
      d.setBigUint64(p, y >> 64n);
      d.setBigUint64(p + 8, y);
      d.setBigUint64(p + 16, x);
      d.setBigUint64(p + 24, v);
    } else {
      // Out of range (a caller's bug): the bytes a zeroed buffer would get, as before.
      this.buf.fill(0, p, p + 32);
      this.buf.write(v.toString(16).padStart(64, "0"), p, 32, "hex");
    }
  }
  /** A `0x` address string; whether it is in lowercase (then its bytes decode to it again). */
  addr(a: string): boolean {
    this.room(20);
    // Validated while decoding (one pass): a bad address throws before `pos` moves.
    if (typeof a !== "string" || a.length !== 42 || a.charCodeAt(0) !== 48 || a.charCodeAt(1) !== 120)
      throw new InvalidArgumentError(`not a 0x-prefixed 20-byte address: ${String(a)}`);
    const d = this.view;
    const p = this.pos;
    // Two hex digits per table lookup (-1: not two hex digits; 256 and up: capitals), two bytes
    // per store.
    let seen = 0;
    for (let i = 0; i < 10; i++) {
      const j = 2 + 4 * i;
      const c1 = a.charCodeAt(j);
      const c2 = a.charCodeAt(j + 1);
      const c3 = a.charCodeAt(j + 2);
      const c4 = a.charCodeAt(j + 3);
      if ((c1 | c2 | c3 | c4) > 127) seen = -1;
      else {
        const hi = HEX_PAIR[(c1 << 7) | c2]!;
        const lo = HEX_PAIR[(c3 << 7) | c4]!;
        seen |= hi | lo;
        d.setUint16(p + 2 * i, ((hi & 0xff) << 8) | (lo & 0xff));
      }
    }
    if (seen < 0) throw new InvalidArgumentError(`not a 0x-prefixed 20-byte address: ${String(a)}`);
    this.pos += 20;
    return seen < 256;
  }
  result(): Uint8Array {
    if (this.scratch !== undefined) this.scratch.buf = this.buf;
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.pos);
  }
}
