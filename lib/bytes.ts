/** Conversions between hex strings, bytes and bigints, with validation that names the input. */
import { DecodeError, InvalidArgumentError } from "./errors";

const HEX = /^[0-9a-fA-F]*$/;

/** Parses `0x`-prefixed hex (an odd digit count is not allowed) into bytes. */
export function hexToBytes(hex: string, what = "hex string"): Uint8Array {
  if (typeof hex !== "string") throw new InvalidArgumentError(`${what} must be a string`);
  if (!hex.startsWith("0x") && !hex.startsWith("0X"))
    throw new DecodeError(`${what} must start with 0x: ${preview(hex)}`);
  const digits = hex.slice(2);
  if (digits.length % 2 !== 0)
    throw new DecodeError(`${what} has an odd number of hex digits: ${preview(hex)}`);
  if (!HEX.test(digits)) throw new DecodeError(`${what} is not valid hex: ${preview(hex)}`);
  return Uint8Array.from(Buffer.from(digits, "hex"));
}

/** Formats bytes as lowercase `0x`-prefixed hex. */
export function bytesToHex(bytes: Uint8Array): string {
  return "0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Accepts bytes as they are, or `0x` hex; anything else is an argument error. */
export function toBytes(data: Uint8Array | string, what = "data"): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === "string") return hexToBytes(data, what);
  throw new InvalidArgumentError(`${what} must be a Uint8Array or a 0x-prefixed hex string`);
}

function preview(s: string): string {
  return JSON.stringify(s.length > 42 ? s.slice(0, 40) + "…" : s);
}
