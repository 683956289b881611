/**
 * Block-STM on the synthetic workloads (lib/workloads): the seven named ones and seeded random
 * blocks over 10- and 1,000-account universes. Parallel equals sequential (receipts, logs, gas,
 * bloom, state diff) at 2 and 8 threads, repeated. The random count is CI-sized by default;
 * PEVM_STM_FULL=1 runs 5,000 seeds per universe (10,000 blocks). The seed is in every message.
 */
import { AUTO_PARALLEL_ENABLED } from "../../lib/block/policy";
import { firstDifference } from "../../lib/block/compare";
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import { buildWorkload, randomWorkload, workloadNames } from "../../lib/workloads";
import { expectParallelEqualsSequential } from "./parallel_helpers";

const full = process.env["PEVM_STM_FULL"] === "1";
const runs = Number(process.env["PEVM_STM_RUNS"] ?? "2");

describe("Block-STM on the named workloads", () => {
  for (const name of workloadNames) {
    it(`${name}: parallel equals sequential`, { timeout: 300_000 }, async () => {
      const w = buildWorkload(name, { txs: 300 });
      await expectParallelEqualsSequential(name, w.block, w.context, [2, 8], runs);
    });
  }

  it(
    "a block touching thousands of accounts (its diff built on several threads) equals sequential",
    {
      timeout: 300_000,
    },
    async () => {
      // Above BlockState's split threshold (4,096 touched accounts): with more than one thread the
      // diff is built in address ranges on the pool and concatenated.
      const w = buildWorkload("mix", { txs: 4000 });
      const r = await executeBlock(w.block, w.context, { policy: "sequential" });
      expect(r.diff.length).toBeGreaterThan(4096);
      await expectParallelEqualsSequential("mix (4000 txs)", w.block, w.context, [2, 3, 8], runs);
    },
  );

  it("independent transfers run without re-execution (fees and credits are lazy deltas)", async () => {
    const w = buildWorkload("transfers-one-recipient", { txs: 200 });
    const r = await executeBlock(w.block, w.context, { policy: "parallel", threads: 1 });
    expect(r.stm?.parallel).toBe(true);
    expect(r.stm?.reexecutions).toBe(0);
  });
});

describe("Block-STM on seeded random blocks", () => {
  for (const universe of [10, 1000]) {
    const seeds = full ? 5000 : 25;
    it(`${seeds} blocks over ${universe} accounts`, { timeout: full ? 7_200_000 : 300_000 }, async () => {
      for (let seed = 1; seed <= seeds; seed++) {
        const w = randomWorkload({ seed, universe, txs: 40 });
        await expectParallelEqualsSequential(
          `randomWorkload({seed: ${seed}, universe: ${universe}, txs: 40})`,
          w.block,
          w.context,
          [2, 8],
          full ? 1 : runs,
        );
      }
    });
  }
});

describe("executeBlock policy", () => {
  it("auto uses Block-STM only where it is measured to pay; parallel always uses it", async () => {
    const small = buildWorkload("swaps-many-pools", { txs: 4 });
    const r1 = await executeBlock(small.block, small.context, { policy: "auto", threads: 2 });
    expect(r1.stm).toBeUndefined(); // too few transactions
    const swaps = buildWorkload("swaps-many-pools", { txs: 200 });
    const r2 = await executeBlock(swaps.block, swaps.context, { policy: "auto", threads: 2 });
    expect(r2.stm?.parallel).toBe(AUTO_PARALLEL_ENABLED);
    const r3 = await executeBlock(swaps.block, swaps.context, { policy: "auto", threads: 1 });
    expect(r3.stm).toBeUndefined(); // one thread
    const transfers = buildWorkload("transfers-independent", { txs: 500 }); // 10.5 Mgas
    // 21,000 gas per transaction, below AUTO_MIN_GAS_PER_TX: not Block-STM, but transfer groups.
    const r4 = await executeBlock(transfers.block, transfers.context, { policy: "auto", threads: 2 });
    expect(r4.stm?.engine).toBe("transfer-groups");
    // Two accounts paying each other: one group, so sequential (Block-STM would not pay either).
    const pair = randomWorkload({ seed: 3, universe: 2, txs: 400, transfersOnly: true });
    const r6 = await executeBlock(pair.block, pair.context, { policy: "auto", threads: 2 });
    expect(r6.stm?.parallel).toBe(false);
    expect(r6.stm?.fallback).toMatch(/^no transfer groups: /);
    expect(firstDifference(await executeBlock(pair.block, pair.context), r6)).toBeUndefined();
    const r5 = await executeBlock(transfers.block, transfers.context, { policy: "parallel", threads: 2 });
    expect(r5.stm?.parallel).toBe(true);
  });

  it("auto runs one sender's nonce chain sequentially, and bails out of a conflicted block", async () => {
    const chain = buildWorkload("dependent-chain", { txs: 300 });
    const seqChain = await executeBlock(chain.block, chain.context, { policy: "sequential" });
    const r1 = await executeBlock(chain.block, chain.context, { policy: "auto", threads: 2 });
    expect(r1.stm?.parallel).toBe(false);
    expect(r1.stm?.fallback).toMatch(/one sender has 300 of the 300 transactions/);
    expect(firstDifference(seqChain, r1)).toBeUndefined();
    // Every swap on one pool conflicts with the one before: Block-STM gives up after a prefix
    // and the rest runs sequentially on the state the prefix committed.
    const pool = buildWorkload("swaps-one-pool", { txs: 1500 });
    const seqPool = await executeBlock(pool.block, pool.context, { policy: "sequential" });
    let bailedOut = 0;
    for (let i = 0; i < 3; i++) {
      const r2 = await executeBlock(pool.block, pool.context, { policy: "auto", threads: 8 });
      expect(firstDifference(seqPool, r2)).toBeUndefined();
      if (r2.stm?.fallback) {
        expect(r2.stm.fallback).toMatch(/^conflicts: sequential from transaction \d+$/);
        bailedOut++;
      }
    }
    expect(bailedOut).toBeGreaterThan(0);
  });

  it("rejects a bad policy or thread count", async () => {
    const w = buildWorkload("transfers-independent", { txs: 2 });
    // @ts-expect-error: not a policy
    await expect(executeBlock(w.block, w.context, { policy: "fast" })).rejects.toThrow(/policy/);
    await expect(executeBlock(w.block, w.context, { policy: "parallel", threads: 0 })).rejects.toThrow(
      /threads/,
    );
  });
});
