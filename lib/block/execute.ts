/**
 * `executeBlock(block, context, options)`: the whole block in one native call that runs off the
 * event loop (a Node-API AsyncWorker). The request is encoded here (./wire.ts), decoded,
 * executed sequentially and encoded on a worker thread, and the result decoded here. An invalid
 * block rejects with a typed error: InvalidTransactionError (with `txIndex` and `reason`),
 * InvalidBlockError, MissingStateError, DecodeError.
 */
import { native } from "../binding";
import {
  awaitNative,
  callNative,
  InvalidBlockError,
  InvalidTransactionError,
  MissingStateError,
} from "../errors";
import { forkRevision } from "../fork";
import { blockSchedule } from "./policy";
import { type BlockStmMetrics, splitStmMetrics } from "./stm-metrics";
import type { Block, BlockContext, BlockResult, ExecuteBlockOptions } from "./types";
import { decodeBlockResult, encodeBlockRequest } from "./wire";
import type { Scratch } from "./writer";

/** An invalid transaction inside a block. */
export class BlockTransactionError extends InvalidTransactionError {
  readonly txIndex: number;
  /** The stable UPPER_SNAKE reason (NONCE_TOO_HIGH, INSUFFICIENT_FUNDS, ...; see lib/state.ts). */
  readonly reason: string;
  constructor(txIndex: number, reason: string, message: string) {
    super(`${reason}: ${message}`, { details: reason });
    this.txIndex = txIndex;
    this.reason = reason;
  }
}

/** A block-level rule was broken; `reason` is a stable UPPER_SNAKE code. */
export class BlockRuleError extends InvalidBlockError {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(`${reason}: ${message}`, { details: reason });
    this.reason = reason;
  }
}

const BYZANTIUM = forkRevision("Byzantium");
// One request buffer for every call: the native side copies the request before it returns, so
// the buffer is free again before any other executeBlock can run.
const requestScratch: Scratch = { buf: Buffer.alloc(0) };
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Executes `block` on `context.pre`, sequentially or on Block-STM (`options.policy`). */
export async function executeBlock(
  block: Block,
  context: BlockContext,
  options: ExecuteBlockOptions = {},
): Promise<BlockResult> {
  const t0 = nowMs();
  const senders: (string | undefined)[] = [];
  const request = encodeBlockRequest(block, context, options, requestScratch, senders);
  const t1 = nowMs();
  const { threads, adaptive, groupsOnly } = blockSchedule(block, options);
  let raw = await awaitNative(
    callNative(() => native().executeBlock(request, threads, adaptive, groupsOnly)),
  );
  const t2 = nowMs();
  let stm: BlockStmMetrics | undefined;
  if (threads > 0) ({ result: raw, metrics: stm } = splitStmMetrics(raw));
  const out = decodeBlockResult(raw, senders);
  if ("kind" in out) {
    if (out.kind === "transaction") throw new BlockTransactionError(out.txIndex, out.reason, out.message);
    if (out.kind === "block") throw new BlockRuleError(out.reason, out.message);
    throw new MissingStateError(out.message);
  }
  if (forkRevision(block.fork) < BYZANTIUM) for (const r of out.receipts) r.stateRootUnavailable = true;
  const t3 = nowMs();
  const [execNs, recoveryNs, nativeDecodeNs] = out.ns as [bigint, bigint, bigint];
  const { ns: _ns, readDiff, ...rest } = out;
  const result: BlockResult = {
    gasUsed: rest.gasUsed,
    blobGasUsed: rest.blobGasUsed,
    logsBloom: rest.logsBloom,
    receipts: rest.receipts,
    diff: [],
    ...(rest.requests !== undefined ? { requests: rest.requests } : {}),
    ...(stm !== undefined ? { stm } : {}),
    timings: {
      encodeMs: t1 - t0,
      nativeDecodeMs: Number(nativeDecodeNs) / 1e6,
      recoveryMs: Number(recoveryNs) / 1e6,
      executeMs: Number(execNs) / 1e6,
      resultDecodeMs: t3 - t2,
    },
  };
  lazyProperty(result, "diff", readDiff);
  return result;
}

/**
 * Makes `key` of `o` a property computed by `compute` on first read (then an ordinary property,
 * in the same place among the keys); assigning it first works as for an ordinary property.
 */
function lazyProperty<T extends object, K extends keyof T>(o: T, key: K, compute: () => T[K]): void {
  const settle = (value: T[K]): void => {
    Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  };
  Object.defineProperty(o, key, {
    get(): T[K] {
      const value = compute();
      settle(value);
      return value;
    },
    set: settle,
    enumerable: true,
    configurable: true,
  });
}
