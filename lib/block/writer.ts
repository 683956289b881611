/** The growable little-endian buffer that encodes block requests (wire.ts, prestate-wire.ts). */
import { InvalidArgumentError } from "../errors";
import { hexIntoChecked } from "./json";

const U64 = 1n << 64n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A buffer kept from one request to the next (see Writer): its memory is already mapped, where a
 * fresh megabyte-sized buffer costs a page fault per 4 KiB on first write (most of a request is
 * code, megabytes per block). `dirty` bytes from the start may be non-zero.
 */
export interface Scratch {
  buf: Buffer;
  dirty: number;
}

/** Builds a request buffer; prestate-wire.ts extends it with JSON fast paths. */
export class Writer {
  buf: Buffer;
  pos = 0;
  private readonly scratch: Scratch | undefined;
  // Zeroed buffers: the high bytes of small words need no writing. With a scratch buffer, the
  // result is a view into it that is only valid until the scratch is used again.
  constructor(size: number, scratch?: Scratch) {
    this.scratch = scratch;
    if (scratch !== undefined && scratch.buf.length >= size) {
      scratch.buf.fill(0, 0, scratch.dirty);
      scratch.dirty = scratch.buf.length; // until result(): an encoding that throws leaves bytes behind
      this.buf = scratch.buf;
    } else {
      // A scratch buffer grows by doubling: each new one is fresh memory again.
      this.buf = Buffer.alloc(scratch !== undefined ? Math.max(size, 2 * scratch.buf.length) : size);
    }
  }
  protected room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
  }
  u64(v: bigint): void {
    this.room(8);
    if (v >= 0n && v <= SAFE) {
      const n = Number(v);
      this.buf.writeUInt32LE(n >>> 0, this.pos);
      this.buf.writeUInt32LE(Math.floor(n / 2 ** 32), this.pos + 4);
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
    if (v === 0n) {
      this.pos += 32; // zeroed
      return;
    }
    if (v >= 0n && v <= SAFE) {
      // Most quantities (nonces, gas, fees) fit a double exactly: no bigint arithmetic or hex.
      const n = Number(v);
      this.buf.writeUInt32BE(Math.floor(n / 2 ** 32), p + 24);
      this.buf.writeUInt32BE(n >>> 0, p + 28);
    } else if (v >= 0n && v < U64) {
      this.buf.writeBigUInt64BE(v, p + 24);
    } else {
      this.buf.write(v.toString(16).padStart(64, "0"), p, 32, "hex");
    }
    this.pos += 32;
  }
  /** A `0x` address string. */
  addr(a: string): void {
    this.room(20);
    // Validated while decoding (one pass): a bad address throws before `pos` moves.
    if (
      typeof a !== "string" ||
      a.length !== 42 ||
      a.charCodeAt(0) !== 48 ||
      a.charCodeAt(1) !== 120 ||
      !hexIntoChecked(this.buf, this.pos, a, 2, 20)
    )
      throw new InvalidArgumentError(`not a 0x-prefixed 20-byte address: ${String(a)}`);
    this.pos += 20;
  }
  result(): Uint8Array {
    if (this.scratch !== undefined) {
      this.scratch.buf = this.buf;
      this.scratch.dirty = this.pos;
    }
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.pos);
  }
}
