/** executeBlock on synthetic blocks: receipts, gas, logs, bloom, the state diff, rewards and withdrawals. */
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import { receiptsRoot } from "../../lib/block/receipts";
import { EMPTY_TRIE_ROOT, trieRoot } from "../../lib/block/trie";
import {
  account,
  block,
  COINBASE,
  context,
  CONTRACT,
  ETHER,
  LOGGER,
  OTHER,
  preState,
  SENDER,
  transfer,
} from "./helpers";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("trie", () => {
  it("matches the known roots", () => {
    expect(hex(trieRoot([]))).toBe(hex(EMPTY_TRIE_ROOT));
    const pairs: [Uint8Array, Uint8Array][] = [
      [utf8("do"), utf8("verb")],
      [utf8("dog"), utf8("puppy")],
      [utf8("doge"), utf8("coin")],
      [utf8("horse"), utf8("stallion")],
    ];
    expect(hex(trieRoot(pairs))).toBe("5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84");
  });
});

describe("executeBlock", () => {
  it("runs transfers and a logging contract, with receipts, bloom and the state diff", async () => {
    const pre = preState([[CONTRACT, account(0n, LOGGER)]]);
    const txs = [transfer(0n), transfer(1n, CONTRACT, 5n), transfer(2n)];
    const r = await executeBlock(block(txs), context(pre));
    expect(r.receipts.map((x) => x.status)).toEqual([1, 1, 1]);
    expect(r.receipts[0]!.gasUsed).toBe(21000n);
    expect(r.receipts[2]!.cumulativeGasUsed).toBe(r.gasUsed);
    expect(r.receipts[1]!.logs).toHaveLength(1);
    expect(r.receipts[1]!.logs[0]!.address).toBe(CONTRACT);
    expect(r.logsBloom.some((b) => b !== 0)).toBe(true);
    expect(r.receipts[0]!.logsBloom.every((b) => b === 0)).toBe(true);
    expect(receiptsRoot(r.receipts)).toHaveLength(32);

    const diff = new Map(r.diff.map((d) => [d.address, d]));
    expect(diff.get(OTHER)!.balance).toBe(2000n);
    expect(diff.get(SENDER)!.nonce).toBe(3n);
    expect(diff.get(CONTRACT)!.storage.get(1n)).toBe(5n);
    // The coinbase earns the priority fee (1 gwei per gas) of every transaction.
    expect(diff.get(COINBASE)!.balance).toBe(r.gasUsed * 10n ** 9n);
    // Sorted by address, as the parallel executor must reproduce byte for byte.
    const addrs = r.diff.map((d) => d.address);
    expect([...addrs].sort()).toEqual(addrs);
  });

  it("applies withdrawals (gwei) and pre-Merge block and ommer rewards", async () => {
    const b = block([], "Shanghai");
    b.withdrawals = [{ index: 0n, validatorIndex: 1n, address: OTHER, amount: 5n }];
    const r = await executeBlock(b, context(preState()));
    expect(r.diff.find((d) => d.address === OTHER)!.balance).toBe(5n * 10n ** 9n);

    const pow = block([], "Byzantium");
    pow.header.number = 5_000_000n;
    pow.ommers = [{ coinbase: OTHER, number: 4_999_999n }];
    pow.unknownOmmers = 1;
    const p = await executeBlock(pow, context(preState()));
    const bal = (a: string): bigint => p.diff.find((d) => d.address === a)!.balance;
    expect(bal(COINBASE)).toBe(3n * ETHER + ((3n * ETHER) / 32n) * 2n);
    expect(bal(OTHER)).toBe((3n * ETHER * 7n) / 8n);
  });

  it("applies the DAO-fork irregular state change at block 1,920,000", async () => {
    const dao = "0xd4fe7bc31cedb7bfb8a345f31e668033056b2728"; // the first DAO account
    const recovery = "0xbf4ed7b27f1d666546e30d74d50d173d20bca754";
    const b = block([], "Homestead");
    b.header.number = 1_920_000n;
    delete b.withdrawals;
    const r = await executeBlock(b, context(preState([[dao, account(7n * ETHER)]])));
    const diff = new Map(r.diff.map((d) => [d.address, d]));
    expect(diff.get(dao)!.balance).toBe(0n);
    expect(diff.get(recovery)!.balance).toBe(7n * ETHER);
    expect(r.receipts).toEqual([]);
  });

  it("recovers nothing when every sender is given and runs many blocks concurrently", async () => {
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        executeBlock(block([transfer(0n, OTHER, BigInt(i + 1))]), context(preState())),
      ),
    );
    runs.forEach((r, i) => expect(r.diff.find((d) => d.address === OTHER)!.balance).toBe(BigInt(i + 1)));
  });
});
