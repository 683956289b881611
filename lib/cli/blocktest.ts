/** `parallel-evm blocktest PATH... [--json]` */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  blockTestsOf,
  runBlockTest,
  type BlockTestExecution,
  type BlockTestOutcome,
} from "../block/blocktest";
import { parseJson } from "../block/json";
import { UsageError, parseCommandArgs, type Command } from "./command";

const usage = `Usage: parallel-evm blocktest PATH... [--policy sequential|parallel|auto] [--threads N] [--json]

Runs execution-spec-tests blockchain-test JSON files (folders are searched recursively): each
test's blocks are decoded from RLP, checked against their parent and header (including the state
root of the complete post-state) and executed; blocks marked expectException must be rejected.
Prints each failing test with its reason, the invalid blocks rejected for another reason than the
expected one, and ends with "N passed, M failed". Exit status 1 when anything failed.

Options:
  --policy P   also execute every block with P (parallel: Block-STM, auto: the auto policy) and
               require the result to equal the sequential one exactly (or the same rejection)
  --threads N  Block-STM threads for --policy (default: the number of cores)
  --json       print one JSON document instead
`;

function jsonFiles(p: string): string[] {
  const st = fs.statSync(p);
  if (st.isFile()) return [p];
  const out: string[] = [];
  for (const e of fs.readdirSync(p, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const child = path.join(p, e.name);
    if (e.isDirectory()) out.push(...jsonFiles(child));
    else if (e.name.endsWith(".json")) out.push(child);
  }
  return out;
}

export const blocktestCommand: Command = {
  name: "blocktest",
  summary: "run Ethereum blockchain tests (execution-spec-tests JSON)",
  usage,
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        policy: { type: "string", default: "sequential" },
        threads: { type: "string" },
      },
    });
    const { values, positionals } = parsed;
    const policy = values.policy;
    if (policy !== "sequential" && policy !== "parallel" && policy !== "auto")
      throw new UsageError(`--policy must be sequential, parallel or auto, not ${policy}`);
    let threads: number | undefined;
    if (values.threads !== undefined) {
      if (!/^[0-9]+$/.test(values.threads) || Number(values.threads) < 1)
        throw new UsageError("--threads must be a positive integer");
      threads = Number(values.threads);
    }
    const execution: BlockTestExecution = { policy, ...(threads !== undefined ? { threads } : {}) };
    if (positionals.length === 0) throw new UsageError("give at least one blockchain-test file or folder");
    for (const p of positionals) if (!fs.existsSync(p)) throw new UsageError(`no such file or folder: ${p}`);
    const started = process.hrtime.bigint();
    const results: (BlockTestOutcome & { file: string })[] = [];
    for (const file of positionals.flatMap(jsonFiles)) {
      let tests: [string, unknown][];
      try {
        tests = blockTestsOf(parseJson(fs.readFileSync(file, "utf8"), file), file);
      } catch (err) {
        results.push({
          file,
          name: "(file)",
          passed: false,
          blocks: 0,
          rejections: [],
          error: (err as Error).message,
        });
        continue;
      }
      for (const [name, test] of tests) {
        const r = await runBlockTest(name, test, execution);
        results.push({ ...r, file });
        if (!values.json && !r.passed) process.stdout.write(`FAIL ${file}\n  ${name}\n  ${r.error}\n`);
      }
    }
    const passed = results.filter((r) => r.passed).length;
    const failed = results.length - passed;
    const rejections = results.flatMap((r) => r.rejections);
    const mismatched = results.flatMap((r) =>
      r.rejections.filter((x) => !x.matched).map((x) => ({ file: r.file, name: r.name, ...x })),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (values.json) {
      process.stdout.write(
        JSON.stringify(
          {
            passed,
            failed,
            seconds,
            invalidBlocksRejected: rejections.length,
            rejectedForAnotherReason: mismatched,
            failures: results
              .filter((r) => !r.passed)
              .map((r) => ({ file: r.file, name: r.name, error: r.error })),
          },
          null,
          2,
        ) + "\n",
      );
    } else {
      if (mismatched.length > 0) {
        process.stdout.write(
          `invalid blocks rejected for another reason than expected (${mismatched.length}):\n`,
        );
        for (const m of mismatched)
          process.stdout.write(`  ${m.name}: ours ${m.ours}, expected ${m.expected}\n`);
      }
      process.stdout.write(
        `${rejections.length} invalid blocks rejected (${rejections.length - mismatched.length} for the expected reason); ` +
          `${seconds.toFixed(1)} s\n${passed} passed, ${failed} failed\n`,
      );
    }
    return failed === 0 ? 0 : 1;
  },
};
