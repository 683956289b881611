/**
 * `parallel-evm bench <what>`: benchmark programs. Subcommands are listed in `benchSubcommands`
 * (add one with one line): `evm` runs the interpreter benchmarks (execution time only),
 * `precompiles` times the precompiles.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { packageRoot } from "../binding";
import { benchPrecompiles, formatPrecompileBench } from "../bench/precompiles";
import {
  benchBlocks,
  fixtureCases,
  formatBlockBench,
  syntheticCases,
  type BlockBenchCase,
} from "../bench/blocks";
import { workloadNames, type WorkloadName } from "../workloads/index";
import { forkRevision, parseFork, type Fork } from "../fork";
import { executeTransaction, type TxRequest } from "../state";
import { casesOf, findStateTestFiles, type JsonStateTest } from "../statetest/fixture";
import { UsageError, parseCommandArgs, type Command } from "./command";

/** One `bench` subcommand. */
export interface BenchSubcommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: string[]): Promise<number>;
}

/** The machine, Node version and commit, printed with every benchmark. */
export function machineInfo(): { cpu: string; cores: number; node: string; commit: string } {
  const cpus = os.cpus();
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], {
      cwd: packageRoot,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: packageRoot,
      stdio: ["ignore", "pipe", "ignore"],
    }).toString();
    if (dirty.trim() !== "") commit += " (modified tree)";
  } catch {
    // not a git checkout (an installed package)
  }
  return { cpu: cpus[0]?.model.trim() ?? "unknown", cores: cpus.length, node: process.version, commit };
}

