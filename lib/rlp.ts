/**
 * Recursive Length Prefix (RLP), the Ethereum serialisation (Yellow Paper, appendix B): an item is
 * a byte string or a list of items. Used for the logs hash of state tests, keccak(rlp(logs)), and
 * for transaction and receipt encodings later.
 */
import { DecodeError, InvalidArgumentError } from "./errors";

/** A value RLP can encode: bytes, or a (nested) list of them. */
export type RlpItem = Uint8Array | RlpItem[];

/** The minimal big-endian bytes of a non-negative integer (0 encodes as the empty string). */
export function bigintToBytes(value: bigint): Uint8Array {
  if (value < 0n) throw new InvalidArgumentError(`RLP cannot encode a negative integer: ${value}`);
  if (value === 0n) return new Uint8Array(0);
  let hex = value.toString(16);
  if (hex.length % 2 !== 0) hex = "0" + hex;
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

/** The integer that big-endian `bytes` encode (the empty string is 0). */
export function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt("0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex"));
}

/** Encodes an item. */
export function rlpEncode(item: RlpItem): Uint8Array {
  const out = new Uint8Array(encodedLength(item));
  const end = write(item, out, 0);
  if (end !== out.length) throw new Error("rlp: length mismatch (bug)");
  return out;
}

/** The length of an RLP string or list header for a payload of `payload` bytes. */
export function rlpHeaderLength(payload: number): number {
  return payload < 56 ? 1 : payload < 0x100 ? 2 : payload < 0x10000 ? 3 : 1 + byteLength(payload);
}

function byteLength(n: number): number {
  let len = 0;
  while (n > 0) {
    len++;
    n = Math.floor(n / 256);
  }
  return len;
}

function payloadLength(item: RlpItem): number {
  if (item instanceof Uint8Array) return item.length;
  let sum = 0;
  for (const child of item) sum += encodedLength(child);
  return sum;
}

function encodedLength(item: RlpItem): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0]! < 0x80) return 1;
    return rlpHeaderLength(item.length) + item.length;
  }
  if (!Array.isArray(item)) throw new InvalidArgumentError("RLP items must be Uint8Array or arrays");
  const payload = payloadLength(item);
  return rlpHeaderLength(payload) + payload;
}

/** Writes the header of a payload of `payload` bytes at `pos` (`shortBase` 0x80 for a string,
 * 0xc0 for a list); returns where the payload starts. */
export function writeRlpHeader(out: Uint8Array, pos: number, payload: number, shortBase: number): number {
  if (payload < 56) {
    out[pos] = shortBase + payload;
    return pos + 1;
  }
  const len = byteLength(payload);
  out[pos] = shortBase + 55 + len;
  for (let i = len; i >= 1; i--) {
    out[pos + i] = payload & 0xff;
    payload = Math.floor(payload / 256);
  }
  return pos + 1 + len;
}

function write(item: RlpItem, out: Uint8Array, pos: number): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0]! < 0x80) {
      out[pos] = item[0]!;
      return pos + 1;
    }
    pos = writeRlpHeader(out, pos, item.length, 0x80);
    out.set(item, pos);
    return pos + item.length;
  }
  pos = writeRlpHeader(out, pos, payloadLength(item), 0xc0);
  for (const child of item) pos = write(child, out, pos);
  return pos;
}

/** Decodes exactly one item that spans all of `data`; malformed input throws DecodeError. */
export function rlpDecode(data: Uint8Array): RlpItem {
  const [item, end] = read(data, 0, data.length);
  if (end !== data.length) throw new DecodeError(`rlp: ${data.length - end} trailing bytes`);
  return item;
}

function read(data: Uint8Array, pos: number, limit: number): [RlpItem, number] {
  if (pos >= limit) throw new DecodeError("rlp: unexpected end of input");
  const b = data[pos]!;
  if (b < 0x80) return [data.subarray(pos, pos + 1), pos + 1];
  if (b < 0xc0) {
    const [start, len] = lengthOf(data, pos, limit, 0x80);
    if (len === 1 && data[start]! < 0x80)
      throw new DecodeError("rlp: single byte below 0x80 must not have a prefix");
    return [data.subarray(start, start + len), start + len];
  }
  const [start, len] = lengthOf(data, pos, limit, 0xc0);
  const items: RlpItem[] = [];
  let p = start;
  const end = start + len;
  while (p < end) {
    const [child, next] = read(data, p, end);
    items.push(child);
    p = next;
  }
  return [items, end];
}

/** Reads a string or list header at `pos`; returns the payload start and length. */
function lengthOf(data: Uint8Array, pos: number, limit: number, base: number): [number, number] {
  const b = data[pos]!;
  let start: number;
  let len: number;
  if (b <= base + 55) {
    start = pos + 1;
    len = b - base;
  } else {
    const lenOfLen = b - base - 55;
    if (pos + 1 + lenOfLen > limit) throw new DecodeError("rlp: length runs past the end");
    if (data[pos + 1] === 0) throw new DecodeError("rlp: length has a leading zero");
    len = 0;
    for (let i = 0; i < lenOfLen; i++) len = len * 256 + data[pos + 1 + i]!;
    if (len < 56) throw new DecodeError("rlp: long form used for a short payload");
    start = pos + 1 + lenOfLen;
  }
  if (start + len > limit) throw new DecodeError("rlp: payload runs past the end");
  return [start, len];
}
