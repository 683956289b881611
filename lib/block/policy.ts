/**
 * The scheduling policy of executeBlock: how many Block-STM threads a block runs on (0: the
 * sequential executor). `auto` keeps small blocks sequential, where thread hand-offs cost more
 * than parallelism can win; the thresholds are to be justified by bench/README.md measurements.
 */
import * as os from "node:os";
import { InvalidArgumentError } from "../errors";
import type { Block, ExecuteBlockOptions } from "./types";

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
  if (threads < 2 || block.transactions.length < AUTO_MIN_TXS) return 0;
  let gas = 0n;
  for (const tx of block.transactions) gas += tx.gasLimit;
  return gas < AUTO_MIN_GAS ? 0 : threads;
}
