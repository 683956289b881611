/**
 * The child-process side of the parallel state-test run (see ./pool.ts): runs one file per
 * message and sends its results back. Each child loads its own instance of the addon, so a crash
 * in native code costs only the file being run.
 *
 * The files run on a thread with a large stack rather than on the child's main thread: a call
 * chain 1024 frames deep recurses natively, which needs more than a Node worker's 4 MB default
 * and, in sanitizer builds (bigger frames), more than the 8 MB main-thread stack.
 */
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import { runFile, type RunOptions } from "./runner";

interface Task {
  index: number;
  file: string;
  root: string;
  options: RunOptions;
}

/** The stack of the thread that runs the files (address space only; pages are used on demand). */
const STACK_MB = 256;

if (isMainThread) {
  const inner = new Worker(__filename, { resourceLimits: { stackSizeMb: STACK_MB } });
  process.on("message", (task: Task) => inner.postMessage(task));
  inner.on("message", (msg: unknown) => process.send?.(msg));
  inner.on("error", (err) => {
    process.stderr.write(`state-test worker: ${err.stack ?? String(err)}\n`);
    process.exit(1);
  });
  // When the parent is done, let the thread and then the process end on their own (no
  // terminate() or exit(): a clean teardown keeps LeakSanitizer runs quiet).
  process.on("disconnect", () => inner.postMessage(null));
} else {
  parentPort!.on("message", (task: Task | null) => {
    if (task === null) {
      parentPort!.close();
      return;
    }
    parentPort!.postMessage({ index: task.index, results: runFile(task.file, task.root, task.options) });
  });
}
