/**
 * Blockchain tests (execution-spec-tests `blockchain_tests`): a genesis header and a complete
 * pre-state, then RLP blocks, each valid or expected to be rejected (`expectException`). Every
 * block is decoded, checked against its parent header (number, parent hash, timestamp, gas limit,
 * base fee, excess blob gas, fork-specific fields, transactions and withdrawals roots), executed,
 * and checked against its own header (gasUsed, logsBloom, receiptsRoot, blobGasUsed,
 * requestsHash, stateRoot). A valid block advances the chain; an invalid one must be rejected.
 */
import { DecodeError, ParallelEvmError } from "../errors";
import { forkRevision, parseFork, type Fork } from "../fork";
import { rlpDecode } from "../rlp";
import type { State } from "../state";
import { firstDifference } from "./compare";
import { BlockTransactionError, BlockRuleError, executeBlock } from "./execute";
import { arr, data, decodePreState, obj, quantity } from "./json";
import { decodeHeader, decodeRlpBlock } from "./rlp-block";
import { applyDiff, stateRoot } from "./state-root";
import { orderedTrieRoot } from "./trie";
import type { Block, BlockHeader } from "./types";
import { verifyBlock } from "./verify";

const GAS_PER_BLOB = 131072n;
const EMPTY_OMMERS_HASH = "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";

export interface BlockTestOutcome {
  name: string;
  passed: boolean;
  /** Why it failed. */
  error?: string;
  blocks: number;
  /** Invalid blocks rejected, with our reason and the expected one. */
  rejections: { ours: string; expected: string; matched: boolean }[];
}

interface BlobParams {
  target: bigint;
  max: bigint;
  fraction: bigint;
}

const defaultBlobParams: Partial<Record<Fork, BlobParams>> = {
  Cancun: { target: 3n, max: 6n, fraction: 3338477n },
  Prague: { target: 6n, max: 9n, fraction: 5007716n },
  Osaka: { target: 6n, max: 9n, fraction: 5007716n },
};

/** The fork of each block: a plain network name, or `XToYAtTime15k` / `XToYAtBlock5`. */
export function networkForks(network: string): (h: BlockHeader) => Fork {
  const m = /^(\w+?)To(\w+?)At(Time|Block)(\d+)(k?)$/.exec(network);
  if (m) {
    const before = parseFork(m[1]!);
    const after = parseFork(m[2]!);
    const at = BigInt(m[4]!) * (m[5] === "k" ? 1000n : 1n);
    const byTime = m[3] === "Time";
    return (h) => ((byTime ? h.timestamp : h.number) >= at ? after : before);
  }
  const fork = parseFork(network);
  return () => fork;
}

function fakeExponential(factor: bigint, numerator: bigint, denominator: bigint): bigint {
  let i = 1n;
  let output = 0n;
  let acc = factor * denominator;
  while (acc > 0n) {
    output += acc;
    acc = (acc * numerator) / (denominator * i);
    i++;
  }
  return output / denominator;
}

function expectedExcessBlobGas(parent: BlockHeader, fork: Fork, params: BlobParams): bigint {
  const excess = parent.excessBlobGas ?? 0n;
  const used = parent.blobGasUsed ?? 0n;
  const target = params.target * GAS_PER_BLOB;
  if (excess + used < target) return 0n;
  if (forkRevision(fork) >= forkRevision("Osaka")) {
    // EIP-7918: while blobs are cheaper than their execution cost, excess only grows.
    const blobBaseFee = fakeExponential(1n, excess, params.fraction);
    if (8192n * (parent.baseFeePerGas ?? 0n) > GAS_PER_BLOB * blobBaseFee)
      return excess + (used * (params.max - params.target)) / params.max;
  }
  return excess + used - target;
}

