/**
 * The parallelism profile of a block, from the dependency graph Block-STM actually observed: each
 * transaction weighs the gas it used, and an edge (tx, earlier) means tx's final incarnation read
 * a write of `earlier`. The heaviest path through that graph is the critical path: no schedule on
 * any number of threads finishes before it, so total / max(critical, total / k) bounds the speedup
 * on k threads.
 */
import type { BlockResult } from "./types";

export interface ParallelismProfile {
  totalGas: bigint;
  criticalPathGas: bigint;
  /** The transactions on the critical path, in block order. */
  criticalPathTxs: number;
  /** The speedup the critical path allows on 2, 4, 8, 16 and 32 threads. */
  bounds: { threads: number; speedup: number }[];
}

/** Undefined when the result carries no Block-STM dependency graph (a sequential run). */
export function parallelismProfile(result: BlockResult): ParallelismProfile | undefined {
  const stm = result.stm;
  if (!stm || !stm.parallel) return undefined;
  const n = result.receipts.length;
  const gas = result.receipts.map((r) => r.gasUsed);
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (const [tx, earlier] of stm.dependencies) if (tx < n && earlier < tx) preds[tx]!.push(earlier);
  const finish: bigint[] = new Array<bigint>(n).fill(0n);
  const length: number[] = new Array<number>(n).fill(0);
  let critical = 0n;
  let criticalTxs = 0;
  for (let i = 0; i < n; i++) {
    let start = 0n;
    let chain = 0;
    for (const p of preds[i]!) {
      if (finish[p]! > start) {
        start = finish[p]!;
        chain = length[p]!;
      }
    }
    finish[i] = start + gas[i]!;
    length[i] = chain + 1;
    if (finish[i]! > critical) {
      critical = finish[i]!;
      criticalTxs = length[i]!;
    }
  }
  const total = gas.reduce((a, g) => a + g, 0n);
  const bounds = [2, 4, 8, 16, 32].map((k) => {
    const ideal = Number(total) / k;
    const floor = Math.max(Number(critical), ideal);
    return { threads: k, speedup: floor > 0 ? Number(total) / floor : 1 };
  });
  return { totalGas: total, criticalPathGas: critical, criticalPathTxs: criticalTxs, bounds };
}

export function formatProfile(p: ParallelismProfile): string {
  const share = p.totalGas > 0n ? (Number(p.criticalPathGas) / Number(p.totalGas)) * 100 : 0;
  return (
    `critical path ${p.criticalPathGas} gas over ${p.criticalPathTxs} txs (${share.toFixed(1)}% of the block); ` +
    `speedup bound: ${p.bounds.map((b) => `${b.threads}t ${b.speedup.toFixed(1)}x`).join(", ")}`
  );
}
