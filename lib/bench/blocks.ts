/**
 * Block benchmark: the same block executed sequentially and with Block-STM at several thread
 * counts in one run, median of N runs each, native execution time only (decoding, marshalling and
 * sender recovery are the same for both and are excluded). Every parallel result is compared with
 * the sequential one (receipts, logs, gas, bloom, state diff).
 */
import { clearCodeAnalysisCache } from "../analysis-cache";
import { native } from "../binding";
import { executeBlock } from "../block/execute";
import { firstDifference } from "../block/compare";
import { loadMainnetBlock, openMainnetFixture } from "../block/fixture";
import type { Block, BlockContext, BlockResult } from "../block/types";
import { encodeBlockRequest } from "../block/wire";
import { awaitNative, callNative } from "../errors";
import { buildWorkload, type WorkloadName } from "../workloads/index";

export interface BlockBenchCase {
  /** A workload name or a block number. */
  workload: string;
  block: Block;
  context: BlockContext;
}

export interface BlockBenchRow {
  workload: string;
  threads: number;
  txs: number;
  gas: string;
  sequentialMs: number;
  parallelMs: number;
  speedup: number;
  identical: boolean;
  /** The first difference from sequential, when not identical. */
  difference?: string;
  reexecutions: number;
  validationAborts: number;
  estimateWaits: number;
  /** The parallel run fell back to sequential execution (and why), else "". */
  fallback: string;
  /** What ran the last parallel run's transactions: Block-STM, transfer groups (a block of plain
   *  transfers, native/state/block_transfers.hpp), or the sequential executor. */
  engine: "block-stm" | "transfer-groups" | "chunks" | "sequential";
  /**
   * With the ceiling measured: `threads` sequential executions of the block at once, each on its
   * own copy, against one alone (threads x its time / the slowest copy's). The speedup that this
   * machine allowed at the time of the run for perfectly parallel work with nothing shared: the
   * bound for `speedup`, which on a shared machine moves from minute to minute.
   */
  ceiling?: number;
}

/** `copies` sequential executions of a block request at once (see BlockBenchRow.ceiling): the slowest's ms. */
async function slowestCopyMs(request: Uint8Array, copies: number): Promise<number> {
  const ms = await awaitNative(callNative(() => native().executeBlockCopies(request, copies)));
  return Math.max(...ms);
}

export function syntheticCases(names: readonly WorkloadName[], txs?: number): BlockBenchCase[] {
  return names.map((name) => {
    const w = buildWorkload(name, txs === undefined ? {} : { txs });
    return { workload: name, block: w.block, context: w.context };
  });
}

