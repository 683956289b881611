/** Small builders shared by the state-transition tests. */
import type { Account, BlockEnv, State, TxRequest } from "../../lib/state";

export const SENDER = "0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0";
export const COINBASE = "0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e";
export const CONTRACT = "0x00000000000000000000000000000000c0de0001";
export const OTHER = "0x00000000000000000000000000000000000b0b0b";
export const ETHER = 10n ** 18n;

export function account(fields: Partial<Account> = {}): Account {
  return {
    balance: fields.balance ?? 0n,
    nonce: fields.nonce ?? 0n,
    code: fields.code ?? new Uint8Array(0),
    storage: fields.storage ?? new Map(),
  };
}

export function code(...bytes: number[]): Uint8Array {
  return Uint8Array.from(bytes);
}

/** A state with a funded sender plus the given accounts. */
export function state(accounts: Record<string, Account> = {}): State {
  const s: State = new Map([[SENDER, account({ balance: ETHER })]]);
  for (const [addr, acc] of Object.entries(accounts)) s.set(addr, acc);
  return s;
}

export function env(fields: Partial<BlockEnv> = {}): BlockEnv {
  return {
    number: 1n,
    timestamp: 1000n,
    gasLimit: 30_000_000n,
    coinbase: COINBASE,
    difficulty: 0n,
    prevRandao: new Uint8Array(32),
    baseFee: 7n,
    excessBlobGas: 0n,
    chainId: 1n,
    blockHashes: new Map(),
    ...fields,
  };
}

/** A type-2 transaction from SENDER paying 10 max / 2 priority per gas (9 effective at base 7). */
export function tx(fields: Partial<TxRequest> = {}): TxRequest {
  return {
    type: 2,
    sender: SENDER,
    to: OTHER,
    nonce: 0n,
    value: 0n,
    gasLimit: 1_000_000n,
    data: new Uint8Array(0),
    maxFeePerGas: 10n,
    maxPriorityFeePerGas: 2n,
    ...fields,
  } as TxRequest;
}

export function hex(bytes: Uint8Array): string {
  return "0x" + Buffer.from(bytes).toString("hex");
}