export interface EvmBenchResult {
  program: string;
  input: string;
  /** Gas spent by the execution: the transaction's gas used minus its intrinsic gas. */
  gas: number;
  /** The transaction's gas used (intrinsic gas included, refunds deducted). */
  txGasUsed: number;
  medianMs: number;
  mgasPerSec: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The intrinsic gas of a benchmark transaction (21000, calldata 4 per zero byte and 16 (68 before
 * Istanbul) per other byte, creation 32000 + 2 per initcode word from Shanghai, access lists), so
 * that Mgas/s counts only the gas the interpreter executed, like other interpreters' benchmarks.
 */
export function intrinsicGas(fork: Fork, tx: TxRequest): bigint {
  const rev = forkRevision(fork);
  let gas = 21000n;
  for (const b of tx.data) gas += b === 0 ? 4n : rev >= forkRevision("Istanbul") ? 16n : 68n;
  if (tx.to === null) {
    if (rev >= forkRevision("Homestead")) gas += 32000n;
    if (rev >= forkRevision("Shanghai")) gas += 2n * BigInt(Math.ceil(tx.data.length / 32));
  }
  for (const e of tx.accessList ?? []) gas += 2400n + 1900n * BigInt(e.storageKeys.length);
  return gas;
}

/**
 * Runs every input (data index) of every benchmark file under `dir`: one untimed warm-up run
 * (fills the code-analysis cache), then `runs` timed runs. Like other interpreters' benchmark
 * loops, each timed run repeats the execution natively (enough times for about 5 ms, caches warm)
 * and takes the median; the time is the VM's execution of the top-level frame (`executionNs`),
 * the gas is the transaction's gas used minus its intrinsic gas.
 */
export function runEvmBenchmarks(
  dir: string,
  options: { runs?: number; vm?: string; filter?: string } = {},
): EvmBenchResult[] {
  const runs = options.runs ?? 5;
  const results: EvmBenchResult[] = [];
  for (const file of findStateTestFiles([dir])) {
    const json = JSON.parse(fs.readFileSync(file, "utf8")) as Record<
      string,
      JsonStateTest & { _info?: { labels?: Record<string, string> } }
    >;
    for (const [id, test] of Object.entries(json)) {
      const program = id || path.basename(file, ".json");
      if (options.filter !== undefined && !program.includes(options.filter)) continue;
      const forkName = Object.keys(test.post)[0];
      if (forkName === undefined) continue;
      const fork = parseFork(forkName);
      const seen = new Set<number>();
      for (const c of casesOf(file, { [id]: test }, new Set([fork]))) {
        if (seen.has(c.indexes.data)) continue;
        seen.add(c.indexes.data);
        const label = test._info?.labels?.[String(c.indexes.data)];
        const input = label ?? String(c.indexes.data);
        const execOptions = options.vm !== undefined ? { vm: options.vm } : {};
        const warm = executeTransaction(c.fork, c.pre, c.env, c.tx, execOptions);
        if (warm.invalid)
          throw new Error(`${program}(${input}): transaction rejected: ${warm.invalid.message}`);
        const times: number[] = [];
        let gas = warm.gasUsed;
        const repeat = Math.min(100_000, Math.max(1, Math.ceil(5e6 / Math.max(warm.executionNs, 1))));
        for (let i = 0; i < runs; i++) {
          const r = executeTransaction(c.fork, c.pre, c.env, c.tx, { ...execOptions, repeat });
          times.push(r.executionNs);
          gas = r.gasUsed;
        }
        const ns = median(times);
        const executed = Number(gas - intrinsicGas(c.fork, c.tx));
        results.push({
          program,
          input,
          gas: executed,
          txGasUsed: Number(gas),
          medianMs: ns / 1e6,
          mgasPerSec: ns > 0 ? (executed / ns) * 1e3 : 0,
        });
      }
    }
  }
  return results;
}

const evmUsage = `Usage: parallel-evm bench evm [DIR] [--json] [--runs N] [--vm PATH] [--filter TEXT]

Runs the interpreter benchmark programs (state-test JSON files; default DIR:
../shared/data/evm-benchmarks beside the package), every input of each. Times the VM execution
only (one untimed warm-up run first, so code analysis is cached), median of N runs (default 5),
and prints Mgas/s = executed gas / execution time (executed gas = the transaction's gas used
minus its intrinsic gas), with the machine, Node version and commit.
--json prints {machine, results:[{program,input,gas,txGasUsed,medianMs,mgasPerSec}]}.
`;

const evmBench: BenchSubcommand = {
  name: "evm",
  summary: "interpreter speed: Mgas/s per program and input (execution only, median of 5)",
  usage: evmUsage,
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        runs: { type: "string" },
        vm: { type: "string" },
        filter: { type: "string" },
      },
    });
    const { values, positionals } = parsed;
    if (positionals.length > 1) throw new UsageError("give at most one benchmark folder");
    const dir = positionals[0] ?? path.resolve(packageRoot, "..", "shared", "data", "evm-benchmarks");
    if (!fs.existsSync(dir)) throw new UsageError(`no such benchmark folder: ${dir}`);
    let runs = 5;
    if (values.runs !== undefined) {
      if (!/^[0-9]+$/.test(values.runs) || Number(values.runs) < 1)
        throw new UsageError("--runs must be a positive integer");
      runs = Number(values.runs);
    }
    const vm = values.vm !== undefined ? path.resolve(values.vm) : undefined;
    if (vm !== undefined && !fs.existsSync(vm)) throw new UsageError(`no such EVMC VM library: ${values.vm}`);
    const machine = machineInfo();
    const results = runEvmBenchmarks(dir, {
      runs,
      ...(vm !== undefined ? { vm } : {}),
      ...(values.filter !== undefined ? { filter: values.filter } : {}),
    });
    if (values.json) {
      process.stdout.write(JSON.stringify({ machine, runs, vm: vm ?? null, results }, null, 2) + "\n");
      return 0;
    }
    const lines = [
      `machine: ${machine.cpu}, ${machine.cores} cores; node ${machine.node}; commit ${machine.commit}`,
      `execution time only (native repetitions of ~5 ms, warm caches), median of ${runs} runs after one warm-up${vm ? `; VM ${vm}` : ""}`,
      "",
    ];
    const names = results.map((r) =>
      r.input === "0" && results.filter((x) => x.program === r.program).length === 1
        ? r.program
        : `${r.program}(${r.input})`,
    );
    const width = Math.max(7, ...names.map((n) => n.length));
    lines.push(
      `${"program".padEnd(width)}  ${"gas".padStart(12)}  ${"ms".padStart(10)}  ${"Mgas/s".padStart(9)}`,
    );
    results.forEach((r, i) => {
      lines.push(
        `${names[i]!.padEnd(width)}  ${String(r.gas).padStart(12)}  ${r.medianMs.toFixed(3).padStart(10)}  ${r.mgasPerSec.toFixed(1).padStart(9)}`,
      );
    });
    process.stdout.write(lines.join("\n") + "\n");
    return 0;
  },
};

