/**
 * Block-STM engine tests with the mock VM (native/stm/mock_vm.hpp): parallel execution must equal
 * sequential execution byte for byte (per-transaction outputs and final state), at 1, 2, 4 and 8
 * threads, repeated, over seeded random blocks on a 10-key and a 1,000-key universe, plus
 * hand-made workloads (a fully dependent chain, all-independent, all paying one recipient).
 *
 * CI size (default): 200 random blocks per universe. Full acceptance run (10,000 blocks):
 *   PEVM_STM_FULL=1 npx vitest run test/stm
 * A failure prints the block's seed; replay it (it becomes the first block) with:
 *   PEVM_SEED=<seed> npx vitest run test/stm
 * Under ThreadSanitizer / ASan: npm run test:tsan -- test/stm ; npm run test:asan -- test/stm
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { native } from "../../lib/binding";
import { Random } from "../helpers/random";

interface StmMetrics {
  threads: number;
  executions: number;
  reexecutions: number;
  validations: number;
  validationAborts: number;
  estimateWaits: number;
  executionMs: number;
  validationMs: number;
  commitMs: number;
  idleMs: number;
  totalMs: number;
  dependencies: number[][];
  /** Where validations aborted and executions waited (the engine's per-location count). */
  conflicts: { key: number; aborts: number; waits: number }[];
}
interface StmResult {
  finalState: Uint8Array;
  perTxOutputs: Uint8Array;
  metrics: StmMetrics;
}
interface StmBinding {
  stmRunMockBlock(block: Uint8Array, threads: number, mode: "parallel" | "sequential"): Promise<StmResult>;
  stmPoolInfo(): { poolThreads: number; defaultThreads: number };
  stmPoolPlacement(threads: number, ms: number): [number, number][];
}
const stm = () => native() as unknown as StmBinding;

// ---- the mock block format (see native/stm/mock_vm.hpp) -----------------------------------------

const enum Kind {
  Read = 0,
  Write = 1,
  Delta = 2,
  WriteIfOdd = 3,
  ReadIndirect = 4,
  Yield = 5,
}
type Op = { kind: Kind; key: number; amount?: bigint };
type Tx = { work: number; ops: Op[] };

function encode(txs: Tx[]): Uint8Array {
  let size = 4;
  for (const tx of txs) {
    size += 6;
    for (const op of tx.ops) size += op.kind === Kind.Delta ? 13 : 5;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  view.setUint32(at, txs.length, true);
  at += 4;
  for (const tx of txs) {
    view.setUint32(at, tx.work, true);
    view.setUint16(at + 4, tx.ops.length, true);
    at += 6;
    for (const op of tx.ops) {
      view.setUint8(at, op.kind);
      view.setUint32(at + 1, op.key, true);
      at += 5;
      if (op.kind === Kind.Delta) {
        view.setBigUint64(at, op.amount ?? 0n, true);
        at += 8;
      }
    }
  }
  return out;
}

/** The final state as a map key -> 32-byte value (hex). */
function decodeState(bytes: Uint8Array): Map<number, string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  const out = new Map<number, string>();
  for (let i = 0, at = 4; i < count; i++, at += 36) {
    out.set(view.getUint32(at, true), Buffer.from(bytes.subarray(at + 4, at + 36)).toString("hex"));
  }
  return out;
}

function randomBlock(rng: Random, keys: number, maxTxs: number): Tx[] {
  const txs: Tx[] = [];
  const n = 1 + rng.int(maxTxs);
  for (let i = 0; i < n; i++) {
    const ops: Op[] = [];
    const count = 1 + rng.int(8);
    for (let j = 0; j < count; j++) {
      const r = rng.int(100);
      const key = rng.int(keys);
      if (r < 35) ops.push({ kind: Kind.Read, key });
      else if (r < 60) ops.push({ kind: Kind.Write, key });
      else if (r < 80) ops.push({ kind: Kind.Delta, key, amount: rng.next64() >> BigInt(rng.int(64)) });
      else if (r < 88) ops.push({ kind: Kind.WriteIfOdd, key });
      else if (r < 96) ops.push({ kind: Kind.ReadIndirect, key: 1 + rng.int(keys) });
      else ops.push({ kind: Kind.Yield, key: 0 }); // interleavings even on a loaded machine
    }
    txs.push({ work: rng.int(4) === 0 ? 0 : rng.int(3000), ops });
  }
  return txs;
}

