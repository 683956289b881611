/**
 * Runs state-test files on several worker threads (one file per task, largest first so the
 * workers finish together) and returns the results in file order, as the sequential run would.
 * Falls back to this thread for jobs <= 1 or when the compiled worker script is not available
 * (running from TypeScript sources).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { planRun, runFile, type CaseResult, type RunOptions } from "./runner";

export interface ParallelRunOptions extends RunOptions {
  /** Worker threads; default 1 (this thread). */
  jobs?: number;
  /** Called after each file with the number of files done and the total. */
  onProgress?: (done: number, total: number) => void;
}

function workerScript(): string | undefined {
  const file = path.join(__dirname, "worker.js");
  return fs.existsSync(file) ? file : undefined;
}

export async function runStateTestsParallel(
  paths: readonly string[],
  options: ParallelRunOptions = {},
): Promise<CaseResult[]> {
  const plan = planRun(paths);
  const runOptions: RunOptions = {
    ...(options.forks !== undefined ? { forks: options.forks } : {}),
    ...(options.vm !== undefined ? { vm: options.vm } : {}),
  };
  const jobs = Math.max(1, Math.min(options.jobs ?? 1, plan.length));
  const script = workerScript();
  const perFile: CaseResult[][] = new Array<CaseResult[]>(plan.length);
  if (jobs <= 1 || !script) {
    plan.forEach(({ file, root }, i) => {
      perFile[i] = runFile(file, root, runOptions);
      options.onProgress?.(i + 1, plan.length);
    });
    return perFile.flat();
  }
  const order = plan
    .map((p, index) => ({ ...p, index, size: fs.statSync(p.file).size }))
    .sort((a, b) => b.size - a.size);
  let next = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    let failed = false;
    const finish = (err?: unknown): void => {
      if (failed) return;
      if (err !== undefined) failed = true;
      if (err !== undefined || done === plan.length) {
        for (const w of workers) void w.terminate();
        if (err !== undefined) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve();
      }
    };
    const feed = (w: Worker): void => {
      const task = order[next++];
      if (task) w.postMessage({ index: task.index, file: task.file, root: task.root, options: runOptions });
    };
    for (let i = 0; i < jobs; i++) {
      const w = new Worker(script);
      workers.push(w);
      w.on("message", (msg: { index: number; results: CaseResult[] }) => {
        perFile[msg.index] = msg.results;
        done++;
        options.onProgress?.(done, plan.length);
        if (done === plan.length) finish();
        else feed(w);
      });
      w.on("error", (err) => finish(err));
      w.on("exit", (code) => {
        if (code !== 0 && done < plan.length)
          finish(new Error(`state-test worker exited with status ${code}`));
      });
      feed(w);
    }
  });
  return perFile.flat();
}
