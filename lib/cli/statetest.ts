/** `parallel-evm statetest PATH... [--fork NAME] [--vm PATH] [--json] [--jobs N]` */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseFork, type Fork } from "../fork";
import { runStateTestsParallel } from "../statetest/pool";
import { formatSummary, summarize, summaryToJson } from "../statetest/report";
import { defaultForks } from "../statetest/runner";
import { UsageError, parseCommandArgs, type Command } from "./command";

const usage = `Usage: parallel-evm statetest PATH... [--fork NAME] [--vm PATH] [--json] [--jobs N]

Runs execution-spec-tests state-test JSON files (folders are searched recursively) and checks
every post entry of the forks ${defaultForks.join(", ")} (or only --fork): the post state account by
account, the logs hash, and that expectException cases are rejected. Prints a table per fork and
folder, each failing case with its first difference, and ends with "N passed, M failed".
Exit status 1 when anything failed.

Options:
  --fork NAME   only this fork (Cancun, Prague, Osaka, or any earlier one)
  --vm PATH     execute with this EVMC VM shared library (e.g. $(parallel-evm vm-path))
  --json        print one JSON document instead of the tables
  --jobs N      worker processes (default: the number of CPUs); 0 runs in this process
  --max-failures N  list at most N failing cases in the text report (default: all)
`;

function integerArg(value: string | undefined, what: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value) || Number(value) < min)
    throw new UsageError(`${what} must be an integer >= ${min}`);
  return Number(value);
}

export const statetestCommand: Command = {
  name: "statetest",
  summary: "run Ethereum state tests (execution-spec-tests JSON) and compare post states",
  usage,
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        fork: { type: "string" },
        vm: { type: "string" },
        json: { type: "boolean", default: false },
        jobs: { type: "string" },
        "max-failures": { type: "string" },
      },
    });
    const { values, positionals } = parsed;
    if (positionals.length === 0) throw new UsageError("give at least one state-test file or folder");
    for (const p of positionals) if (!fs.existsSync(p)) throw new UsageError(`no such file or folder: ${p}`);
    let forks: readonly Fork[] = defaultForks;
    if (values.fork !== undefined) {
      try {
        forks = [parseFork(values.fork)];
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    let vm: string | undefined;
    if (values.vm !== undefined) {
      vm = path.resolve(values.vm);
      if (!fs.existsSync(vm)) throw new UsageError(`no such EVMC VM library: ${values.vm}`);
    }
    const jobs = integerArg(values.jobs, "--jobs", 0) ?? os.availableParallelism();
    const maxFailures = integerArg(values["max-failures"], "--max-failures", 1);
    const progress = !values.json && process.stderr.isTTY;
    const started = process.hrtime.bigint();
    const results = await runStateTestsParallel(positionals, {
      forks,
      ...(vm !== undefined ? { vm } : {}),
      jobs,
      ...(progress
        ? { onProgress: (done: number, total: number) => process.stderr.write(`\r${done}/${total} files`) }
        : {}),
    });
    if (progress) process.stderr.write("\r\x1b[K");
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const summary = summarize(results);
    if (values.json) {
      process.stdout.write(
        summaryToJson(summary, {
          seconds: Number(seconds.toFixed(2)),
          jobs,
          forksRun: forks,
          vm: vm ?? null,
        }) + "\n",
      );
    } else {
      const text = formatSummary(summary, maxFailures !== undefined ? { maxFailures } : {});
      const lastNewline = text.lastIndexOf("\n", text.length - 2);
      process.stdout.write(text.slice(0, lastNewline + 1));
      process.stdout.write(
        `${results.length} cases in ${seconds.toFixed(1)} s with ${jobs} worker process(es)${vm ? `, VM ${vm}` : ""}\n`,
      );
      process.stdout.write(text.slice(lastNewline + 1));
    }
    return summary.failed > 0 ? 1 : 0;
  },
};
