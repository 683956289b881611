/**
 * Blocks of plain ETH transfers: the parallel executor plans them as groups of transactions that
 * share an account and runs the groups side by side (native/state/block_transfers.hpp) instead of
 * running Block-STM. The result must be the sequential one whatever the grouping: nonce chains
 * joined by credits, recipients and the coinbase credited by several groups, zero-value transfers
 * to empty accounts (EIP-161), invalid transactions, a strict pre-state.
 */
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import type { BlockResult } from "../../lib/block/types";
import { buildWorkload, randomWorkload } from "../../lib/workloads";
import { completePreState, expectParallelEqualsSequential } from "./parallel_helpers";

const full = process.env.PEVM_STM_FULL === "1";

function comparable(r: BlockResult): Omit<BlockResult, "timings" | "stm"> {
  const { timings: _t, stm: _s, ...rest } = r;
  return rest;
}

describe("transfer groups", () => {
  it("the transfer workloads run as groups, identical to sequential", { timeout: 120_000 }, async () => {
    for (const name of ["transfers-independent", "transfers-one-recipient"] as const) {
      const w = buildWorkload(name, { txs: 3000 });
      const r = await executeBlock(w.block, w.context, { policy: "parallel", threads: 2 });
      expect(r.stm?.engine, name).toBe("transfer-groups");
      expect(r.stm?.parallel).toBe(true);
      expect(r.stm?.executions).toBe(3000);
      expect(r.stm?.reexecutions).toBe(0);
      expect(r.stm?.validations).toBe(0);
      await expectParallelEqualsSequential(name, w.block, w.context, [2, 3, 8], 2);
    }
  });

  it("its dependency graph joins each sender's transactions", async () => {
    // One sender sends two transactions among otherwise independent ones: the second depends on
    // the first, and nothing else depends on anything.
    let seed = 1;
    let w = randomWorkload({ seed, universe: 1000, txs: 60, transfersOnly: true });
    let r = await executeBlock(w.block, w.context, { policy: "parallel", threads: 2 });
    while (r.stm?.engine !== "transfer-groups" && seed < 20) {
      w = randomWorkload({ seed: ++seed, universe: 1000, txs: 60, transfersOnly: true });
      r = await executeBlock(w.block, w.context, { policy: "parallel", threads: 2 });
    }
    if (r.stm?.engine !== "transfer-groups") throw new Error("no seed below 20 is planned");
    expect(r.stm.dependencies.length, "a sender with two transactions").toBeGreaterThan(0);
    const senders = w.block.transactions.map((t) => t.sender);
    for (const [tx, dep] of r.stm.dependencies) {
      expect(dep).toBeLessThan(tx);
      const t = w.block.transactions[tx]!;
      const d = w.block.transactions[dep]!;
      // An edge joins transactions that share an owned account: a sender, or an account one
      // sends from and the other pays.
      const shared = [t.sender, t.to].some((a) => a === d.sender || (a === d.to && senders.includes(a!)));
      expect(shared, `edge ${tx} -> ${dep}`).toBe(true);
    }
  });

  for (const universe of [10, 1000]) {
    const seeds = full ? 2000 : 40;
    it(
      `${seeds} random blocks of transfers over ${universe} accounts`,
      { timeout: full ? 3_600_000 : 300_000 },
      async () => {
        let planned = 0;
        for (let seed = 1; seed <= seeds; seed++) {
          const w = randomWorkload({ seed, universe, txs: 40, transfersOnly: true });
          const r = await executeBlock(w.block, w.context, { policy: "parallel", threads: 2 });
          if (r.stm?.engine === "transfer-groups") planned++;
          await expectParallelEqualsSequential(
            `randomWorkload({seed: ${seed}, universe: ${universe}, txs: 40, transfersOnly: true})`,
            w.block,
            w.context,
            [2, 8],
            1,
          );
        }
        // Over 1,000 accounts most blocks split into many groups. Over 10, senders paying each
        // other join nearly everything into one group: Block-STM runs those blocks.
        if (universe === 1000) expect(planned, "blocks run as transfer groups").toBeGreaterThan(seeds / 2);
      },
    );
  }

  it("an invalid transaction in one group gives the sequential error", async () => {
    const w = buildWorkload("transfers-independent", { txs: 2000 });
    for (const [at, patch] of [
      [1500, { nonce: 5n }],
      [700, { value: 10n ** 30n }],
    ] as const) {
      const txs = w.block.transactions.map((t, i) => (i === at ? { ...t, ...patch } : t));
      const block = { ...w.block, transactions: txs };
      const seq = await executeBlock(block, w.context).catch((e: Error) => e);
      expect(seq).toBeInstanceOf(Error);
      await expectParallelEqualsSequential(`transaction ${at} patched`, block, w.context, [2, 8], 2);
    }
    // The workers carry on: the unpatched block runs as groups again.
    const r = await executeBlock(w.block, w.context, { policy: "parallel", threads: 2 });
    expect(r.stm?.engine).toBe("transfer-groups");
  });

  it("a strict pre-state: planned when it lists every account, the sequential error otherwise", async () => {
    const w = buildWorkload("transfers-independent", { txs: 500 });
    const pre = completePreState(w.block, w.context);
    const strict = { missingState: "error" } as const;
    const seq = await executeBlock(w.block, { ...w.context, pre }, strict);
    const par = await executeBlock(
      w.block,
      { ...w.context, pre },
      { ...strict, policy: "parallel", threads: 2 },
    );
    expect(par.stm?.engine).toBe("transfer-groups");
    expect(comparable(par)).toEqual(comparable(seq));

    pre.delete(w.block.transactions[321]!.to!);
    const message = async (p: Promise<unknown>) =>
      p.then(
        () => "resolved",
        (e: Error) => `${e.name}: ${e.message}`,
      );
    const seqErr = await message(executeBlock(w.block, { ...w.context, pre }, strict));
    expect(seqErr).toMatch(/MissingStateError/);
    for (const threads of [2, 8])
      expect(
        await message(
          executeBlock(w.block, { ...w.context, pre }, { ...strict, policy: "parallel", threads }),
        ),
      ).toBe(seqErr);
  });

  it("a block whose fee recipient sends is not planned (every transaction pays it)", async () => {
    for (let seed = 1; seed < 200; seed++) {
      const w = randomWorkload({ seed, universe: 1000, txs: 40, transfersOnly: true });
      if (!w.block.transactions.some((t) => t.sender === w.block.header.coinbase)) continue;
      const r = await executeBlock(w.block, w.context, { policy: "parallel", threads: 2 });
      expect(r.stm?.engine).toBe("block-stm");
      return;
    }
    throw new Error("no seed below 200 has the coinbase sending");
  });
});
