/** Shared by the parallel == sequential tests: run a block both ways and compare everything. */
import { expect } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import type { Block, BlockContext, BlockResult } from "../../lib/block/types";

const EMPTY = new Uint8Array(0);

/** The result without its timings (the only part allowed to differ). */
function comparable(r: BlockResult): Omit<BlockResult, "timings" | "stm"> {
  const { timings: _t, stm: _s, ...rest } = r;
  return rest;
}

type Settled = { ok: true; value: Omit<BlockResult, "timings" | "stm"> } | { ok: false; error: string };

// A safety net of the engine, never expected to catch anything: the rolling commit applied an
// incarnation that was not the final one, and the block was run again sequentially. Hidden by
// the comparison (the fallback's result is right), so checked on its own.
const COMMIT_MISMATCH = "rolling commit saw a non-final result";

async function settle(p: Promise<BlockResult>): Promise<Settled> {
  try {
    const r = await p;
    expect(r.stm?.fallback ?? "", "Block-STM's rolling commit").not.toBe(COMMIT_MISMATCH);
    return { ok: true, value: comparable(r) };
  } catch (e) {
    const err = e as Error & { code?: string };
    return { ok: false, error: `${err.name} ${err.code ?? ""} ${err.message}` };
  }
}

/** Runs `block` sequentially once and in parallel `runs` times at each thread count; expects
 *  identical outcomes (receipts, logs, gas, bloom, state diff, or the same error). */
export async function expectParallelEqualsSequential(
  label: string,
  block: Block,
  context: BlockContext,
  threads: number[] = [2, 8],
  runs = 2,
): Promise<void> {
  const seq = await settle(executeBlock(block, context, { policy: "sequential" }));
  for (const t of threads) {
    for (let i = 0; i < runs; i++) {
      const par = await settle(executeBlock(block, context, { policy: "parallel", threads: t }));
      expect(par, `${label}: parallel (${t} threads, run ${i}) differs from sequential`).toEqual(seq);
    }
  }
}

/**
 * `context.pre` plus an empty entry for each account a workload's block touches that the workload
 * leaves out (recipients, the coinbase, the beacon-roots system contract, whose call then does
 * nothing): a pre-state complete enough for `missingState: "error"`.
 */
export function completePreState(block: Block, context: BlockContext): BlockContext["pre"] {
  const pre = new Map(context.pre);
  const touched = [
    ...block.transactions.flatMap((t) => (t.to ? [t.to] : [])),
    block.header.coinbase,
    "0x000f3df6d732807ef1319fb7b8bb8522d0beac02",
  ];
  for (const a of touched)
    if (!pre.has(a)) pre.set(a, { balance: 0n, nonce: 0n, code: EMPTY, storage: new Map() });
  return pre;
}