function expectedBaseFee(parent: BlockHeader): bigint {
  const base = parent.baseFeePerGas ?? 1_000_000_000n;
  const target = parent.gasLimit / 2n;
  if (parent.gasUsed === target) return base;
  if (parent.gasUsed > target) {
    const delta = (base * (parent.gasUsed - target)) / target / 8n;
    return base + (delta > 1n ? delta : 1n);
  }
  return base - (base * (target - parent.gasUsed)) / target / 8n;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

function reject(reason: string, message: string): never {
  throw new BlockRuleError(reason, message);
}

/** Header rules against the parent, for the forks the tests cover (Paris on). */
function checkHeader(h: BlockHeader, parent: BlockHeader, fork: Fork, blob: BlobParams | undefined): void {
  const rev = forkRevision(fork);
  const has = (v: unknown): boolean => v !== undefined;
  if (h.number !== parent.number + 1n)
    reject("INVALID_BLOCK_NUMBER", `number ${h.number} after ${parent.number}`);
  if (hex(h.parentHash) !== hex(parent.hash!)) reject("INVALID_PARENT_HASH", "parent hash mismatch");
  if (h.timestamp <= parent.timestamp)
    reject("INVALID_BLOCK_TIMESTAMP_OLDER_THAN_PARENT", "timestamp not after parent");
  if (h.extraData.length > 32) reject("EXTRA_DATA_TOO_BIG", "extra data above 32 bytes");
  const limitDelta =
    h.gasLimit > parent.gasLimit ? h.gasLimit - parent.gasLimit : parent.gasLimit - h.gasLimit;
  if (limitDelta >= parent.gasLimit / 1024n || h.gasLimit < 5000n)
    reject("INVALID_GASLIMIT", "gas limit change too large");
  if (h.gasUsed > h.gasLimit) reject("GAS_USED_OVERFLOW", "gas used above gas limit");
  if (rev >= forkRevision("London")) {
    if (h.baseFeePerGas === undefined) reject("INCORRECT_BLOCK_FORMAT", "missing base fee");
    if (h.baseFeePerGas !== expectedBaseFee(parent)) reject("INVALID_BASEFEE_PER_GAS", "base fee mismatch");
  }
  if (rev >= forkRevision("Paris")) {
    if (h.difficulty !== 0n) reject("IMPORT_IMPOSSIBLE_DIFFICULTY_OVER_PARIS", "difficulty must be 0");
    if (hex(h.nonce ?? new Uint8Array(8)) !== "0000000000000000")
      reject("INCORRECT_BLOCK_FORMAT", "nonce must be 0");
    if (hex(h.ommersHash!) !== EMPTY_OMMERS_HASH)
      reject("IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS", "ommers over Paris");
  }
  const shanghai = rev >= forkRevision("Shanghai");
  const cancun = rev >= forkRevision("Cancun");
  const prague = rev >= forkRevision("Prague");
  if (has(h.withdrawalsRoot) !== shanghai) reject("INCORRECT_BLOCK_FORMAT", "withdrawalsRoot presence");
  if (
    has(h.blobGasUsed) !== cancun ||
    has(h.excessBlobGas) !== cancun ||
    has(h.parentBeaconBlockRoot) !== cancun
  )
    reject("INCORRECT_BLOCK_FORMAT", "blob fields presence");
  if (has(h.requestsHash) !== prague) reject("INCORRECT_BLOCK_FORMAT", "requestsHash presence");
  if (cancun && blob) {
    if (h.excessBlobGas !== expectedExcessBlobGas(parent, fork, blob))
      reject(
        "INCORRECT_EXCESS_BLOB_GAS",
        `excess blob gas ${h.excessBlobGas}, expected ${expectedExcessBlobGas(parent, fork, blob)}`,
      );
    if (h.blobGasUsed! > blob.max * GAS_PER_BLOB)
      reject("BLOB_GAS_USED_ABOVE_LIMIT", "blob gas used above the limit");
  }
}

/** Our reason codes and the execution-spec-tests exception names they stand for. */
const reasonNames: Record<string, string[]> = {
  NONCE_TOO_LOW: ["NONCE_MISMATCH_TOO_LOW"],
  NONCE_TOO_HIGH: ["NONCE_MISMATCH_TOO_HIGH"],
  NONCE_IS_MAX: ["NONCE_IS_MAX"],
  INSUFFICIENT_FUNDS: ["INSUFFICIENT_ACCOUNT_FUNDS"],
  INTRINSIC_GAS_TOO_LOW: ["INTRINSIC_GAS_TOO_LOW"],
  INTRINSIC_GAS_BELOW_FLOOR: ["INTRINSIC_GAS_BELOW_FLOOR_GAS_COST"],
  GAS_LIMIT_EXCEEDS_BLOCK: ["GAS_ALLOWANCE_EXCEEDED"],
  GAS_ALLOWANCE_EXCEEDED: ["GAS_ALLOWANCE_EXCEEDED"],
  GAS_LIMIT_ABOVE_CAP: ["GAS_LIMIT_EXCEEDS_MAXIMUM"],
  FEE_CAP_BELOW_BASE_FEE: ["INSUFFICIENT_MAX_FEE_PER_GAS"],
  PRIORITY_FEE_ABOVE_FEE_CAP: ["PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS"],
  SENDER_NOT_EOA: ["SENDER_NOT_EOA"],
  INITCODE_TOO_LARGE: ["INITCODE_SIZE_EXCEEDED"],
  TYPE_NOT_SUPPORTED: ["TYPE_3_TX_PRE_FORK", "TYPE_4_TX_PRE_FORK", "TYPE_NOT_SUPPORTED"],
  BLOB_TX_CREATE: ["TYPE_3_TX_CONTRACT_CREATION"],
  BLOB_COUNT_ZERO: ["TYPE_3_TX_ZERO_BLOBS"],
  BLOB_COUNT_EXCEEDED: ["TYPE_3_TX_BLOB_COUNT_EXCEEDED", "TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED"],
  BLOB_GAS_LIMIT_EXCEEDED: ["TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED", "BLOB_GAS_USED_ABOVE_LIMIT"],
  BLOB_VERSIONED_HASH_INVALID: ["TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH", "INVALID_VERSIONED_HASHES"],
  BLOB_FEE_CAP_BELOW_BLOB_BASE_FEE: ["INSUFFICIENT_MAX_FEE_PER_BLOB_GAS"],
  SET_CODE_TX_CREATE: ["TYPE_4_TX_CONTRACT_CREATION"],
  EMPTY_AUTHORIZATION_LIST: ["TYPE_4_EMPTY_AUTHORIZATION_LIST"],
  SYSTEM_CONTRACT_CALL_FAILED: ["SYSTEM_CONTRACT_CALL_FAILED"],
  SYSTEM_CONTRACT_EMPTY: ["SYSTEM_CONTRACT_EMPTY"],
  INVALID_DEPOSIT_EVENT_LAYOUT: ["INVALID_DEPOSIT_EVENT_LAYOUT"],
  INCORRECT_EXCESS_BLOB_GAS: ["INCORRECT_EXCESS_BLOB_GAS"],
  INCORRECT_BLOCK_FORMAT: ["INCORRECT_BLOCK_FORMAT"],
  MISMATCH_requestsHash: ["INVALID_REQUESTS"],
  MISMATCH_blobGasUsed: ["INCORRECT_BLOB_GAS_USED"],
  MISMATCH_gasUsed: ["INVALID_GAS_USED"],
  MISMATCH_stateRoot: ["INVALID_STATE_ROOT"],
  MISMATCH_receiptsRoot: ["INVALID_RECEIPTS_ROOT"],
  BLOB_GAS_USED_ABOVE_LIMIT: ["BLOB_GAS_USED_ABOVE_LIMIT", "TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED"],
  DECODE: ["RLP_STRUCTURES_ENCODING", "INCORRECT_BLOCK_FORMAT", "TYPE_3_TX_WITH_FULL_BLOBS"],
};

function reasonOf(err: unknown): string {
  if (err instanceof BlockTransactionError || err instanceof BlockRuleError) return err.reason;
  if (err instanceof DecodeError) return "DECODE";
  if (err instanceof ParallelEvmError) {
    const d = err.details ?? /^([A-Z_]+):/.exec(err.message)?.[1];
    return d ?? err.code;
  }
  return "ERROR";
}

function matches(ours: string, expected: string): boolean {
  const names = expected.split("|").map((e) => e.replace(/^\w+Exception\./, ""));
  return names.some((n) => n === ours || (reasonNames[ours] ?? []).includes(n));
}

/**
 * How runBlockTest executes each block: sequentially (the default), or also with `policy` on
 * `threads` Block-STM threads, which must then agree with the sequential run exactly (the same
 * result, or the same rejection).
 */
export interface BlockTestExecution {
  policy: "sequential" | "parallel" | "auto";
  threads?: number;
}

/** Parallel and sequential execution disagreed on a block: the test fails, whatever it expects. */
class ParallelMismatch extends Error {}

/** Runs one blockchain test. */
export async function runBlockTest(
  name: string,
  test: unknown,
  execution: BlockTestExecution = { policy: "sequential" },
): Promise<BlockTestOutcome> {
  const outcome: BlockTestOutcome = { name, passed: false, blocks: 0, rejections: [] };
  try {
    const t = obj(test, name);
    const network = String(t["network"]);
    const forkOf = networkForks(network);
    const config = t["config"] === undefined ? {} : obj(t["config"], "config");
    const chainId = config["chainid"] === undefined ? 1n : quantity(config["chainid"], "config.chainid");
    const blobParams = { ...defaultBlobParams };
    if (config["blobSchedule"] !== undefined) {
      for (const [forkName, p] of Object.entries(obj(config["blobSchedule"], "blobSchedule"))) {
        const o = obj(p, `blobSchedule.${forkName}`);
        try {
          blobParams[parseFork(forkName)] = {
            target: quantity(o["target"], "target"),
            max: quantity(o["max"], "max"),
            fraction: quantity(o["baseFeeUpdateFraction"], "baseFeeUpdateFraction"),
          };
        } catch {
          // a fork we do not know (BPO schedules): not used by our networks
        }
      }
    }
    let state: State = decodePreState(t["pre"]);
    const genesis = rlpDecode(data(t["genesisRLP"], "genesisRLP"));
    if (!Array.isArray(genesis) || genesis[0] === undefined)
      throw new DecodeError("genesisRLP is not a block");
    let parent = decodeHeader(genesis[0], "genesis");
    if (hex(stateRoot(state)) !== hex(parent.stateRoot)) {
      outcome.error = "the genesis state root does not match the pre-state";
      return outcome;
    }
    const blockHashes = new Map<bigint, Uint8Array>([[parent.number, parent.hash!]]);
    for (const [i, raw] of arr(t["blocks"], "blocks").entries()) {
      const b = obj(raw, `blocks[${i}]`);
      const expected = typeof b["expectException"] === "string" ? b["expectException"] : undefined;
      let accepted: { header: BlockHeader; post: State } | undefined;
      let reason = "";
      let detail = "";
      try {
        accepted = await importBlock(
          data(b["rlp"], `blocks[${i}].rlp`),
          parent,
          state,
          forkOf,
          chainId,
          blobParams,
          blockHashes,
          execution,
        );
      } catch (err) {
        if (err instanceof ParallelMismatch) {
          outcome.error = `block ${i}: ${err.message}`;
          return outcome;
        }
        reason = reasonOf(err);
        detail = err instanceof Error ? err.message : String(err);
      }
      outcome.blocks++;
      if (accepted) {
        if (expected !== undefined) {
          outcome.error = `block ${i}: accepted, but expected ${expected}`;
          return outcome;
        }
        state = accepted.post;
        parent = accepted.header;
        blockHashes.set(parent.number, parent.hash!);
      } else {
        if (expected === undefined) {
          outcome.error = `block ${i}: rejected: ${detail}`;
          return outcome;
        }
        outcome.rejections.push({ ours: reason, expected, matched: matches(reason, expected) });
      }
    }
    const last =
      typeof t["lastblockhash"] === "string" ? t["lastblockhash"].slice(2).toLowerCase() : undefined;
    if (last !== undefined && last !== hex(parent.hash!)) {
      outcome.error = `last block hash 0x${hex(parent.hash!)}, expected 0x${last}`;
      return outcome;
    }
    outcome.passed = true;
  } catch (err) {
    outcome.error = `test error: ${err instanceof Error ? err.message : String(err)}`;
  }
  return outcome;
}

async function importBlock(
  rlp: Uint8Array,
  parent: BlockHeader,
  state: State,
  forkOf: (h: BlockHeader) => Fork,
  chainId: bigint,
  blobParams: Partial<Record<Fork, BlobParams>>,
  blockHashes: Map<bigint, Uint8Array>,
  execution: BlockTestExecution,
): Promise<{ header: BlockHeader; post: State }> {
  const decoded = decodeRlpBlock(rlp, forkOf, chainId);
  const block: Block = decoded.block;
  const h = block.header;
  checkHeader(h, parent, block.fork, blobParams[block.fork]);
  if (hex(orderedTrieRoot(decoded.txValues)) !== hex(h.transactionsRoot!))
    reject("INVALID_TRANSACTIONS_ROOT", "transactions root mismatch");
  if (decoded.withdrawalValues !== undefined) {
    if (h.withdrawalsRoot === undefined)
      reject("INCORRECT_BLOCK_FORMAT", "withdrawals without withdrawalsRoot");
    if (hex(orderedTrieRoot(decoded.withdrawalValues)) !== hex(h.withdrawalsRoot))
      reject("INVALID_WITHDRAWALS_ROOT", "withdrawals root mismatch");
  } else if (h.withdrawalsRoot !== undefined) {
    reject("INCORRECT_BLOCK_FORMAT", "withdrawalsRoot without withdrawals");
  }
  const context = { pre: state, blockHashes, chainId };
  const run = (policy: BlockTestExecution["policy"]) =>
    executeBlock(block, context, {
      missingState: "empty",
      policy,
      ...(execution.threads !== undefined ? { threads: execution.threads } : {}),
    });
  let result;
  if (execution.policy === "sequential") {
    result = await run("sequential");
  } else {
    // Both runs, then they must agree: the same rejection, or the same result.
    const [seq, par] = await Promise.allSettled([run("sequential"), run(execution.policy)]);
    const why = (r: PromiseRejectedResult) => reasonOf(r.reason);
    if (seq.status === "rejected") {
      if (par.status === "fulfilled" || why(par) !== why(seq))
        throw new ParallelMismatch(
          `sequential execution rejected the block (${why(seq)}), ${execution.policy} ` +
            (par.status === "fulfilled" ? "accepted it" : `rejected it for ${why(par)}`),
        );
      throw seq.reason;
    }
    if (par.status === "rejected")
      throw new ParallelMismatch(
        `sequential execution accepted the block, ${execution.policy} rejected it (${why(par)})`,
      );
    const difference = firstDifference(seq.value, par.value);
    if (difference !== undefined)
      throw new ParallelMismatch(`${execution.policy} execution differs from sequential: ${difference}`);
    result = seq.value;
  }
  const v = verifyBlock(block, result);
  if (v.mismatches.length > 0)
    reject(`MISMATCH_${v.mismatches[0]}`, `header mismatch: ${v.mismatches.join(", ")}`);
  const post = applyDiff(state, result.diff);
  if (hex(stateRoot(post)) !== hex(h.stateRoot)) reject("MISMATCH_stateRoot", "state root mismatch");
  return { header: h, post };
}

/** Every test of a blockchain-test JSON file (`{ "<name>": test }`). */
export function blockTestsOf(json: unknown, file: string): [string, unknown][] {
  return Object.entries(obj(json, file));
}
