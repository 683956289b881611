/**
 * The Block-STM metrics of one block (executeBlock in parallel mode), decoded from the trailer the
 * native side appends to the result (layout in native/addon/block_stm_metrics.hpp).
 */
const MAGIC = 0x314d5453; // "STM1"

export interface BlockStmMetrics {
  /** The transactions ran on Block-STM (false: the block fell back to sequential execution). */
  parallel: boolean;
  /**
   * How the transactions ran in parallel: `block-stm`, or `transfer-groups` for a block of plain
   * ETH transfers, whose dependencies are known before execution: each group of transactions that
   * share an account ran on one thread, in block order (native/state/block_transfers.hpp). Then
   * there are no validations or re-executions, and `dependencies` is the plan's graph. `chunks`
   * (only with `PEVM_ENGINE=chunks`, an experiment): contiguous runs of the block on the threads,
   * each later run's transactions checked in block order against what the runs before them
   * wrote and run again where that changed what they read (native/state/block_chunks.hpp);
   * `reexecutions` counts those, and `dependencies` is how the transactions ran.
   */
  engine: "block-stm" | "transfer-groups" | "chunks";
  /** Why the block fell back to sequential execution ("" when it did not). */
  fallback: string;
  threads: number;
  executions: number;
  reexecutions: number;
  validations: number;
  validationAborts: number;
  estimateWaits: number;
  /** Thread time summed over workers. */
  executionMs: number;
  validationMs: number;
  /** Rolling commits during the run (thread time summed over workers) and the final pass after it. */
  commitMs: number;
  /** Thread time the workers had nothing to do (all remaining work was in other workers' hands). */
  idleMs: number;
  /** Wall clock of the parallel phase. */
  totalMs: number;
  /** The dependency edges observed: [tx, earlier tx whose writes its final incarnation read]. */
  dependencies: [number, number][];
  /**
   * Where the run lost work, the costliest first (at most 256): the location of each validation
   * that aborted an incarnation (its first read that no longer held) and of each execution
   * suspended on an ESTIMATE. `aborts` over all sites sums to validationAborts (when no more than
   * 256 sites); waits on a sender's previous transaction name no location and are not here.
   */
  conflicts: StmConflictSite[];
}

/** One location of a block's conflicts (BlockStmMetrics.conflicts). */
export interface StmConflictSite {
  /** account: nonce, code, existence or storage emptiness; existence: the fee recipient's alone. */
  kind: "account" | "balance" | "storage" | "existence";
  /** 0x-prefixed, lowercase. */
  address: string;
  /** The storage slot (kind "storage"), 0x-prefixed 32 bytes. */
  slot?: string;
  aborts: number;
  waits: number;
}

const ENGINES = ["block-stm", "transfer-groups", "chunks"] as const;
const SITE_KINDS = ["account", "balance", "storage", "existence"] as const;

/** A site as one short line: `storage 0xabc…:0x00…05`, `balance 0xabc…`. */
export function formatConflictSite(c: StmConflictSite): string {
  const where = c.slot !== undefined ? `${c.address} slot ${c.slot}` : c.address;
  const counts = [c.aborts > 0 ? `${c.aborts} aborts` : "", c.waits > 0 ? `${c.waits} waits` : ""]
    .filter((x) => x !== "")
    .join(", ");
  return `${c.kind} ${where}: ${counts}`;
}

/** Splits a parallel-mode result into the plain result and its metrics. */
export function splitStmMetrics(raw: Uint8Array): { result: Uint8Array; metrics: BlockStmMetrics } {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const end = buf.length;
  if (end < 8 || buf.readUInt32LE(end - 4) !== MAGIC) throw new Error("Block-STM metrics trailer missing");
  const len = buf.readUInt32LE(end - 8);
  const start = end - 8 - len;
  let p = start;
  const parallel = buf[p++] === 1;
  const engine = ENGINES[buf[p++]!];
  if (engine === undefined) throw new Error(`Block-STM metrics: unknown engine ${buf[p - 1]}`);
  const n = buf[p++]!;
  const fallback = buf.toString("utf8", p, p + n);
  p += n;
  const threads = buf.readUInt32LE(p);
  p += 4;
  const u64 = (): number => {
    const v = Number(buf.readBigUInt64LE(p));
    p += 8;
    return v;
  };
  const [executions, reexecutions, validations, validationAborts, estimateWaits] = [
    u64(),
    u64(),
    u64(),
    u64(),
    u64(),
  ];
  const [executionMs, validationMs, commitMs, idleMs, totalMs] = [
    u64() / 1e6,
    u64() / 1e6,
    u64() / 1e6,
    u64() / 1e6,
    u64() / 1e6,
  ];
  const edges = buf.readUInt32LE(p);
  p += 4;
  const dependencies: [number, number][] = [];
  for (let i = 0; i < edges; i++, p += 8) dependencies.push([buf.readUInt32LE(p), buf.readUInt32LE(p + 4)]);
  const sites = buf.readUInt32LE(p);
  p += 4;
  const conflicts: StmConflictSite[] = [];
  for (let i = 0; i < sites; i++, p += 61) {
    const kind = SITE_KINDS[buf[p]!];
    if (kind === undefined) throw new Error(`Block-STM metrics: unknown conflict kind ${buf[p]}`);
    const site: StmConflictSite = {
      kind,
      address: "0x" + buf.toString("hex", p + 1, p + 21),
      aborts: buf.readUInt32LE(p + 53),
      waits: buf.readUInt32LE(p + 57),
    };
    if (kind === "storage") site.slot = "0x" + buf.toString("hex", p + 21, p + 53);
    conflicts.push(site);
  }
  return {
    result: raw.subarray(0, start),
    metrics: {
      parallel,
      engine,
      fallback,
      threads,
      executions,
      reexecutions,
      validations,
      validationAborts,
      estimateWaits,
      executionMs,
      validationMs,
      commitMs,
      idleMs,
      totalMs,
      dependencies,
      conflicts,
    },
  };
}
