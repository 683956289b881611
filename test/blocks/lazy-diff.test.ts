/**
 * executeBlock decodes the state diff of its result on first read of `diff`: it must then be an
 * ordinary property (same value, same place among the keys, assignable, seen by spreads).
 */
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import { block, context, OTHER, preState, SENDER, transfer } from "./helpers";

describe("the lazily decoded diff", () => {
  it("reads, spreads and assigns like an ordinary property", async () => {
    const run = () => executeBlock(block([transfer(0n), transfer(1n)]), context(preState()));
    const a = await run();
    expect(Object.keys(a)).toEqual(["gasUsed", "blobGasUsed", "logsBloom", "receipts", "diff", "timings"]);
    const spread = { ...a };
    expect(Array.isArray(spread.diff)).toBe(true);
    expect(a.diff).toBe(spread.diff); // decoded once
    const accounts = new Map(a.diff.map((d) => [d.address, d]));
    expect(accounts.get(OTHER)!.balance).toBe(2000n);
    expect(accounts.get(SENDER)!.nonce).toBe(2n);
    expect(Object.keys(a)).toEqual(["gasUsed", "blobGasUsed", "logsBloom", "receipts", "diff", "timings"]);
    const b = await run();
    b.diff = [];
    expect(b.diff).toEqual([]);
    const c = await run();
    expect(
      JSON.parse(JSON.stringify(c, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).diff,
    ).toHaveLength(a.diff.length);
  });
});
