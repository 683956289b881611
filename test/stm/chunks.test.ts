/**
 * Optimistic chunks (PEVM_ENGINE=chunks, an experiment: native/state/block_chunks.hpp): the block
 * cut into one contiguous run per thread, each run over the pre-state with its reads logged, then
 * checked in block order and run again where an earlier run changed what a transaction read. The
 * result must be the sequential one whatever conflicts: the named workloads (hot pools, one
 * sender's chain), seeded random blocks, the mainnet blocks, invalid transactions.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import { loadMainnetBlock, openMainnetFixture } from "../../lib/block/fixture";
import { buildWorkload, randomWorkload } from "../../lib/workloads";
import { requireSharedData, sharedDataDir, skipSharedData } from "../helpers/fixtures";
import { completePreState, expectParallelEqualsSequential } from "./parallel_helpers";

const full = process.env.PEVM_STM_FULL === "1";

describe("optimistic chunks", () => {
  const before = process.env.PEVM_ENGINE;
  beforeAll(() => {
    process.env.PEVM_ENGINE = "chunks";
  });
  afterAll(() => {
    if (before === undefined) delete process.env.PEVM_ENGINE;
    else process.env.PEVM_ENGINE = before;
  });

  it("the workloads run as chunks, identical to sequential", { timeout: 300_000 }, async () => {
    for (const name of [
      "erc20-independent",
      "swaps-many-pools",
      "swaps-one-pool",
      "dependent-chain",
      "mix",
    ] as const) {
      const w = buildWorkload(name, { txs: 800 });
      const r = await executeBlock(w.block, w.context, { policy: "parallel", threads: 2 });
      expect(r.stm?.engine, name).toBe("chunks");
      expect(r.stm?.parallel).toBe(true);
      expect(r.stm?.fallback).toBe("");
      if (name === "erc20-independent" || name === "swaps-many-pools")
        expect(r.stm?.reexecutions, `${name}: nothing the second chunk read was written before it`).toBe(0);
      // One sender's chain and one pool: every transaction of the second chunk read what the
      // first changed, and ran again.
      if (name === "dependent-chain" || name === "swaps-one-pool")
        expect(r.stm?.reexecutions, name).toBeGreaterThan(0);
      await expectParallelEqualsSequential(name, w.block, w.context, [2, 3, 8], 1);
    }
  });

  for (const universe of [10, 1000]) {
    const seeds = full ? 2000 : 40;
    it(`${seeds} random blocks over ${universe} keys`, { timeout: full ? 7_200_000 : 300_000 }, async () => {
      let chunked = 0;
      let ranAgain = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        // Longer blocks now and then: longer chunks, more of what one wrote read by the next.
        const txs = seed % 4 === 0 ? 200 : 40;
        const w = randomWorkload({ seed, universe, txs });
        const r = await executeBlock(w.block, w.context, { policy: "parallel", threads: 2 });
        if (r.stm?.engine === "chunks") chunked++;
        ranAgain += r.stm?.reexecutions ?? 0;
        await expectParallelEqualsSequential(
          `randomWorkload({seed: ${seed}, universe: ${universe}, txs: ${txs}}) as chunks`,
          w.block,
          w.context,
          [2, 8],
          1,
        );
      }
      expect(chunked, "blocks run as chunks").toBeGreaterThan(seeds / 2);
      expect(ranAgain, "transactions run again").toBeGreaterThan(0);
    });
  }

  it("an invalid transaction gives the sequential error, wherever it is", async () => {
    const w = buildWorkload("erc20-independent", { txs: 600 });
    for (const [at, patch] of [
      [100, { nonce: 5n }],
      [450, { nonce: 5n }],
      [500, { maxFeePerGas: 10n ** 40n, maxPriorityFeePerGas: 1n }],
    ] as const) {
      const txs = w.block.transactions.map((t, i) => (i === at ? { ...t, ...patch } : t));
      const block = { ...w.block, transactions: txs };
      const seq = await executeBlock(block, w.context).catch((e: Error) => e);
      expect(seq, `transaction ${at} patched`).toBeInstanceOf(Error);
      await expectParallelEqualsSequential(`transaction ${at} patched`, block, w.context, [2, 8], 1);
    }
    // A transaction invalid where its chunk ran it but valid in order: a second transaction of
    // a sender whose first one is in the chunk before.
    const sender = w.block.transactions[10]!.sender!;
    const moved = w.block.transactions.map((t, i) => (i === 550 ? { ...t, sender, nonce: t.nonce + 1n } : t));
    const block = { ...w.block, transactions: moved };
    const both = await executeBlock(block, w.context, { policy: "parallel", threads: 2 });
    expect(both.stm?.engine).toBe("chunks");
    expect(both.stm?.reexecutions).toBeGreaterThan(0);
    await expectParallelEqualsSequential("a sender in both chunks", block, w.context, [2, 8], 1);
    // The workers carry on.
    const r = await executeBlock(w.block, w.context, { policy: "parallel", threads: 2 });
    expect(r.stm?.engine).toBe("chunks");
  });

  it("a strict pre-state: transfer groups come first; a miss in a chunk gives the sequential error", async () => {
    const strict = { missingState: "error", policy: "parallel", threads: 2 } as const;
    const w = buildWorkload("transfers-independent", { txs: 40 });
    const r = await executeBlock(
      w.block,
      { ...w.context, pre: completePreState(w.block, w.context) },
      strict,
    );
    expect(r.stm?.engine).toBe("transfer-groups");
    // The ERC-20 workload's pre-state lacks the recipients' balance slots: the misses are noted
    // from several threads at once, and the sequential loop reports the first.
    const e = buildWorkload("erc20-independent", { txs: 200 });
    const context = { ...e.context, pre: completePreState(e.block, e.context) };
    const message = async (p: Promise<unknown>) =>
      p.then(
        () => "resolved",
        (err: Error) => `${err.name}: ${err.message}`,
      );
    const seqErr = await message(executeBlock(e.block, context, { missingState: "error" }));
    expect(seqErr).toMatch(/MissingStateError/);
    for (const threads of [2, 8])
      expect(await message(executeBlock(e.block, context, { ...strict, threads }))).toBe(seqErr);
  });

  const skip = skipSharedData("mainnet blocks");
  it.skipIf(skip)("the mainnet blocks, identical to sequential", { timeout: 1_800_000 }, async () => {
    requireSharedData();
    const fx = openMainnetFixture(path.join(sharedDataDir, "mainnet"));
    for (const n of fx.numbers) {
      const { block, context } = loadMainnetBlock(fx, n);
      await expectParallelEqualsSequential(`block ${n} as chunks`, block, context, [2, 8], 1);
    }
  });
});