/** Every `bench` subcommand. Add one with one line here. */
const precompilesUsage = [
  "parallel-evm bench precompiles [--json]",
  "  Microseconds per call of the precompiles that matter for speed (ecrecover, sha256 of 1 KiB,",
  "  a 2048-bit modexp, bn254 add/mul/2-pair pairing, KZG point evaluation, BLS G1 MSM of 16",
  "  points and a 2-pair pairing, P256 verify), each timed in a native loop, median of 5 runs.",
].join("\n");

const precompilesBench: BenchSubcommand = {
  name: "precompiles",
  summary: "precompile speed: microseconds per call (native loop, median of 5)",
  usage: precompilesUsage,
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs({ args, options: { json: { type: "boolean", default: false } } });
    const machine = machineInfo();
    const rows = benchPrecompiles();
    if (parsed.values.json) {
      process.stdout.write(JSON.stringify({ machine, results: rows }, null, 2) + "\n");
    } else {
      process.stdout.write(
        `machine: ${machine.cpu}, ${machine.cores} cores; node ${machine.node}; commit ${machine.commit}\n\n` +
          formatPrecompileBench(rows) +
          "\n",
      );
    }
    return rows.every((r) => r.valid) ? 0 : 1;
  },
};

const blocksUsage = [
  "parallel-evm bench blocks [--fixture DIR [--min-gas G] [--block N]] [--synthetic NAME|all] [--txs N]",
  "                          [--threads 1,2,4,...] [--runs N] [--policy parallel|auto] [--ceiling]",
  "                          [--first-run] [--json]",
  "  Each block sequentially and with Block-STM at each thread count, in one run, median of",
  "  --runs (default 5) alternating runs, native execution time only; every parallel result is",
  "  compared with the sequential one. --policy auto measures what executeBlock's auto policy",
  "  does instead of forcing Block-STM. Synthetic workloads:",
  `  ${workloadNames.join(", ")} (default: all, unless --fixture is given).`,
  "  Default threads: 2 and the number of cores. --ceiling also runs, in every round, as many",
  "  sequential copies of the block at once as there are threads, each on its own data: the",
  "  ceiling column is what this machine allowed perfectly parallel work at the time (threads x",
  "  one copy's time / the slowest copy's), the bound to read the speedup against.",
  "  --first-run empties the code-analysis cache before every run: each run then analyses the",
  "  contracts it calls, as a block's first run in a process does (by default the warm-up round",
  "  leaves them analysed, as in a client that has seen them before).",
].join("\n");

function positiveInt(value: string, what: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1)
    throw new UsageError(`${what} must be a positive integer`);
  return Number(value);
}