const THREADS = [1, 2, 4, 8];
const full = process.env["PEVM_STM_FULL"] === "1";
const blocksPerUniverse = full ? 5_000 : 200;
const baseSeed = process.env["PEVM_SEED"] ? BigInt(process.env["PEVM_SEED"]) : 0x5eed_0000_0000n;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/** The keys a block's transactions write (the only places a conflict can happen). */
function writtenKeys(block: Uint8Array): Set<number> {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const keys = new Set<number>();
  let at = 4;
  for (let i = view.getUint32(0, true); i > 0; i--) {
    let ops = view.getUint16(at + 4, true);
    at += 6;
    for (; ops > 0; ops--) {
      const kind = view.getUint8(at);
      if (kind === Kind.Write || kind === Kind.Delta || kind === Kind.WriteIfOdd)
        keys.add(view.getUint32(at + 1, true));
      at += kind === Kind.Delta ? 13 : 5;
    }
  }
  return keys;
}

/**
 * The conflict sites of a parallel run account for every abort and every wait (the mock declares
 * no dependencies, so every wait is on an ESTIMATE), each at a key some transaction writes.
 */
function checkConflictSites(run: StmResult, written: Set<number>, label: string): void {
  const m = run.metrics;
  let aborts = 0;
  let waits = 0;
  for (const c of m.conflicts) {
    if (!written.has(c.key))
      throw new Error(`${label}: conflict at key ${c.key}, which no transaction writes`);
    expect(c.aborts + c.waits).toBeGreaterThan(0);
    aborts += c.aborts;
    waits += c.waits;
  }
  if (aborts !== m.validationAborts || waits !== m.estimateWaits)
    throw new Error(
      `${label}: conflict sites count ${aborts} aborts and ${waits} waits, ` +
        `the metrics ${m.validationAborts} and ${m.estimateWaits}`,
    );
  expect(new Set(m.conflicts.map((c) => c.key)).size).toBe(m.conflicts.length);
}

/** Runs `block` sequentially and in parallel at every thread count (`repeat` times each). */
async function checkIdentical(block: Uint8Array, label: string, repeat = 1): Promise<StmResult[]> {
  const written = writtenKeys(block);
  const seq = await stm().stmRunMockBlock(block, 1, "sequential");
  const runs: StmResult[] = [];
  for (let r = 0; r < repeat; r++) {
    for (const threads of THREADS) {
      const par = await stm().stmRunMockBlock(block, threads, "parallel");
      if (!sameBytes(par.perTxOutputs, seq.perTxOutputs) || !sameBytes(par.finalState, seq.finalState)) {
        throw new Error(`${label}: parallel (${threads} threads) differs from sequential`);
      }
      expect(par.metrics.threads).toBe(threads);
      expect(par.metrics.dependencies.length).toBe(seq.metrics.dependencies.length);
      checkConflictSites(par, written, `${label} at ${threads} threads`);
      runs.push(par);
    }
  }
  return runs;
}

async function randomSuite(keys: number, maxTxs: number, seedOffset: bigint): Promise<void> {
  for (let i = 0; i < blocksPerUniverse; i++) {
    const seed = baseSeed + seedOffset + BigInt(i);
    const block = encode(randomBlock(new Random(seed), keys, maxTxs));
    await checkIdentical(block, `block seed ${seed} (replay: PEVM_SEED=${seed - seedOffset})`, full ? 1 : 2);
  }
}

