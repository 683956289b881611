/**
 * The scheduling policy of executeBlock: how many Block-STM threads a block runs on (0: the
 * sequential executor). `sequential` never uses Block-STM, `parallel` always does, and `auto` must
 * never be meaningfully slower than sequential execution. `auto` runs a block sequentially with one
 * thread, few transactions, little gas, or small transactions (their per-transaction cost on
 * Block-STM exceeds what two threads win; measured with `parallel-evm bench blocks --policy auto`
 * on the 2-core reference machine, bench/README.md), except a block of small transactions that
 * may all be plain ETH transfers: the native side runs that as transfer groups when they split into
 * several (native/state/block_transfers.hpp: no Block-STM costs), else sequentially. Otherwise it
 * runs Block-STM adaptively: the native side still runs the block sequentially when one sender's
 * nonce chain is most of it, and stops Block-STM once most executions end in conflicts, continuing
 * sequentially from the transactions already committed.
 */
import * as os from "node:os";
import { InvalidArgumentError } from "../errors";
import type { Block, ExecuteBlockOptions } from "./types";

/** Whether `auto` may use Block-STM at all on this build (see the measurements above). */
export const AUTO_PARALLEL_ENABLED = true;
/** `auto` runs sequentially below this many transactions. */
export const AUTO_MIN_TXS = 8;
/**
 * `auto` runs sequentially below this much gas (the header's gasUsed, else the transactions' gas
 * limits): a block that executes in a millisecond or two pays Block-STM's fixed costs (a state
 * snapshot, waking the pool, the tables) without enough work to win them back.
 */
export const AUTO_MIN_GAS = 8_000_000n;
/** `auto` runs sequentially when the transactions use less gas than this on average. */
export const AUTO_MIN_GAS_PER_TX = 25_000n;

/** The default thread count: one per hardware thread. */
export function defaultThreads(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

/** How executeBlock runs a block: Block-STM threads (0: the sequential executor), adaptively or not. */
export interface BlockSchedule {
  threads: number;
  /** Block-STM stops once conflicts dominate and the block continues sequentially (`auto`). */
  adaptive: boolean;
  /** Only as transfer groups; a block the native side cannot plan so runs sequentially. */
  groupsOnly: boolean;
}

/** Block-STM threads for `block` under `options` (0: sequential). */
export function blockThreads(block: Block, options: ExecuteBlockOptions): number {
  return blockSchedule(block, options).threads;
}

/** The schedule of `block` under `options`: `sequential`, `parallel`, or `auto` (see above). */
export function blockSchedule(block: Block, options: ExecuteBlockOptions): BlockSchedule {
  const policy = options.policy ?? "sequential";
  if (policy !== "sequential" && policy !== "parallel" && policy !== "auto")
    throw new InvalidArgumentError(
      `policy must be "sequential", "parallel" or "auto", not ${String(policy)}`,
    );
  const threads = options.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024)
    throw new InvalidArgumentError(`threads must be an integer from 1 to 1024, not ${String(threads)}`);
  const sequential = { threads: 0, adaptive: false, groupsOnly: false };
  if (policy === "sequential") return sequential;
  if (policy === "parallel") return { threads, adaptive: false, groupsOnly: false };
  if (!AUTO_PARALLEL_ENABLED) return sequential;
  const txs = block.transactions.length;
  if (threads < 2 || txs < AUTO_MIN_TXS) return sequential;
  // The gas the block used, where the header says it (else the transactions' limits).
  let used = block.header.gasUsed;
  if (used <= 0n) for (const tx of block.transactions) used += tx.gasLimit;
  if (used < AUTO_MIN_GAS) return sequential;
  // Small transactions cost Block-STM more than two threads win; as transfer groups they pay.
  if (used < AUTO_MIN_GAS_PER_TX * BigInt(txs))
    return block.transactions.every(maybePlainTransfer)
      ? { threads, adaptive: true, groupsOnly: true }
      : sequential;
  return { threads, adaptive: true, groupsOnly: false };
}

/** What the block alone says of a plain transfer (the native side checks the accounts' code). */
function maybePlainTransfer(tx: Block["transactions"][number]): boolean {
  return tx.type <= 3 && tx.to !== null && (tx.authorizationList?.length ?? 0) === 0;
}
