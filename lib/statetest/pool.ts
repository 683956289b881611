/**
 * Runs state-test files on several child processes (one file per task, largest first so the
 * children finish together) and returns the results in file order, as the sequential run would.
 * Processes rather than threads: a native crash (or a sanitizer abort) in one file is reported as
 * that file's failure, a fresh child takes over, and the run goes on (see ./worker.ts for the
 * children's large stacks). Falls back to this process when the compiled worker script is not
 * available (running from TypeScript sources, as vitest does) or when jobs is 0.
 */
import { fork, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { native } from "../binding";
import { folderOf, planRun, runFile, type CaseResult, type RunOptions } from "./runner";

export interface ParallelRunOptions extends RunOptions {
  /** Worker processes; default 1; 0 runs in this process. */
  jobs?: number;
  /** Called after each file with the number of files done and the total. */
  onProgress?: (done: number, total: number) => void;
}

function workerScript(): string | undefined {
  const file = path.join(__dirname, "worker.js");
  return fs.existsSync(file) ? file : undefined;
}

interface Task {
  index: number;
  file: string;
  root: string;
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
  const jobs = Math.max(0, Math.min(options.jobs ?? 1, plan.length));
  const script = workerScript();
  const perFile: CaseResult[][] = new Array<CaseResult[]>(plan.length);
  if (jobs === 0 || !script) {
    plan.forEach(({ file, root }, i) => {
      perFile[i] = runFile(file, root, runOptions);
      options.onProgress?.(i + 1, plan.length);
    });
    return perFile.flat();
  }
  const queue: Task[] = plan
    .map((p, index) => ({ ...p, index, size: fs.statSync(p.file).size }))
    .sort((a, b) => b.size - a.size);
  // Load the addon here first: a broken build fails once, clearly, instead of in every child.
  native();
  let done = 0;
  let deathsInARow = 0;
  await new Promise<void>((resolve, reject) => {
    const record = (task: Task, results: CaseResult[]): void => {
      perFile[task.index] = results;
      done++;
      options.onProgress?.(done, plan.length);
      if (done === plan.length) resolve();
    };
    const start = (): void => {
      const child: ChildProcess = fork(script, [], { serialization: "advanced", stdio: "inherit" });
      let current: Task | undefined;
      const feed = (): void => {
        current = queue.shift();
        if (current)
          child.send({ index: current.index, file: current.file, root: current.root, options: runOptions });
        else child.disconnect();
      };
      child.on("message", (msg: { index: number; results: CaseResult[] }) => {
        const task = current!;
        current = undefined;
        deathsInARow = 0;
        record(task, msg.results);
        feed();
      });
      child.on("exit", (code, signal) => {
        if (!current) return;
        const task = current;
        current = undefined;
        record(task, [
          {
            file: task.file,
            folder: folderOf(task.file, task.root),
            id: "(file)",
            fork: "-",
            indexes: { data: 0, gas: 0, value: 0 },
            passed: false,
            failure: {
              kind: "error",
              message: `the worker process died (${signal ?? `exit status ${code}`})`,
            },
          },
        ]);
        // A child that dies on file after file is broken, not the files: stop the run.
        if (++deathsInARow >= 5) {
          reject(
            new Error(`state-test worker processes died ${deathsInARow} times in a row (last: ${task.file})`),
          );
          queue.length = 0;
        } else if (queue.length > 0) start();
      });
      feed();
    };
    for (let i = 0; i < jobs; i++) start();
  });
  return perFile.flat();
}