/** The blocks of a mainnet-format fixture folder whose gas used is at least `minGas`. */
export function fixtureCases(dir: string, minGas = 0n, only?: bigint): BlockBenchCase[] {
  const fx = openMainnetFixture(dir);
  const out: BlockBenchCase[] = [];
  for (const n of fx.numbers) {
    if (only !== undefined && n !== only) continue;
    const { block, context } = loadMainnetBlock(fx, n);
    if (block.header.gasUsed < minGas) continue;
    out.push({ workload: n.toString(), block, context });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

type ParallelPolicy = "parallel" | "auto";

/**
 * Runs each case sequentially and with `policy` at each thread count; `progress` is told of each
 * row. The runs alternate (sequential, then each thread count, `runs` times over, after one
 * warm-up round), so that a machine whose speed drifts affects both sides of a ratio alike. With
 * `firstRun`, the code-analysis cache is emptied before every run, so each one analyses the codes
 * it calls as a block's first run in a process does (the memory of the analyses is reused from
 * the run before, so a fresh process's page faults on it are not in the figure).
 */
export async function benchBlocks(
  cases: BlockBenchCase[],
  threads: number[],
  runs: number,
  progress: (row: BlockBenchRow) => void = () => {},
  policy: ParallelPolicy = "parallel",
  ceiling = false,
  firstRun = false,
): Promise<BlockBenchRow[]> {
  const fresh = (): void => {
    if (firstRun) clearCodeAnalysisCache();
  };
  const rows: BlockBenchRow[] = [];
  for (const c of cases) {
    const seqTimes: number[] = [];
    const seqResults: BlockResult[] = [];
    const parTimes = threads.map((): number[] => []);
    const parResults = threads.map((): BlockResult[] => []);
    const copyTimes = threads.map((): number[] => []);
    // Encoded once (not into the shared scratch buffer, which every executeBlock reuses).
    const copiesRequest = ceiling
      ? encodeBlockRequest(c.block, c.context, { policy: "sequential" })
      : undefined;
    for (let round = -1; round < runs; round++) {
      fresh();
      const s = await executeBlock(c.block, c.context, { policy: "sequential" });
      if (round >= 0) {
        seqTimes.push(s.timings.executeMs);
        seqResults.push(s);
      }
      for (let i = 0; i < threads.length; i++) {
        fresh();
        const p = await executeBlock(c.block, c.context, { policy, threads: threads[i]! });
        if (round < 0) continue; // warm-up: caches, pool threads
        parTimes[i]!.push(p.timings.executeMs);
        parResults[i]!.push(p);
      }
      if (copiesRequest !== undefined && round >= 0)
        for (let i = 0; i < threads.length; i++) {
          fresh();
          copyTimes[i]!.push(await slowestCopyMs(copiesRequest, threads[i]!));
        }
    }
    const oracle = seqResults[0]!;
    const seqMs = median(seqTimes);
    for (let i = 0; i < threads.length; i++) {
      const t = threads[i]!;
      const par = parResults[i]!;
      const parMs = median(parTimes[i]!);
      let difference: string | undefined;
      for (const r of [...seqResults.slice(1), ...par]) {
        difference = firstDifference(oracle, r);
        if (difference) break;
      }
      const stm = par[0]!.stm;
      const row: BlockBenchRow = {
        workload: c.workload,
        threads: t,
        txs: c.block.transactions.length,
        gas: oracle.gasUsed.toString(),
        sequentialMs: seqMs,
        parallelMs: parMs,
        speedup: parMs > 0 ? seqMs / parMs : 0,
        identical: difference === undefined,
        ...(difference !== undefined ? { difference } : {}),
        reexecutions: median(par.map((r) => r.stm?.reexecutions ?? 0)),
        validationAborts: median(par.map((r) => r.stm?.validationAborts ?? 0)),
        estimateWaits: median(par.map((r) => r.stm?.estimateWaits ?? 0)),
        engine: stm === undefined || !stm.parallel ? "sequential" : stm.engine,
        fallback:
          stm === undefined
            ? policy === "auto"
              ? "auto: sequential"
              : "no Block-STM metrics"
            : stm.parallel && stm.fallback === ""
              ? ""
              : stm.fallback,
        ...(ceiling ? { ceiling: (t * seqMs) / median(copyTimes[i]!) } : {}),
      };
      rows.push(row);
      progress(row);
    }
  }
  return rows;
}

export function formatBlockBench(rows: BlockBenchRow[]): string {
  const w = Math.max(8, ...rows.map((r) => r.workload.length));
  const withCeiling = rows.some((r) => r.ceiling !== undefined);
  const head = `${"workload".padEnd(w)}  threads    txs        gas   seq ms   par ms  speedup${
    withCeiling ? "  ceiling" : ""
  }  identical  re-exec`;
  const times = (x: number): string => (x.toFixed(2) + "x").padStart(7);
  const lines = rows.map(
    (r) =>
      `${r.workload.padEnd(w)}  ${String(r.threads).padStart(7)}  ${String(r.txs).padStart(5)}  ${r.gas.padStart(
        9,
      )}  ${r.sequentialMs.toFixed(1).padStart(7)}  ${r.parallelMs.toFixed(1).padStart(7)}  ${times(r.speedup)}${
        withCeiling ? "  " + (r.ceiling === undefined ? "-".padStart(7) : times(r.ceiling)) : ""
      }  ${(r.identical ? "yes" : "NO").padStart(9)}  ${String(r.reexecutions).padStart(7)}${
        r.fallback
          ? `  (fell back: ${r.fallback})`
          : r.engine === "transfer-groups"
            ? "  (transfer groups)"
            : r.engine === "chunks"
              ? "  (chunks)"
              : ""
      }${r.difference ? `  first difference: ${r.difference}` : ""}`,
  );
  return [head, ...lines].join("\n");
}
