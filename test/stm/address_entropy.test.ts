/**
 * Addresses that are not hashes (0x80...0001, 0x80...0002, ...: test accounts, precompiles,
 * system contracts, vanity addresses) must spread over Block-STM's tables like any others. Before
 * the tables stirred every bit of a location's hash, such addresses differed only in bits that
 * the tables' index ignored: 4,000 of them filled one probe window after another until the block
 * gave up on Block-STM ("more written locations than the multi-version table holds") after
 * costing ten times the sequential run.
 */
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import type { Account } from "../../lib/state";
import { account, block, COINBASE, context, ETHER, transfer } from "../blocks/helpers";
import { expectParallelEqualsSequential } from "./parallel_helpers";

const low = (prefix: string, i: number): string => prefix + (i + 1).toString(16).padStart(39, "0");

describe("Block-STM with addresses that differ only in their last bytes", () => {
  it("runs 4,000 transfers between them on Block-STM, equal to sequential", async () => {
    const n = 4000;
    const pre = new Map<string, Account>([[COINBASE, account(ETHER)]]);
    const txs = [];
    for (let i = 0; i < n; i++) {
      pre.set(low("0x8", i), account(ETHER));
      txs.push(transfer(0n, low("0x9", i), 1000n + BigInt(i), { sender: low("0x8", i) }));
    }
    const b = block(txs);
    b.header.gasLimit = 100_000_000n * 10n;
    const ctx = context(pre);
    const par = await executeBlock(b, ctx, { policy: "parallel", threads: 2 });
    expect(par.stm!.fallback).toBe("");
    expect(par.stm!.parallel).toBe(true);
    await expectParallelEqualsSequential("low-entropy addresses", b, ctx, [2, 4], 1);
  });
});
