/**
 * Bad inputs give typed errors and the process (and the native worker threads) carry on:
 * malformed JSON and hex, wrong lengths, an unknown transaction type, a nonce gap, insufficient
 * balance, a missing account, slot or code, and a malformed native request.
 */
import { describe, expect, it } from "vitest";
import { native } from "../../lib/binding";
import { BlockTransactionError, executeBlock } from "../../lib/block/execute";
import { CodeTable, decodePreState, decodeRpcBlock, parseJson } from "../../lib/block/json";
import { decodeRlpBlock } from "../../lib/block/rlp-block";
import { awaitNative, DecodeError, InvalidTransactionError, MissingStateError } from "../../lib/errors";
import {
  account,
  block,
  context,
  CONTRACT,
  OTHER,
  preState,
  READER,
  RPC_BLOCK,
  RPC_TX,
  SENDER,
  transfer,
} from "./helpers";

const rpcTx = RPC_TX;
const rpcBlock = RPC_BLOCK;

function withTx(patch: Record<string, unknown>): unknown {
  return { ...rpcBlock, transactions: [{ ...rpcTx, ...patch }] };
}

describe("decoding errors", () => {
  it("accepts a well-formed JSON-RPC block", () => {
    const b = decodeRpcBlock(rpcBlock, "Shanghai");
    expect(b.transactions[0]!.sender).toBe(SENDER);
    expect(b.transactions[0]!.gasLimit).toBe(21000n);
  });

  it("malformed JSON", () => {
    expect(() => parseJson('{"number": 0x1', "block.json")).toThrow(DecodeError);
  });

  it("malformed hex", () => {
    expect(() => decodeRpcBlock(withTx({ value: "0xzz" }))).toThrow(DecodeError);
    expect(() => decodeRpcBlock(withTx({ input: "0x123" }))).toThrow(/odd|even-length/);
    expect(() => decodeRpcBlock(withTx({ nonce: "12" }))).toThrow(DecodeError);
    expect(() => decodePreState({ [SENDER]: { balance: "0xg", nonce: 0 } })).toThrow(DecodeError);
  });

  it("wrong lengths", () => {
    expect(() => decodeRpcBlock(withTx({ to: "0x1234" }))).toThrow(/20-byte address/);
    expect(() => decodeRpcBlock({ ...rpcBlock, parentHash: "0x1234" })).toThrow(/32-byte hash/);
    expect(() => decodeRpcBlock({ ...rpcBlock, logsBloom: "0x00" })).toThrow(/256 bytes/);
    expect(() => decodeRpcBlock(withTx({ gas: "0x1" + "0".repeat(16) }))).toThrow(/out of range/);
    expect(() => decodeRlpBlock(Uint8Array.of(0xc3, 0x80, 0x80), () => "Cancun", 1n)).toThrow(DecodeError);
  });

  it("an unknown transaction type", () => {
    expect(() => decodeRpcBlock(withTx({ type: "0x5" }))).toThrow(/unknown transaction type/);
    expect(() => decodeRpcBlock(withTx({ type: "0x7e" }))).toThrow(DecodeError);
  });

  it("a code hash missing from the code table", () => {
    const pre = { [CONTRACT]: { balance: "0x0", nonce: 1, code_hash: "0x" + "11".repeat(32) } };
    expect(() => decodePreState(pre, new CodeTable({}))).toThrow(MissingStateError);
  });
});

describe("execution errors", () => {
  it("a nonce gap", async () => {
    const err = await executeBlock(block([transfer(0n), transfer(2n)]), context(preState())).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BlockTransactionError);
    expect(err).toBeInstanceOf(InvalidTransactionError);
    expect((err as BlockTransactionError).txIndex).toBe(1);
    expect((err as BlockTransactionError).reason).toBe("NONCE_TOO_HIGH");
  });

  it("insufficient balance", async () => {
    const pre = preState();
    pre.set(SENDER, account(1000n));
    const err = await executeBlock(block([transfer(0n)]), context(pre)).catch((e: unknown) => e);
    expect((err as BlockTransactionError).reason).toBe("INSUFFICIENT_FUNDS");
  });

  it("the block's gas allowance", async () => {
    const b = block([transfer(0n), transfer(1n)]);
    b.header.gasLimit = 120_000n; // 99,000 left after the first: below the second's 100,000
    const err = await executeBlock(b, context(preState())).catch((e: unknown) => e);
    expect((err as BlockTransactionError).reason).toBe("GAS_ALLOWANCE_EXCEEDED");
  });

  it("a missing account or slot, when the pre-state must be complete", async () => {
    // OTHER is not in the pre-state: absent means empty by default, an error with "error".
    await expect(executeBlock(block([transfer(0n)]), context(preState()))).resolves.toBeDefined();
    await expect(
      executeBlock(block([transfer(0n)]), context(preState()), { missingState: "error" }),
    ).rejects.toThrow(MissingStateError);
    const pre = preState([
      [CONTRACT, account(0n, READER)],
      [OTHER, account(0n)],
    ]);
    pre.set("0x4000000000000000000000000000000000000004", account(0n));
    const err = await executeBlock(block([transfer(0n, CONTRACT, 0n)]), context(pre), {
      missingState: "error",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingStateError);
    expect((err as Error).message).toMatch(/storage 0x3000000000000000000000000000000000000003 slot/);
  });

  it("a malformed native request rejects with ERR_DECODE", async () => {
    const garbage = Uint8Array.of(1, 12, 0, 0, 0, 0, 0, 9);
    await expect(awaitNative(native().executeBlock(garbage))).rejects.toThrow(DecodeError);
    await expect(awaitNative(native().executeBlock(new Uint8Array(0)))).rejects.toThrow(DecodeError);
  });

  it("carries on after every failure", async () => {
    const r = await executeBlock(block([transfer(0n), transfer(1n)]), context(preState()));
    expect(r.gasUsed).toBe(42000n);
  });
});
