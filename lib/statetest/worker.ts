/**
 * The child-process side of the parallel state-test run (see ./pool.ts): runs one file per
 * message and sends its results back. Each child loads its own instance of the addon, so a crash
 * in native code costs only the file being run.
 */
import { runFile, type RunOptions } from "./runner";

interface Task {
  index: number;
  file: string;
  root: string;
  options: RunOptions;
}

process.on("message", (task: Task) => {
  const results = runFile(task.file, task.root, task.options);
  process.send?.({ index: task.index, results });
});
process.on("disconnect", () => process.exit(0));
