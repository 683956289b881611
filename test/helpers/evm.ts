/**
 * A harness for per-EIP tests: one transaction from a funded sender to a contract with the given
 * code, executed through executeTransaction on a chosen fork, with a fixed block env.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Fork } from "../../lib/fork";
import {
  executeTransaction,
  type Account,
  type BlockEnv,
  type State,
  type TxRequest,
  type TxResult,
} from "../../lib/state";

export const SENDER = "0x00000000000000000000000000000000005e7de2";
export const CONTRACT = "0x00000000000000000000000000000000000c0de0";
export const OTHER = "0x0000000000000000000000000000000000000b0b";
export const COINBASE = "0x00000000000000000000000000000000000c0b05";

/** An account with defaults (zero balance and nonce, no code, empty storage). */
export function account(
  a: Partial<Omit<Account, "storage">> & { storage?: Record<string, bigint> } = {},
): Account {
  const storage = new Map<bigint, bigint>();
  for (const [k, v] of Object.entries(a.storage ?? {})) storage.set(BigInt(k), v);
  return { balance: a.balance ?? 0n, nonce: a.nonce ?? 0n, code: a.code ?? new Uint8Array(), storage };
}

export function blockEnv(overrides: Partial<BlockEnv> = {}): BlockEnv {
  return {
    number: 1n,
    timestamp: 1000n,
    gasLimit: 1_000_000_000n,
    coinbase: COINBASE,
    difficulty: 0n,
    prevRandao: new Uint8Array(32),
    baseFee: 7n,
    excessBlobGas: 0n,
    chainId: 1n,
    blockHashes: new Map(),
    ...overrides,
  };
}

const londonOrLater = new Set<Fork>(["London", "Paris", "Shanghai", "Cancun", "Prague", "Osaka"]);

export interface RunOptions {
  /** The code of CONTRACT (the transaction's target unless tx.to says otherwise). */
  code?: Uint8Array;
  /** The storage of CONTRACT before the transaction. */
  storage?: Record<string, bigint>;
  /** The balance of CONTRACT before the transaction (default 0). */
  balance?: bigint;
  /** Extra pre-state accounts. */
  pre?: Record<string, Account>;
  env?: Partial<BlockEnv>;
  /** Transaction fields over the defaults (legacy before London, EIP-1559 from London). */
  tx?: Partial<TxRequest>;
}

/** The transaction defaults for `fork`: a call from SENDER to CONTRACT with 1,000,000 gas. */
export function defaultTx(fork: Fork): TxRequest {
  const base = {
    sender: SENDER,
    to: CONTRACT,
    nonce: 0n,
    value: 0n,
    gasLimit: 1_000_000n,
    data: new Uint8Array(),
  };
  return londonOrLater.has(fork)
    ? { ...base, type: 2, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n, accessList: [] }
    : { ...base, type: 0, gasPrice: 10n };
}

/** Runs one transaction; the pre-state is SENDER (10^18 wei), CONTRACT with `code`, and `pre`. */
export function run(fork: Fork, options: RunOptions = {}): TxResult & { pre: State } {
  const pre: State = new Map();
  pre.set(SENDER, account({ balance: 10n ** 18n }));
  pre.set(
    CONTRACT,
    account({
      code: options.code ?? new Uint8Array(),
      nonce: 1n,
      balance: options.balance ?? 0n,
      storage: options.storage ?? {},
    }),
  );
  for (const [addr, acc] of Object.entries(options.pre ?? {})) pre.set(addr, acc);
  const tx = { ...defaultTx(fork), ...options.tx } as TxRequest;
  const result = executeTransaction(fork, pre, blockEnv(options.env), tx);
  return { ...result, pre };
}

/** The value of a storage slot after the transaction (0 when unset or the account is gone). */
export function slot(result: TxResult, address: string, key: bigint | number): bigint {
  return result.post.get(address)?.storage.get(BigInt(key)) ?? 0n;
}

export function keccak(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

export function hexToU8(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/^0x/, ""), "hex"));
}

/** The CREATE2 address: keccak(0xff ++ sender ++ salt ++ keccak(initcode))[12:]. */
export function create2Address(sender: string, salt: bigint, initcode: Uint8Array): string {
  const buf = new Uint8Array(1 + 20 + 32 + 32);
  buf[0] = 0xff;
  buf.set(hexToU8(sender), 1);
  buf.set(hexToU8(salt.toString(16).padStart(64, "0")), 21);
  buf.set(keccak(initcode), 53);
  return "0x" + Buffer.from(keccak(buf).subarray(12)).toString("hex");
}

/** A 32-byte word as a bigint. */
export function word(bytes: Uint8Array): bigint {
  return BigInt("0x" + (Buffer.from(bytes).toString("hex") || "0"));
}
