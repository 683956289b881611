/**
 * The scheduling policy of executeBlock: how many Block-STM threads a block runs on (0: the
 * sequential executor). `auto` must never choose a path that is slower than sequential execution.
 * Measured with `parallel-evm bench blocks` on the 2-core reference machine (bench/README.md), the
 * parallel path does not yet beat sequential execution at any block size (its per-transaction
 * overhead exceeds what two threads win), so `auto` runs every block sequentially until those
 * measurements justify thresholds; `parallel` always uses Block-STM.
 */
import * as os from "node:os";
import { InvalidArgumentError } from "../errors";
import type { Block, ExecuteBlockOptions } from "./types";

/** Whether `auto` may use Block-STM at all on this build (see the measurements above). */
export const AUTO_PARALLEL_ENABLED = false;
/** `auto` runs sequentially below this many transactions. */
export const AUTO_MIN_TXS = 8;
/** `auto` runs sequentially below this much total gas limit of the transactions. */
export const AUTO_MIN_GAS = 1_000_000n;

/** The default thread count: one per hardware thread. */
export function defaultThreads(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

/** Block-STM threads for `block` under `options` (0: sequential). */
export function blockThreads(block: Block, options: ExecuteBlockOptions): number {
  const policy = options.policy ?? "sequential";
  if (policy !== "sequential" && policy !== "parallel" && policy !== "auto")
    throw new InvalidArgumentError(
      `policy must be "sequential", "parallel" or "auto", not ${String(policy)}`,
    );
  const threads = options.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024)
    throw new InvalidArgumentError(`threads must be an integer from 1 to 1024, not ${String(threads)}`);
  if (policy === "sequential") return 0;
  if (policy === "parallel") return threads;
  if (!AUTO_PARALLEL_ENABLED) return 0;
  if (threads < 2 || block.transactions.length < AUTO_MIN_TXS) return 0;
  let gas = 0n;
  for (const tx of block.transactions) gas += tx.gasLimit;
  return gas < AUTO_MIN_GAS ? 0 : threads;
}
