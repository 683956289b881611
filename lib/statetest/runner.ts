/**
 * Running state-test cases through executeTransaction and checking each against its
 * expectations: a rejected transaction when `expectException` is set (and the state unchanged),
 * otherwise an accepted one whose post state and logs hash match.
 */
import * as path from "node:path";
import { forks as allForks, type Fork } from "../fork";
import { executeTransaction, type ExecuteOptions } from "../state";
import { compareState, formatDifference, logsHash, type DifferenceKind } from "./compare";
import { findStateTestFiles, loadStateTestFile, type JsonIndexes, type StateTestCase } from "./fixture";

/** The forks a run covers unless told otherwise. */
export const defaultForks: readonly Fork[] = ["Cancun", "Prague", "Osaka"];

/** Why a case failed, for grouping. */
export type FailureKind = DifferenceKind | "logs" | "unexpected-exception" | "unexpected-success" | "error";

export interface CaseFailure {
  kind: FailureKind;
  /** One line: the first differing account or slot, or the unexpected outcome. */
  message: string;
  /** The rejection reason, for kind "unexpected-exception". */
  reason?: string;
}

export interface CaseResult {
  file: string;
  /** The file's folder relative to the run's root (for the per-folder table). */
  folder: string;
  id: string;
  fork: string;
  indexes: JsonIndexes;
  passed: boolean;
  failure?: CaseFailure;
  gasUsed?: bigint;
  executionNs?: number;
}

export interface RunOptions {
  forks?: readonly Fork[];
  /** An external EVMC VM shared library to execute with. */
  vm?: string;
}

/** Runs and checks one case. Never throws: an exception becomes a failure of kind "error". */
export function runCase(c: StateTestCase, options: ExecuteOptions = {}): Omit<CaseResult, "folder"> {
  const base = { file: c.file, id: c.id, fork: c.forkName, indexes: c.indexes };
  const fail = (failure: CaseFailure, extra: { gasUsed?: bigint } = {}): Omit<CaseResult, "folder"> => ({
    ...base,
    passed: false,
    failure,
    ...extra,
  });
  let result;
  try {
    result = executeTransaction(c.fork, c.pre, c.env, c.tx, options);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return fail({ kind: "error", message: `${e.code ?? "Error"}: ${e.message ?? String(err)}` });
  }
  try {
    if (c.expectException !== undefined) {
      if (!result.invalid)
        return fail(
          {
            kind: "unexpected-success",
            message: `expected rejection (${c.expectException}) but the transaction was accepted (status ${result.status}, gas ${result.gasUsed})`,
          },
          { gasUsed: result.gasUsed },
        );
    } else if (result.invalid) {
      return fail({
        kind: "unexpected-exception",
        reason: result.invalid.reason,
        message: `unexpected rejection ${result.invalid.reason}: ${result.invalid.message}`,
      });
    }
    const expected = c.expectedState();
    if (expected) {
      const diff = compareState(expected, result.post);
      if (diff) {
        const gas = result.invalid ? "rejected" : `status ${result.status}, gas ${result.gasUsed}`;
        return fail(
          { kind: diff.kind, message: `${formatDifference(diff)} (${gas})` },
          { gasUsed: result.gasUsed },
        );
      }
    }
    const logs = result.invalid ? logsHash([]) : logsHash(result.logs);
    if (logs !== c.expectedLogsHash)
      return fail(
        {
          kind: "logs",
          message: `logs hash: expected ${c.expectedLogsHash}, got ${logs} (${result.logs.length} logs)`,
        },
        { gasUsed: result.gasUsed },
      );
    return { ...base, passed: true, gasUsed: result.gasUsed, executionNs: result.executionNs };
  } catch (err) {
    return fail({ kind: "error", message: `checking failed: ${(err as Error).message}` });
  }
}

/** The folder of `file` relative to the root it was found under (posix separators). */
export function folderOf(file: string, root: string): string {
  const rel = path.relative(root, path.dirname(file));
  return rel === "" ? "." : rel.split(path.sep).join("/");
}

/** The root each file is reported relative to: the given folder, or a file's own folder. */
function rootsOf(paths: readonly string[]): { file: string; root: string }[] {
  const out: { file: string; root: string }[] = [];
  for (const p of paths) {
    const files = findStateTestFiles([p]);
    const root = files.length === 1 && files[0] === p ? path.dirname(p) : p;
    for (const file of files) out.push({ file, root });
  }
  return out;
}

/** Runs all cases of one file (for the given forks); a file that cannot be read is one error. */
export function runFile(file: string, root: string, options: RunOptions = {}): CaseResult[] {
  const forks = new Set(options.forks ?? defaultForks);
  const folder = folderOf(file, root);
  const execOptions: ExecuteOptions = options.vm !== undefined ? { vm: options.vm } : {};
  let cases: StateTestCase[];
  try {
    cases = loadStateTestFile(file, forks);
  } catch (err) {
    return [
      {
        file,
        folder,
        id: "(file)",
        fork: "-",
        indexes: { data: 0, gas: 0, value: 0 },
        passed: false,
        failure: { kind: "error", message: (err as Error).message },
      },
    ];
  }
  return cases.map((c) => ({ ...runCase(c, execOptions), folder }));
}

/** Lists the (file, root) pairs a run over `paths` covers. */
export function planRun(paths: readonly string[]): { file: string; root: string }[] {
  return rootsOf(paths);
}

/** Runs every case under `paths` in this thread. */
export function runStateTests(paths: readonly string[], options: RunOptions = {}): CaseResult[] {
  const results: CaseResult[] = [];
  for (const { file, root } of planRun(paths)) results.push(...runFile(file, root, options));
  return results;
}

/** Every fork name the runner accepts for --fork (the package's forks). */
export const knownForks: readonly Fork[] = allForks;
