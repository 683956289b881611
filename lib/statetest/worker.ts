/**
 * The worker-thread side of the parallel state-test run (see ./pool.ts): runs one file per
 * message and posts its results back. Each worker loads its own instance of the addon.
 */
import { parentPort } from "node:worker_threads";
import { runFile, type RunOptions } from "./runner";

interface Task {
  index: number;
  file: string;
  root: string;
  options: RunOptions;
}

parentPort?.on("message", (task: Task) => {
  const results = runFile(task.file, task.root, task.options);
  parentPort!.postMessage({ index: task.index, results });
});
