/** `parallel-evm run --fixture DIR [--block N] [--policy sequential] [--json]` */
import { parseArgs } from "node:util";
import * as fs from "node:fs";
import { executeBlock } from "../block/execute";
import { loadMainnetBlock, openMainnetFixture } from "../block/fixture";
import { verifyBlock } from "../block/verify";
import { ParallelEvmError } from "../errors";
import { UsageError, type Command } from "./command";

const usage = `Usage: parallel-evm run --fixture DIR [--block N] [--policy sequential] [--json]

Executes every block of a mainnet-format fixture folder (blocks/<n>/block.json, pre_state.json,
bytecodes.json, block_hashes.json; e.g. ../shared/data/mainnet), or only block N, and verifies
each against its header: gasUsed and logsBloom, receiptsRoot from Byzantium on, blobGasUsed from
Cancun on. Prints per block the number, transactions, gas, decode ms (reading, JSON decoding and
marshalling), execute ms (native execution), Mgas/s, and whether it verified (else the
mismatching fields), then the totals. Exit status 1 if any block fails.

Options:
  --fixture DIR   the fixture folder
  --block N       only this block
  --policy P      execution policy: sequential (the only one so far)
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
  error?: string;
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

export const runCommand: Command = {
  name: "run",
  summary: "execute mainnet-format fixture blocks and verify them against their headers",
  usage,
  async run(args: string[]): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          fixture: { type: "string" },
          block: { type: "string" },
          policy: { type: "string", default: "sequential" },
          json: { type: "boolean", default: false },
        },
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { values } = parsed;
    if (values.fixture === undefined) throw new UsageError("--fixture DIR is required");
    if (!fs.existsSync(values.fixture)) throw new UsageError(`no such folder: ${values.fixture}`);
    if (values.policy !== "sequential")
      throw new UsageError(`unknown policy ${values.policy} (known: sequential)`);
    if (values.block !== undefined && !/^[0-9]+$/.test(values.block))
      throw new UsageError("--block must be a block number");

    const t0 = nowMs();
    const fx = openMainnetFixture(values.fixture);
    const openMs = nowMs() - t0;
    let numbers = fx.numbers;
    if (values.block !== undefined) {
      const n = BigInt(values.block);
      if (!numbers.includes(n)) throw new UsageError(`block ${n} is not in ${values.fixture}`);
      numbers = [n];
    }

    const reports: RunBlockReport[] = [];
    if (!values.json) {
      process.stdout.write(
        `${"block".padStart(9)} ${"txs".padStart(5)} ${"gas".padStart(10)} ${"decode ms".padStart(10)} ` +
          `${"execute ms".padStart(10)} ${"Mgas/s".padStart(8)}  verified\n`,
      );
    }
    for (const number of numbers) {
      const report: RunBlockReport = {
        number: Number(number),
        txs: 0,
        gasUsed: 0,
        policy: "sequential",
        threads: 1,
        verified: false,
        mismatches: [],
        decodeMs: 0,
        executeMs: 0,
        mgasPerSec: 0,
        marshalMs: 0,
        verifyMs: 0,
      };
      try {
        const d0 = nowMs();
        const { block, context } = loadMainnetBlock(fx, number);
        const loadMs = nowMs() - d0;
        report.txs = block.transactions.length;
        const result = await executeBlock(block, context, { missingState: "empty" });
        const t = result.timings;
        report.marshalMs = t.encodeMs + t.nativeDecodeMs + t.resultDecodeMs;
        report.decodeMs = loadMs + report.marshalMs;
        report.executeMs = t.executeMs + t.recoveryMs;
        report.gasUsed = Number(result.gasUsed);
        report.mgasPerSec = report.executeMs > 0 ? report.gasUsed / report.executeMs / 1000 : 0;
        const v0 = nowMs();
        const v = verifyBlock(block, result);
        report.verifyMs = nowMs() - v0;
        report.mismatches = v.mismatches;
        report.verified = v.mismatches.length === 0;
      } catch (err) {
        report.error = err instanceof ParallelEvmError ? `${err.code}: ${err.message}` : String(err);
        report.mismatches = ["error"];
      }
      for (const k of ["decodeMs", "executeMs", "mgasPerSec", "marshalMs", "verifyMs"] as const)
        report[k] = round(report[k]);
      reports.push(report);
      if (!values.json) {
        const status = report.verified ? "yes" : `no (${report.error ?? report.mismatches.join(", ")})`;
        process.stdout.write(
          `${String(report.number).padStart(9)} ${String(report.txs).padStart(5)} ${String(report.gasUsed).padStart(10)} ` +
            `${report.decodeMs.toFixed(2).padStart(10)} ${report.executeMs.toFixed(2).padStart(10)} ` +
            `${report.mgasPerSec.toFixed(1).padStart(8)}  ${status}\n`,
        );
      }
    }

    const sum = (f: (r: RunBlockReport) => number): number => reports.reduce((a, r) => a + f(r), 0);
    const executeMs = sum((r) => r.executeMs);
    const gasUsed = sum((r) => r.gasUsed);
    const totals = {
      blocks: reports.length,
      verified: reports.filter((r) => r.verified).length,
      failed: reports.filter((r) => !r.verified).length,
      txs: sum((r) => r.txs),
      gasUsed,
      decodeMs: round(sum((r) => r.decodeMs)),
      marshalMs: round(sum((r) => r.marshalMs)),
      executeMs: round(executeMs),
      verifyMs: round(sum((r) => r.verifyMs)),
      fixtureOpenMs: round(openMs),
      mgasPerSec: round(executeMs > 0 ? gasUsed / executeMs / 1000 : 0),
      policy: "sequential",
      threads: 1,
    };
    if (values.json) {
      process.stdout.write(JSON.stringify({ blocks: reports, totals }, null, 2) + "\n");
    } else {
      process.stdout.write(
        `total: ${totals.blocks} blocks, ${totals.txs} txs, ${totals.gasUsed} gas; decode ${totals.decodeMs.toFixed(1)} ms ` +
          `(of which marshalling ${totals.marshalMs.toFixed(1)} ms), execute ${totals.executeMs.toFixed(1)} ms, ` +
          `${totals.mgasPerSec.toFixed(1)} Mgas/s; fixture open ${totals.fixtureOpenMs.toFixed(0)} ms; ` +
          `${totals.verified} verified, ${totals.failed} failed\n`,
      );
    }
    return totals.failed === 0 ? 0 : 1;
  },
};
