/**
 * Calls one precompile through the native table (the addon's runPrecompile test binding), with
 * the evmc_revision and status numbers the tests need.
 */
import { expect } from "vitest";
import { native } from "../../lib/binding";

export const Rev = {
  Frontier: 0,
  Homestead: 1,
  Byzantium: 4,
  Petersburg: 6,
  Istanbul: 7,
  Berlin: 8,
  London: 9,
  Shanghai: 11,
  Cancun: 12,
  Prague: 13,
  Osaka: 14,
} as const;

export const Status = { Success: 0, OutOfGas: 3, Failure: 12, Rejected: -2 } as const;

export interface PrecompileResult {
  status: number;
  gasLeft: number;
  output: Uint8Array;
}

interface PrecompileBinding {
  runPrecompile(address: number, rev: number, input: Uint8Array, gas: number): PrecompileResult;
}

export function run(address: number, rev: number, input: Uint8Array | string, gas: number): PrecompileResult {
  const bytes = typeof input === "string" ? fromHex(input) : input;
  return (native() as unknown as PrecompileBinding).runPrecompile(address, rev, bytes, gas);
}

export function fromHex(s: string): Uint8Array {
  const h = s.replace(/^0x/, "").replace(/\s+/g, "");
  if (h.length % 2 !== 0) throw new Error(`odd hex length: ${s}`);
  return Uint8Array.from(Buffer.from(h, "hex"));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/** A 32-byte big-endian word. */
export function word(v: bigint): string {
  return v.toString(16).padStart(64, "0");
}

/**
 * Asserts that the call costs exactly `cost`: with `cost - 1` gas it runs out of gas, with `cost`
 * it does not, and with `cost + 1000` it leaves 1000 on success (0 on failure). Returns the last
 * result.
 */
export function expectCost(
  address: number,
  rev: number,
  input: Uint8Array | string,
  cost: number,
): PrecompileResult {
  if (cost > 0)
    expect(run(address, rev, input, cost - 1)).toMatchObject({ status: Status.OutOfGas, gasLeft: 0 });
  expect(run(address, rev, input, cost).status).not.toBe(Status.OutOfGas);
  const r = run(address, rev, input, cost + 1000);
  expect(r.gasLeft).toBe(r.status === Status.Success ? 1000 : 0);
  if (r.status !== Status.Success) expect(r.output.length).toBe(0);
  return r;
}
