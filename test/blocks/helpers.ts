/** Small synthetic blocks for the block tests. */
import type { Account, State } from "../../lib/state";
import type { Block, BlockContext, BlockTransaction } from "../../lib/block/types";

export const SENDER = "0x1000000000000000000000000000000000000001";
export const OTHER = "0x2000000000000000000000000000000000000002";
export const CONTRACT = "0x3000000000000000000000000000000000000003";
export const COINBASE = "0x4000000000000000000000000000000000000004";
export const ETHER = 10n ** 18n;

export function account(balance: bigint, code = new Uint8Array(0), nonce = 0n): Account {
  return { balance, nonce, code, storage: new Map() };
}

export function preState(extra: [string, Account][] = []): State {
  return new Map<string, Account>([[SENDER, account(10n * ETHER)], ...extra]);
}

export function transfer(
  nonce: bigint,
  to = OTHER,
  value = 1000n,
  more: Partial<BlockTransaction> = {},
): BlockTransaction {
  return {
    type: 2,
    sender: SENDER,
    to,
    nonce,
    value,
    gasLimit: 100_000n,
    data: new Uint8Array(0),
    maxFeePerGas: 10n ** 10n,
    maxPriorityFeePerGas: 10n ** 9n,
    accessList: [],
    ...more,
  };
}

export function block(transactions: BlockTransaction[], fork: Block["fork"] = "Shanghai"): Block {
  return {
    fork,
    header: {
      parentHash: new Uint8Array(32),
      coinbase: COINBASE,
      stateRoot: new Uint8Array(32),
      receiptsRoot: new Uint8Array(32),
      logsBloom: new Uint8Array(256),
      difficulty: 0n,
      number: 20_000_000n,
      gasLimit: 30_000_000n,
      gasUsed: 0n,
      timestamp: 1_700_000_000n,
      extraData: new Uint8Array(0),
      mixHash: new Uint8Array(32),
      baseFeePerGas: 10n ** 9n,
    },
    transactions,
    withdrawals: [],
    ommers: [],
    unknownOmmers: 0,
  };
}

export function context(pre: State): BlockContext {
  return { pre, blockHashes: new Map(), chainId: 1n };
}

/** Runtime code: LOG1(topic 0xaa) of 32 bytes of memory, then SSTORE(1, CALLVALUE) and STOP. */
export const LOGGER = Uint8Array.from([
  0x60,
  0xaa,
  0x60,
  0x20,
  0x60,
  0x00,
  0xa1, // PUSH1 0xaa PUSH1 32 PUSH1 0 LOG1
  0x34,
  0x60,
  0x01,
  0x55, // CALLVALUE PUSH1 1 SSTORE
  0x00, // STOP
]);

/** Runtime code: SLOAD(7) and SSTORE it to slot 8. */
export const READER = Uint8Array.from([0x60, 0x07, 0x54, 0x60, 0x08, 0x55, 0x00]);

/** A type-2 transaction from SENDER to OTHER as JSON-RPC gives it (eth_getBlockByNumber(n, true)). */
export const RPC_TX = {
  type: "0x2",
  from: SENDER,
  to: OTHER,
  nonce: "0x0",
  value: "0x1",
  gas: "0x5208",
  maxFeePerGas: "0x3b9aca00",
  maxPriorityFeePerGas: "0x1",
  input: "0x",
  accessList: [],
  chainId: "0x1",
};

/** A Shanghai block holding RPC_TX, as JSON-RPC gives it. */
export const RPC_BLOCK = {
  number: "0x1",
  miner: COINBASE,
  parentHash: "0x" + "00".repeat(32),
  stateRoot: "0x" + "00".repeat(32),
  receiptsRoot: "0x" + "00".repeat(32),
  logsBloom: "0x" + "00".repeat(256),
  difficulty: "0x0",
  gasLimit: "0x1c9c380",
  gasUsed: "0x5208",
  timestamp: "0x6553f100",
  extraData: "0x",
  mixHash: "0x" + "00".repeat(32),
  baseFeePerGas: "0x7",
  uncles: [],
  withdrawals: [],
  transactions: [RPC_TX],
};
