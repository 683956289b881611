/**
 * The shapes of a block as `executeBlock` takes it and of what it returns. Addresses are lowercase
 * `0x` hex strings; quantities are bigints; hashes and byte strings are Uint8Arrays.
 */
import type { BlockStmMetrics } from "./stm-metrics";
import type { Fork } from "../fork";
import type { Log, State, TxRequest } from "../state";

export type { AccessListEntry, Authorization, Log, State } from "../state";

export interface BlockHeader {
  parentHash: Uint8Array;
  ommersHash?: Uint8Array;
  coinbase: string;
  stateRoot: Uint8Array;
  transactionsRoot?: Uint8Array;
  receiptsRoot: Uint8Array;
  logsBloom: Uint8Array;
  difficulty: bigint;
  number: bigint;
  gasLimit: bigint;
  gasUsed: bigint;
  timestamp: bigint;
  extraData: Uint8Array;
  /** prevrandao from Paris on. */
  mixHash: Uint8Array;
  nonce?: Uint8Array;
  baseFeePerGas?: bigint;
  withdrawalsRoot?: Uint8Array;
  blobGasUsed?: bigint;
  excessBlobGas?: bigint;
  parentBeaconBlockRoot?: Uint8Array;
  requestsHash?: Uint8Array;
  /** The block hash, when the source states it (checked against keccak(rlp(header)) if known). */
  hash?: Uint8Array;
}

/** A signature from which the native side recovers the sender. */
export interface TxSignature {
  /** keccak256 of the signing payload. */
  signingHash: Uint8Array;
  r: bigint;
  s: bigint;
  yParity: number;
}

/** A transaction as a block carries it: the state transition's fields, with a sender that may
 *  have to be recovered from the signature. */
export interface BlockTransaction extends Omit<TxRequest, "sender"> {
  /** The sender when known (JSON-RPC `from`); else it is recovered from `signature`. */
  sender?: string;
  signature?: TxSignature;
  chainId?: bigint;
}

export interface Withdrawal {
  index: bigint;
  validatorIndex: bigint;
  address: string;
  /** In gwei. */
  amount: bigint;
}

export interface Ommer {
  coinbase: string;
  number: bigint;
}

export interface Block {
  fork: Fork;
  header: BlockHeader;
  transactions: BlockTransaction[];
  /** Shanghai+. */
  withdrawals?: Withdrawal[];
  /** Ommer headers that are known (their miners are rewarded before Paris). */
  ommers: Ommer[];
  /** Ommers whose headers are not known (JSON-RPC gives only hashes): they still earn the
   *  coinbase its 1/32 share each. */
  unknownOmmers: number;
}

/** What a block executes against. */
export interface BlockContext {
  /** The accounts the block reads (see `missingState`). */
  pre: State;
  /** What BLOCKHASH returns for older blocks. */
  blockHashes: Map<bigint, Uint8Array>;
  chainId: bigint;
}

export interface ExecuteBlockOptions {
  /** "empty" (default): an account or slot the pre-state does not list is empty (the mainnet
   *  fixtures' rule, and a complete pre-state's). "error": it rejects with MissingStateError. */
  missingState?: "empty" | "error";
  /** Threads for sender recovery (0 or absent: one per hardware thread). */
  recoveryThreads?: number;
  /** Path of an external EVMC VM; default: the built-in interpreter. */
  vm?: string;
  /** Apply the DAO-fork irregular state change (default: at mainnet block 1,920,000). */
  daoFork?: boolean;
  /** "sequential" (default), "parallel" (Block-STM) or "auto" (parallel only where it can pay:
   *  see lib/block/policy.ts). Every policy gives the same result. */
  policy?: "sequential" | "parallel" | "auto";
  /** Block-STM threads (default: one per hardware thread). */
  threads?: number;
}

export interface Receipt {
  type: number;
  /** 1 success, 0 failure. Before Byzantium the consensus receipt holds the intermediate state
   *  root instead, which a partial pre-state cannot produce: see `stateRootUnavailable`. */
  status: 0 | 1;
  /** Set on pre-Byzantium receipts: their consensus form (and so the receipts root) needs the
   *  intermediate state root, which is not computed. */
  stateRootUnavailable?: true;
  gasUsed: bigint;
  cumulativeGasUsed: bigint;
  sender: string;
  logs: Log[];
  logsBloom: Uint8Array;
}

/** One account of the state diff, relative to the pre-state. */
export interface AccountDiff {
  address: string;
  /** The account does not exist after the block (its storage is gone). */
  deleted: boolean;
  /** The pre-state's storage was wiped (destroyed, maybe recreated): apply `storage` to empty. */
  storageReset: boolean;
  balance: bigint;
  nonce: bigint;
  codeHash: Uint8Array;
  /** Set when the code changed. */
  code?: Uint8Array;
  /** Changed slots (value 0 = deleted). */
  storage: Map<bigint, bigint>;
}

export interface BlockResult {
  gasUsed: bigint;
  blobGasUsed: bigint;
  logsBloom: Uint8Array;
  receipts: Receipt[];
  /** Prague+: the EIP-7002 and EIP-7251 request contract outputs. */
  requests?: { withdrawals: Uint8Array; consolidations: Uint8Array };
  diff: AccountDiff[];
  /** Block-STM metrics (when the policy chose parallel execution). */
  stm?: BlockStmMetrics;
  timings: {
    /** TypeScript encoding of the request. */
    encodeMs: number;
    /** Native decoding of the request. */
    nativeDecodeMs: number;
    recoveryMs: number;
    executeMs: number;
    /** TypeScript decoding of the result. */
    resultDecodeMs: number;
  };
}
