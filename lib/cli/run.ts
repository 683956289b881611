/**
 * `parallel-evm run`: the main job. Executes blocks sequentially and with the chosen policy
 * (Block-STM by default where it can pay), checks that both give identical results, verifies them,
 * and prints times, speedup, re-executions and the parallelism profile.
 */
import * as fs from "node:fs";
import { executeBlock } from "../block/execute";
import { firstDifference } from "../block/compare";
import { loadMainnetBlock, openMainnetFixture } from "../block/fixture";
import { defaultThreads } from "../block/policy";
import { formatProfile, parallelismProfile, type ParallelismProfile } from "../block/profile";
import { formatConflictSite, type StmConflictSite } from "../block/stm-metrics";
import type { Block, BlockContext, BlockResult } from "../block/types";
import { verifyBlock } from "../block/verify";
import { ParallelEvmError } from "../errors";
import { builtinBlock } from "../workloads/index";
import { UsageError, parseCommandArgs, type Command } from "./command";

const usage = `Usage: parallel-evm run [--fixture DIR [--block N]] [--policy P] [--threads N] [--json]

With no --fixture: builds the built-in block (about one gigagas of ETH transfers, ERC-20
transfers and swaps on constant-product pools, from contracts in this package), executes it
sequentially and with the policy (Block-STM by default), checks that the results are identical
and that every transaction used the gas the workload predicts, and prints gas, times, Mgas/s,
speedup, re-executions and the parallelism profile.

With --fixture DIR: the same for every block of a mainnet-format fixture folder
(blocks/<n>/block.json, pre_state.json, bytecodes.json, block_hashes.json; e.g.
../shared/data/mainnet), or only block N, and each block is verified against its header:
gasUsed and logsBloom, receiptsRoot from Byzantium on, blobGasUsed from Cancun on.

Per block: number, txs, gas, decode ms (reading, JSON decoding and marshalling), sequential and
policy execution ms (native; both are timed on a second, warm run), Mgas/s under the
policy, speedup, re-executions, and whether it verified (else the mismatching fields); then each
block's parallelism profile and the locations where Block-STM lost work (the account, balance or
storage slot of each aborted validation and each wait on an unfinished write). Exit status 1 if any block fails verification or the policy's result
differs from sequential execution.

Options:
  --fixture DIR   a mainnet-format fixture folder instead of the built-in block
  --block N       only this block of the fixture
  --policy P      sequential, parallel or auto (default: parallel, Block-STM; auto chooses
                  Block-STM only where it is measured to pay)
  --threads N     Block-STM threads (default: one per core)
  --json          print one JSON document instead of the table
`;

export interface RunBlockReport {
  number: number;
  txs: number;
  gasUsed: number;
  policy: string;
  threads: number;
  verified: boolean;
  mismatches: string[];
  decodeMs: number;
  executeMs: number;
  mgasPerSec: number;
  /** The part of decodeMs spent encoding and decoding the native request and result. */
  marshalMs: number;
  verifyMs: number;
  /** Native execution time of the sequential run. */
  sequentialMs: number;
  /** Native execution time under the policy (null with --policy sequential). */
  parallelMs: number | null;
  speedup: number | null;
  /** The policy's result equals the sequential one (null with --policy sequential). */
  identical: boolean | null;
  /** The first difference from sequential execution, when not identical. */
  difference?: string;
  reexecutions: number | null;
  /** Why Block-STM fell back to sequential execution ("" when it did not). */
  fallback?: string;
  /** What ran the transactions under the policy: Block-STM, transfer groups (a block of plain
   *  transfers: native/state/block_transfers.hpp) or the sequential executor. */
  engine?: "block-stm" | "transfer-groups" | "chunks" | "sequential";
  profile?: ParallelismProfile;
  /** Where Block-STM lost work (validation aborts, ESTIMATE waits), the costliest first (up to 10). */
  conflicts?: StmConflictSite[];
  error?: string;
}

/** Conflict sites printed per block. */
const SHOWN_SITES = 3;