describe("Block-STM with the mock VM: parallel == sequential", () => {
  it(
    `random blocks over a 10-key universe (${blocksPerUniverse} blocks)`,
    { timeout: 3_600_000 },
    async () => {
      await randomSuite(10, 100, 0n);
    },
  );

  it(
    `random blocks over a 1,000-key universe (${blocksPerUniverse} blocks)`,
    { timeout: 3_600_000 },
    async () => {
      await randomSuite(1000, 200, 1_000_000n);
    },
  );

  it("a fully dependent chain", async () => {
    const txs: Tx[] = Array.from({ length: 300 }, () => ({
      work: 500,
      ops: [
        { kind: Kind.Read, key: 7 },
        { kind: Kind.Write, key: 7 },
      ],
    }));
    const runs = await checkIdentical(encode(txs), "dependent chain", 3);
    for (const run of runs) {
      // Every transaction's final incarnation read its predecessor's write.
      run.metrics.dependencies.forEach((deps, i) => expect(deps).toEqual(i === 0 ? [] : [i - 1]));
      // Whatever was lost was lost on the one key.
      for (const c of run.metrics.conflicts) expect(c.key).toBe(7);
      // Thread times are summed over workers: none exceeds the workers' share of the wall clock.
      const m = run.metrics;
      for (const ms of [m.executionMs, m.validationMs, m.idleMs]) {
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(m.threads * m.totalMs + 1);
      }
    }
  });

  it("all-independent transactions never re-execute", async () => {
    const txs: Tx[] = Array.from({ length: 500 }, (_, i) => ({
      work: 300,
      ops: [
        { kind: Kind.Read, key: 2 * i },
        { kind: Kind.Write, key: 2 * i },
        { kind: Kind.Write, key: 2 * i + 1 },
      ],
    }));
    for (const run of await checkIdentical(encode(txs), "independent", 3)) {
      expect(run.metrics.reexecutions).toBe(0);
      expect(run.metrics.validationAborts).toBe(0);
      expect(run.metrics.executions).toBe(500);
      expect(run.metrics.dependencies.every((d) => d.length === 0)).toBe(true);
    }
  });

  it("all paying one recipient (and a coinbase) via deltas: no re-execution", async () => {
    const recipient = 1_000_000;
    const coinbase = 1_000_001;
    const txs: Tx[] = Array.from({ length: 500 }, (_, i) => ({
      work: 300,
      ops: [
        { kind: Kind.Read, key: i },
        { kind: Kind.Write, key: i },
        { kind: Kind.Delta, key: recipient, amount: BigInt(i + 1) },
        { kind: Kind.Delta, key: coinbase, amount: 21_000n },
      ],
    }));
    const seq = await stm().stmRunMockBlock(encode(txs), 1, "sequential");
    for (const run of await checkIdentical(encode(txs), "one recipient", 3)) {
      expect(run.metrics.reexecutions).toBe(0);
      expect(run.metrics.validationAborts).toBe(0);
      expect(run.metrics.estimateWaits).toBe(0);
      expect(run.metrics.dependencies.every((d) => d.length === 0)).toBe(true);
    }
    // The recipient's final value is its pre-block value plus the sum of all deltas.
    const empty = await stm().stmRunMockBlock(
      encode([{ work: 0, ops: [{ kind: Kind.Delta, key: recipient, amount: 0n }] }]),
      1,
      "sequential",
    );
    const before = BigInt("0x" + decodeState(empty.finalState).get(recipient)!);
    const after = BigInt("0x" + decodeState(seq.finalState).get(recipient)!);
    expect((after - before) & ((1n << 256n) - 1n)).toBe(BigInt((500 * 501) / 2));
  });

  it("a reader of a delta-only location depends on every delta before it", async () => {
    const recipient = 5;
    const txs: Tx[] = Array.from({ length: 60 }, (_, i) => ({
      work: 200,
      ops: [{ kind: Kind.Delta, key: recipient, amount: BigInt(i) }],
    }));
    txs.push({
      work: 0,
      ops: [
        { kind: Kind.Read, key: recipient },
        { kind: Kind.Write, key: 6 },
      ],
    });
    for (const run of await checkIdentical(encode(txs), "delta reader", 3)) {
      expect(run.metrics.dependencies[60]).toEqual(Array.from({ length: 60 }, (_, i) => i));
    }
  });

  it("read sets and write sets that depend on what was read", async () => {
    // Alternating conditional writes and indirect reads over a handful of keys.
    const txs: Tx[] = Array.from({ length: 400 }, (_, i) => ({
      work: 100 + (i % 7) * 50,
      ops: [
        { kind: Kind.ReadIndirect, key: 6 },
        { kind: Kind.WriteIfOdd, key: i % 6 },
        { kind: Kind.Delta, key: (i + 3) % 6, amount: 1n },
        { kind: Kind.ReadIndirect, key: 6 },
        { kind: Kind.WriteIfOdd, key: (i * 5) % 6 },
      ],
    }));
    await checkIdentical(encode(txs), "dynamic sets", 5);
  });

  it("an empty block", async () => {
    await checkIdentical(encode([]), "empty block");
  });
});

