import { native } from "./binding";
import { toBytes } from "./bytes";
import { awaitNative, callNative } from "./errors";

/** Keccak-256 of `data` (bytes or 0x hex), computed natively and synchronously. */
export function keccak256(data: Uint8Array | string): Uint8Array {
  const bytes = toBytes(data);
  return callNative(() => native().keccak256(bytes));
}

/**
 * Keccak-256 off the event loop, for large inputs. The input is copied before the promise is
 * returned, so the caller may reuse its buffer at once. Every failure is a rejection.
 */
export async function keccak256Async(data: Uint8Array | string): Promise<Uint8Array> {
  const bytes = toBytes(data);
  return awaitNative(callNative(() => native().keccak256Async(bytes)));
}