interface Unit {
  number: bigint;
  load: () => { block: Block; context: BlockContext; check: (b: Block, r: BlockResult) => string[] };
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

export const runCommand: Command = {
  name: "run",
  summary: "execute blocks sequentially and in parallel, check they agree, verify and time them",
  usage,
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs({
      args,
      options: {
        fixture: { type: "string" },
        block: { type: "string" },
        policy: { type: "string", default: "parallel" },
        threads: { type: "string" },
        json: { type: "boolean", default: false },
      },
    });
    const { values } = parsed;
    const policy = values.policy as "sequential" | "parallel" | "auto";
    if (!["sequential", "parallel", "auto"].includes(policy))
      throw new UsageError(`unknown policy ${values.policy} (known: sequential, parallel, auto)`);
    let threads = defaultThreads();
    if (values.threads !== undefined) {
      if (!/^[0-9]+$/.test(values.threads) || Number(values.threads) < 1 || Number(values.threads) > 1024)
        throw new UsageError("--threads must be an integer from 1 to 1024");
      threads = Number(values.threads);
    }
    if (values.block !== undefined && !/^[0-9]+$/.test(values.block))
      throw new UsageError("--block must be a block number");
    if (values.block !== undefined && values.fixture === undefined)
      throw new UsageError("--block needs --fixture");
    const progress = (msg: string): void => {
      if (!values.json) process.stderr.write(msg + "\n");
    };

    const t0 = nowMs();
    const units: Unit[] = [];
    let openMs = 0;
    if (values.fixture !== undefined) {
      if (!fs.existsSync(values.fixture)) throw new UsageError(`no such folder: ${values.fixture}`);
      const fx = openMainnetFixture(values.fixture);
      openMs = nowMs() - t0;
      let numbers = fx.numbers;
      if (values.block !== undefined) {
        const n = BigInt(values.block);
        if (!numbers.includes(n)) throw new UsageError(`block ${n} is not in ${values.fixture}`);
        numbers = [n];
      }
      for (const number of numbers) {
        units.push({
          number,
          load: () => ({ ...loadMainnetBlock(fx, number), check: (b, r) => verifyBlock(b, r).mismatches }),
        });
      }
    } else {
      progress("building the built-in block (about 1 Ggas of transfers, ERC-20 transfers and swaps)...");
      const w = builtinBlock();
      openMs = nowMs() - t0;
      progress(
        `built block ${w.block.header.number}: ${w.block.transactions.length} txs, ` +
          `${w.block.header.gasUsed} gas, ${w.context.pre.size} accounts in ${openMs.toFixed(0)} ms`,
      );
      units.push({
        number: w.block.header.number,
        load: () => ({
          block: w.block,
          context: w.context,
          check: (_b, r) => {
            const bad: string[] = [];
            if (r.gasUsed !== w.expectedGasUsed) bad.push("gasUsed");
            const wrongGas = r.receipts.findIndex((x, i) => x.gasUsed !== w.expectedGas[i]);
            if (r.receipts.length !== w.expectedGas.length || wrongGas >= 0) bad.push("receipt gas");
            if (r.receipts.some((x) => x.status !== 1)) bad.push("receipt status");
            return bad;
          },
        }),
      });
    }
    const single = units.length === 1;

    const reports: RunBlockReport[] = [];
    if (!values.json) {
      process.stdout.write(
        `policy ${policy}, ${policy === "sequential" ? 1 : threads} thread(s)\n` +
          `${"block".padStart(9)} ${"txs".padStart(5)} ${"gas".padStart(10)} ${"decode ms".padStart(9)} ` +
          `${"seq ms".padStart(8)} ${"par ms".padStart(8)} ${"Mgas/s".padStart(8)} ${"speedup".padStart(7)} ` +
          `${"re-exec".padStart(7)}  verified\n`,
      );
    }
    for (const unit of units) {
      const report: RunBlockReport = {
        number: Number(unit.number),
        txs: 0,
        gasUsed: 0,
        policy,
        threads: 1,
        verified: false,
        mismatches: [],
        decodeMs: 0,
        executeMs: 0,
        mgasPerSec: 0,
        marshalMs: 0,
        verifyMs: 0,
        sequentialMs: 0,
        parallelMs: null,
        speedup: null,
        identical: null,
        reexecutions: null,
      };
      try {
        const d0 = nowMs();
        const { block, context, check } = unit.load();
        const loadMs = nowMs() - d0;
        report.txs = block.transactions.length;
        if (single) progress("executing sequentially...");
        const seq = await executeBlock(block, context, { missingState: "empty", policy: "sequential" });
        report.sequentialMs = seq.timings.executeMs;
        let result = seq;
        if (policy !== "sequential") {
          if (single) progress(`executing with policy ${policy} on ${threads} threads...`);
          const first = await executeBlock(block, context, { missingState: "empty", policy, threads });
          // Both sides are timed warm. The first sequential run warmed the code-analysis cache and
          // the pre-state pages; the first parallel run starts the pool's threads and fills their
          // arenas and per-thread caches, as a client's first block would. A second run of each
          // is timed for the comparison; both parallel results must equal the sequential one.
          if (single) progress("executing both again (warm, for the speedup)...");
          result = await executeBlock(block, context, { missingState: "empty", policy, threads });
          report.parallelMs = result.timings.executeMs;
          const warm = await executeBlock(block, context, { missingState: "empty", policy: "sequential" });
          report.sequentialMs = warm.timings.executeMs;
          report.speedup =
            result.timings.executeMs > 0 ? warm.timings.executeMs / result.timings.executeMs : null;
          const difference = firstDifference(seq, first) ?? firstDifference(seq, result);
          report.identical = difference === undefined;
          if (difference !== undefined) report.difference = difference;
          report.threads = result.stm?.parallel ? result.stm.threads : 1;
          report.reexecutions = result.stm?.reexecutions ?? 0;
          report.fallback = result.stm === undefined ? "sequential by policy" : result.stm.fallback;
          report.engine = result.stm?.parallel ? result.stm.engine : "sequential";
          const profile = parallelismProfile(result);
          if (profile) report.profile = profile;
          if (result.stm !== undefined) report.conflicts = result.stm.conflicts.slice(0, 10);
        }
        const t = result.timings;
        report.marshalMs = t.encodeMs + t.nativeDecodeMs + t.resultDecodeMs;
        report.decodeMs = loadMs + report.marshalMs;
        report.executeMs = t.executeMs + t.recoveryMs;
        report.gasUsed = Number(result.gasUsed);
        report.mgasPerSec = report.executeMs > 0 ? report.gasUsed / report.executeMs / 1000 : 0;
        const v0 = nowMs();
        report.mismatches = check(block, result);
        report.verifyMs = nowMs() - v0;
        report.verified = report.mismatches.length === 0;
      } catch (err) {
        report.error = err instanceof ParallelEvmError ? `${err.code}: ${err.message}` : String(err);
        report.mismatches = ["error"];
      }
      for (const k of [
        "decodeMs",
        "executeMs",
        "mgasPerSec",
        "marshalMs",
        "verifyMs",
        "sequentialMs",
      ] as const)
        report[k] = round(report[k]);
      if (report.parallelMs !== null) report.parallelMs = round(report.parallelMs);
      if (report.speedup !== null) report.speedup = round(report.speedup);
      reports.push(report);
      if (!values.json) {
        let status = report.verified ? "yes" : `no (${report.error ?? report.mismatches.join(", ")})`;
        if (report.identical === false) status += `; PARALLEL DIFFERS: ${report.difference}`;
        const opt = (x: number | null, d: number, suffix = ""): string =>
          x === null ? "-" : x.toFixed(d) + suffix;
        process.stdout.write(
          `${String(report.number).padStart(9)} ${String(report.txs).padStart(5)} ${String(report.gasUsed).padStart(10)} ` +
            `${report.decodeMs.toFixed(1).padStart(9)} ${report.sequentialMs.toFixed(1).padStart(8)} ` +
            `${opt(report.parallelMs, 1).padStart(8)} ${report.mgasPerSec.toFixed(0).padStart(8)} ` +
            `${opt(report.speedup, 2, "x").padStart(7)} ${opt(report.reexecutions, 0).padStart(7)}  ${status}\n`,
        );
        if (single && report.profile)
          process.stdout.write(`parallelism profile: ${formatProfile(report.profile)}\n`);
        if (single && report.fallback) process.stdout.write(`ran sequentially: ${report.fallback}\n`);
        if (single && report.engine === "transfer-groups")
          process.stdout.write(
            "ran as transfer groups: plain transfers, their dependencies known in advance\n",
          );
        if (single && report.conflicts?.length)
          process.stdout.write(
            "conflicts (where Block-STM lost work):\n" +
              report.conflicts
                .slice(0, 2 * SHOWN_SITES)
                .map((c) => `  ${formatConflictSite(c)}\n`)
                .join(""),
          );
      }
    }

    const sum = (f: (r: RunBlockReport) => number): number => reports.reduce((a, r) => a + f(r), 0);
    const executeMs = sum((r) => r.executeMs);
    const gasUsed = sum((r) => r.gasUsed);
    const sequentialMs = sum((r) => r.sequentialMs);
    const parallelMs = policy === "sequential" ? null : sum((r) => r.parallelMs ?? 0);
    const failed = reports.filter((r) => !r.verified || r.identical === false).length;
    const totals = {
      blocks: reports.length,
      verified: reports.filter((r) => r.verified).length,
      failed,
      identical: policy === "sequential" ? null : reports.filter((r) => r.identical === true).length,
      txs: sum((r) => r.txs),
      gasUsed,
      decodeMs: round(sum((r) => r.decodeMs)),
      marshalMs: round(sum((r) => r.marshalMs)),
      executeMs: round(executeMs),
      verifyMs: round(sum((r) => r.verifyMs)),
      fixtureOpenMs: round(openMs),
      mgasPerSec: round(executeMs > 0 ? gasUsed / executeMs / 1000 : 0),
      sequentialMs: round(sequentialMs),
      parallelMs: parallelMs === null ? null : round(parallelMs),
      speedup: parallelMs ? round(sequentialMs / parallelMs) : null,
      policy,
      threads: policy === "sequential" ? 1 : threads,
    };
    if (values.json) {
      process.stdout.write(JSON.stringify({ blocks: reports, totals }, jsonReplacer, 2) + "\n");
    } else {
      const profiled = single ? [] : reports.filter((r) => r.profile !== undefined);
      if (profiled.length > 0) {
        process.stdout.write("parallelism profile per block (critical path of the observed dependencies):\n");
        for (const r of profiled)
          process.stdout.write(`${String(r.number).padStart(9)}  ${formatProfile(r.profile!)}\n`);
      }
      const conflicted = single ? [] : reports.filter((r) => r.conflicts?.length);
      if (conflicted.length > 0) {
        process.stdout.write(
          `conflicts per block (where Block-STM lost work, up to ${SHOWN_SITES} sites):\n`,
        );
        for (const r of conflicted) {
          const sites = r.conflicts!.slice(0, SHOWN_SITES).map(formatConflictSite);
          process.stdout.write(`${String(r.number).padStart(9)}  ${sites.join("; ")}\n`);
        }
      }
      process.stdout.write(
        `total: ${totals.blocks} blocks, ${totals.txs} txs, ${totals.gasUsed} gas; decode ${totals.decodeMs.toFixed(1)} ms ` +
          `(of which marshalling ${totals.marshalMs.toFixed(1)} ms), execute ${totals.executeMs.toFixed(1)} ms, ` +
          `${totals.mgasPerSec.toFixed(1)} Mgas/s` +
          (totals.speedup !== null
            ? `; sequential ${totals.sequentialMs.toFixed(1)} ms, ${policy} ${totals.parallelMs!.toFixed(1)} ms, speedup ${totals.speedup.toFixed(2)}x`
            : "") +
          `; ${totals.verified} verified, ${totals.failed} failed` +
          (totals.identical !== null ? `, ${totals.identical} identical to sequential` : "") +
          "\n",
      );
    }
    return failed === 0 ? 0 : 1;
  },
};