describe("Block-STM runtime", () => {
  it("keeps one persistent pool: repeated blocks create no threads", async () => {
    const block = encode(randomBlock(new Random(42n), 10, 50));
    await stm().stmRunMockBlock(block, 8, "parallel");
    const before = stm().stmPoolInfo().poolThreads;
    expect(before).toBeGreaterThanOrEqual(7);
    for (let i = 0; i < 20; i++) await stm().stmRunMockBlock(block, 1 + (i % 8), "parallel");
    expect(stm().stmPoolInfo().poolThreads).toBe(before);
    expect(stm().stmPoolInfo().defaultThreads).toBeGreaterThanOrEqual(1);
  });

  // A pool thread woken onto the caller's CPU shared it with the caller for most of a block (see
  // ThreadPool::run_cpus_): the caller now holds its CPU during a run and the pool threads stay
  // off it, and the caller gets its own affinity back afterwards. A third thread spins meanwhile,
  // so that the scheduler has a reason to put two of them on one CPU.
  it.runIf(process.platform === "linux" && os.availableParallelism() >= 2)(
    "keeps the pool threads off the caller's CPU during a run",
    async () => {
      const allowed = () =>
        /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync("/proc/thread-self/status", "utf8"))![1];
      const spinner = new Worker("const end = Date.now() + 3000; while (Date.now() < end) {}", {
        eval: true,
      });
      try {
        await new Promise((resolve) => spinner.once("online", resolve));
        const before = allowed();
        for (let i = 0; i < 40; i++) {
          const [caller, pool] = stm().stmPoolPlacement(2, 2);
          expect(caller![0]).toBe(caller![1]);
          for (const cpu of pool!) expect(cpu).not.toBe(caller![0]);
        }
        expect(allowed()).toBe(before);
      } finally {
        await spinner.terminate();
      }
    },
  );

  it("concurrent calls are serialized on the pool and all correct", async () => {
    const blocks = Array.from({ length: 8 }, (_, i) =>
      encode(randomBlock(new Random(1000n + BigInt(i)), 10, 80)),
    );
    const seqs = await Promise.all(blocks.map((b) => stm().stmRunMockBlock(b, 1, "sequential")));
    const pars = await Promise.all(blocks.map((b) => stm().stmRunMockBlock(b, 4, "parallel")));
    pars.forEach((p, i) => expect(sameBytes(p.finalState, seqs[i]!.finalState)).toBe(true));
  });

  it("rejects bad arguments with ERR_INVALID_ARGUMENT", () => {
    const block = encode([{ work: 0, ops: [{ kind: Kind.Read, key: 1 }] }]);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return "no error";
    };
    expect(code(() => stm().stmRunMockBlock(block, 2, "fast" as "parallel"))).toBe("ERR_INVALID_ARGUMENT");
    expect(code(() => stm().stmRunMockBlock(block.subarray(0, block.length - 1), 2, "parallel"))).toBe(
      "ERR_INVALID_ARGUMENT",
    );
    expect(code(() => stm().stmRunMockBlock(block, -1, "parallel"))).toBe("ERR_INVALID_ARGUMENT");
    expect(
      code(() =>
        stm().stmRunMockBlock(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 9, 0, 0, 0, 0]), 2, "parallel"),
      ),
    ).toBe("ERR_INVALID_ARGUMENT");
  });
});