const blocksBench: BenchSubcommand = {
  name: "blocks",
  summary: "Block-STM: sequential vs parallel per block and thread count (median of 5)",
  usage: blocksUsage,
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs({
      args,
      options: {
        fixture: { type: "string" },
        "min-gas": { type: "string" },
        block: { type: "string" },
        synthetic: { type: "string" },
        txs: { type: "string" },
        threads: { type: "string" },
        runs: { type: "string" },
        policy: { type: "string", default: "parallel" },
        ceiling: { type: "boolean", default: false },
        "first-run": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
      },
    });
    const v = parsed.values;
    const runs = v.runs === undefined ? 5 : positiveInt(v.runs, "--runs");
    const policy = v.policy;
    if (policy !== "parallel" && policy !== "auto")
      throw new UsageError(`--policy must be parallel or auto, not ${policy}`);
    const cores = os.availableParallelism();
    const threads =
      v.threads === undefined
        ? [...new Set([2, cores])]
        : v.threads.split(",").map((t) => positiveInt(t.trim(), "--threads"));
    const cases: BlockBenchCase[] = [];
    if (v.fixture !== undefined) {
      if (!fs.existsSync(v.fixture)) throw new UsageError(`no such fixture folder: ${v.fixture}`);
      const minGas = v["min-gas"] === undefined ? 0n : BigInt(positiveInt(v["min-gas"], "--min-gas"));
      const only = v.block === undefined ? undefined : BigInt(positiveInt(v.block, "--block"));
      cases.push(...fixtureCases(v.fixture, minGas, only));
    }
    if (v.synthetic !== undefined || v.fixture === undefined) {
      const names =
        v.synthetic === undefined || v.synthetic === "all" ? [...workloadNames] : v.synthetic.split(",");
      for (const n of names)
        if (!(workloadNames as readonly string[]).includes(n))
          throw new UsageError(`unknown workload '${n}' (one of: ${workloadNames.join(", ")}, all)`);
      cases.push(
        ...syntheticCases(
          names as WorkloadName[],
          v.txs === undefined ? undefined : positiveInt(v.txs, "--txs"),
        ),
      );
    }
    const machine = machineInfo();
    if (!v.json) {
      process.stdout.write(
        `machine: ${machine.cpu}, ${machine.cores} cores; node ${machine.node}; commit ${machine.commit}\n` +
          `native execution time, median of ${runs} alternating runs; policy ${policy}; threads ${threads.join(", ")}` +
          (v["first-run"] ? "; first runs (code-analysis cache emptied before each)" : "") +
          "\n\n",
      );
    }
    const rows = await benchBlocks(
      cases,
      threads,
      runs,
      (row) => {
        if (!v.json)
          process.stderr.write(
            `  ${row.workload} at ${row.threads} threads: ${row.speedup.toFixed(2)}x` +
              (row.ceiling !== undefined ? ` (ceiling ${row.ceiling.toFixed(2)}x)` : "") +
              "\n",
          );
      },
      policy,
      v.ceiling,
      v["first-run"],
    );
    const allIdentical = rows.every((r) => r.identical);
    if (v.json) {
      process.stdout.write(
        JSON.stringify({ machine, runs, firstRun: v["first-run"], results: rows }, null, 2) + "\n",
      );
      return allIdentical ? 0 : 1;
    }
    const lines = [formatBlockBench(rows)];
    const fixtureRows = rows.filter((r) => /^[0-9]+$/.test(r.workload));
    const geomean = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
    for (const t of threads) {
      const at = fixtureRows.filter((r) => r.threads === t);
      if (at.length > 1) {
        const ceilings = at.flatMap((r) => (r.ceiling !== undefined ? [r.ceiling] : []));
        lines.push(
          `geometric mean speedup of ${at.length} fixture blocks at ${t} threads: ${geomean(
            at.map((r) => r.speedup),
          ).toFixed(2)}x` + (ceilings.length > 0 ? ` (ceiling ${geomean(ceilings).toFixed(2)}x)` : ""),
        );
      }
    }
    if (!allIdentical) lines.push("PARALLEL DIFFERS FROM SEQUENTIAL: see the rows marked NO");
    process.stdout.write(lines.join("\n") + "\n");
    return allIdentical ? 0 : 1;
  },
};

export const benchSubcommands: BenchSubcommand[] = [evmBench, precompilesBench, blocksBench];

function benchUsage(): string {
  const width = Math.max(...benchSubcommands.map((s) => s.name.length));
  return [
    "Usage: parallel-evm bench <what> [options]",
    "       parallel-evm bench <what> --help",
    "",
    "Benchmarks:",
    ...benchSubcommands.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
    "",
    ...benchSubcommands.map((s) => s.usage),
  ].join("\n");
}

export const benchCommand: Command = {
  name: "bench",
  summary: "run benchmarks (evm, ...) and print throughput with the machine and commit",
  get usage(): string {
    return benchUsage();
  },
  async run(args: string[]): Promise<number> {
    const [what, ...rest] = args;
    if (what === undefined) throw new UsageError("say what to benchmark");
    const sub = benchSubcommands.find((s) => s.name === what);
    if (!sub) throw new UsageError(`unknown benchmark '${what}'`);
    return sub.run(rest);
  },
};
