/**
 * Summarising state-test results: a table per fork and folder (passed, failed), the list of
 * failing cases with their first difference, failure kinds with an example each, and the final
 * `N passed, M failed` line. Also the same as one JSON document.
 */
import { parseFork, forkRevision } from "../fork";
import type { CaseResult, FailureKind } from "./runner";

export interface FolderCount {
  folder: string;
  passed: number;
  failed: number;
}

export interface ForkSummary {
  fork: string;
  passed: number;
  failed: number;
  folders: FolderCount[];
}

export interface FailureKindCount {
  kind: FailureKind;
  /** For unexpected rejections, the reason; otherwise undefined. */
  reason?: string;
  count: number;
  example: string;
}

export interface Summary {
  passed: number;
  failed: number;
  forks: ForkSummary[];
  failures: CaseResult[];
  kinds: FailureKindCount[];
}

function forkOrder(name: string): number {
  try {
    return forkRevision(parseFork(name));
  } catch {
    return 1000;
  }
}

/** One line naming a case: file, id, fork and indexes. */
export function caseLabel(r: CaseResult): string {
  const { data, gas, value } = r.indexes;
  return `${r.file} ${r.id} ${r.fork} d${data}g${gas}v${value}`;
}

export function summarize(results: readonly CaseResult[]): Summary {
  const forks = new Map<string, Map<string, FolderCount>>();
  const failures: CaseResult[] = [];
  const kinds = new Map<string, FailureKindCount>();
  let passed = 0;
  for (const r of results) {
    let folders = forks.get(r.fork);
    if (!folders) forks.set(r.fork, (folders = new Map()));
    let count = folders.get(r.folder);
    if (!count) folders.set(r.folder, (count = { folder: r.folder, passed: 0, failed: 0 }));
    if (r.passed) {
      passed++;
      count.passed++;
      continue;
    }
    count.failed++;
    failures.push(r);
    const f = r.failure ?? { kind: "error" as const, message: "unknown failure" };
    const key = f.kind + (f.reason ? ":" + f.reason : "");
    const k = kinds.get(key);
    if (k) k.count++;
    else
      kinds.set(key, {
        kind: f.kind,
        ...(f.reason !== undefined ? { reason: f.reason } : {}),
        count: 1,
        example: `${caseLabel(r)}: ${f.message}`,
      });
  }
  const forkSummaries: ForkSummary[] = [...forks]
    .sort(([a], [b]) => forkOrder(a) - forkOrder(b) || a.localeCompare(b))
    .map(([fork, folders]) => {
      const list = [...folders.values()].sort((a, b) => a.folder.localeCompare(b.folder));
      return {
        fork,
        passed: list.reduce((s, f) => s + f.passed, 0),
        failed: list.reduce((s, f) => s + f.failed, 0),
        folders: list,
      };
    });
  return {
    passed,
    failed: failures.length,
    forks: forkSummaries,
    failures,
    kinds: [...kinds.values()].sort((a, b) => b.count - a.count),
  };
}

/** The human-readable report; its last line is `N passed, M failed`. */
export function formatSummary(s: Summary, options: { maxFailures?: number } = {}): string {
  const lines: string[] = [];
  for (const fork of s.forks) {
    const width = Math.max(6, ...fork.folders.map((f) => f.folder.length));
    lines.push(`${fork.fork}`);
    lines.push(`  ${"folder".padEnd(width)}  ${"passed".padStart(7)}  ${"failed".padStart(7)}`);
    for (const f of fork.folders)
      lines.push(
        `  ${f.folder.padEnd(width)}  ${String(f.passed).padStart(7)}  ${String(f.failed).padStart(7)}`,
      );
    lines.push(
      `  ${"total".padEnd(width)}  ${String(fork.passed).padStart(7)}  ${String(fork.failed).padStart(7)}`,
    );
    lines.push("");
  }
  if (s.failures.length > 0) {
    const max = options.maxFailures ?? Infinity;
    lines.push(`Failures (${s.failures.length}):`);
    for (const r of s.failures.slice(0, max))
      lines.push(`  FAIL ${caseLabel(r)}: ${r.failure?.message ?? "unknown failure"}`);
    if (s.failures.length > max) lines.push(`  ... and ${s.failures.length - max} more`);
    lines.push("");
    lines.push("Failure kinds:");
    for (const k of s.kinds)
      lines.push(
        `  ${String(k.count).padStart(6)}  ${k.kind}${k.reason ? " " + k.reason : ""}  e.g. ${k.example}`,
      );
    lines.push("");
  }
  lines.push(`${s.passed} passed, ${s.failed} failed`);
  return lines.join("\n") + "\n";
}

/** The JSON report (bigints as decimal strings). */
export function summaryToJson(s: Summary, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      passed: s.passed,
      failed: s.failed,
      ...extra,
      forks: s.forks,
      kinds: s.kinds,
      failures: s.failures.map((r) => ({
        file: r.file,
        id: r.id,
        fork: r.fork,
        indexes: r.indexes,
        kind: r.failure?.kind,
        reason: r.failure?.reason,
        message: r.failure?.message,
      })),
    },
    null,
    2,
  );
}
