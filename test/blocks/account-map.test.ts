/**
 * The block's account map (native/state/address_map.hpp) under addresses that all hash alike: it
 * hashes bytes 4..19 of an address, so accounts that differ only in their first four bytes share
 * one probe chain and one tag, and only the full comparison tells them apart. Hundreds of them,
 * over several of its 256-item chunks and through its index's growth, in the pre-state (senders)
 * and created by the block (recipients): every balance and nonce must come out as computed here,
 * sequentially and on Block-STM. And the state diff's address order, among addresses whose
 * first 8 bytes (the diff's sort key) are equal and among thousands of scattered ones.
 */
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import type { Account } from "../../lib/state";
import { expectParallelEqualsSequential } from "../stm/parallel_helpers";
import { account, block, COINBASE, context, ETHER, transfer } from "./helpers";

/** `prefix` in the first four bytes, the same sixteen bytes after them. */
const colliding = (prefix: number, tail: string): string =>
  "0x" + prefix.toString(16).padStart(8, "0") + tail.repeat(16);

const N = 600; // more than two chunks of senders, and as many recipients
const sender = (i: number): string => colliding(i + 1, "ab");
const recipient = (i: number): string => colliding(0x80000000 + i, "cd");

// EIP-1559 with the helpers' fee caps: base fee 1 gwei, tip 1 gwei, 21,000 gas a transfer.
const GAS = 21_000n;
const BASE_FEE = 10n ** 9n;
const TIP = 10n ** 9n;
const value = (i: number): bigint => 1000n + BigInt(i);

describe("the block's account map", () => {
  it("keeps hundreds of accounts whose hashes collide apart, sequentially and on Block-STM", async () => {
    const pre = new Map<string, Account>();
    for (let i = 0; i < N; i++) pre.set(sender(i), account(10n * ETHER));
    // Every third recipient exists before the block (in the same collision chain as the rest).
    for (let i = 0; i < N; i += 3) pre.set(recipient(i), account(7n));
    const txs = [];
    for (let i = 0; i < N; i++) txs.push(transfer(0n, recipient(i), value(i), { sender: sender(i) }));
    const b = block(txs);
    const ctx = context(pre);

    const seq = await executeBlock(b, ctx, { policy: "sequential" });
    expect(seq.receipts.every((r) => r.status === 1)).toBe(true);
    expect(seq.gasUsed).toBe(GAS * BigInt(N));
    const diff = new Map(seq.diff.map((d) => [d.address, d]));
    // Every sender, every recipient and the coinbase changed: nothing else.
    expect(diff.size).toBe(2 * N + 1);
    for (let i = 0; i < N; i++) {
      const s = diff.get(sender(i));
      expect(s?.nonce, sender(i)).toBe(1n);
      expect(s?.balance, sender(i)).toBe(10n * ETHER - value(i) - GAS * (BASE_FEE + TIP));
      const r = diff.get(recipient(i));
      expect(r?.nonce, recipient(i)).toBe(0n);
      expect(r?.balance, recipient(i)).toBe(value(i) + (i % 3 === 0 ? 7n : 0n));
    }
    expect(diff.get(COINBASE)?.balance).toBe(GAS * TIP * BigInt(N));

    await expectParallelEqualsSequential("colliding addresses", b, ctx, [2, 8], 2);
  });

  it("lists the state diff in address order, also among addresses that share their first 8 bytes", async () => {
    // The diff is sorted by the addresses' first 8 bytes as a number, then by the whole address
    // when those are equal: here every recipient shares its first 8 bytes with a quarter of the
    // others (and its first 16 with some), created in the reverse of their order. Over 4,096
    // accounts, so that Block-STM builds the diff in address ranges on its threads.
    const M = 2100;
    const shared = (i: number): string =>
      "0x" +
      "5a".repeat(7) +
      (i % 4).toString(16).padStart(2, "0") +
      "00".repeat(8) +
      (M - i).toString(16).padStart(8, "0");
    const pre = new Map<string, Account>();
    for (let i = 0; i < M; i++) pre.set(sender(i), account(10n * ETHER));
    const txs = [];
    for (let i = 0; i < M; i++) txs.push(transfer(0n, shared(i), value(i), { sender: sender(i) }));
    const b = block(txs);
    b.header.gasLimit = 60_000_000n; // 2,100 transfers
    const ctx = context(pre);
    for (const options of [{ policy: "sequential" as const }, { policy: "parallel" as const, threads: 2 }]) {
      const r = await executeBlock(b, ctx, options);
      const addresses = r.diff.map((d) => d.address);
      expect(addresses.length, options.policy).toBe(2 * M + 1);
      // Lowercase hex of one length: string order is byte order.
      expect(addresses, options.policy).toEqual([...addresses].sort());
      expect(new Set(addresses).size, options.policy).toBe(addresses.length);
      const byAddress = new Map(r.diff.map((d) => [d.address, d]));
      for (let i = 0; i < M; i++) expect(byAddress.get(shared(i))?.balance).toBe(value(i));
    }
    await expectParallelEqualsSequential("addresses sharing their first 8 bytes", b, ctx, [2, 8], 1);
  });

  it("lists the state diff of thousands of scattered addresses in address order", async () => {
    // Random addresses, as real ones are: the diff's sort spreads them over 4,096 buckets by
    // their top 12 bits, a few to a bucket, and orders each bucket on its own.
    let seed = 0x2545f491;
    const random = (): string => {
      let hex = "0x";
      for (let i = 0; i < 5; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        hex += seed.toString(16).padStart(8, "0");
      }
      return hex;
    };
    const M = 1500;
    const senders = Array.from({ length: M }, random);
    const recipients = Array.from({ length: M }, random);
    const pre = new Map<string, Account>();
    for (const a of senders) pre.set(a, account(10n * ETHER));
    const txs = senders.map((a, i) => transfer(0n, recipients[i], value(i), { sender: a }));
    const b = block(txs);
    b.header.gasLimit = 60_000_000n;
    for (const options of [{ policy: "sequential" as const }, { policy: "parallel" as const, threads: 2 }]) {
      const r = await executeBlock(b, context(pre), options);
      const addresses = r.diff.map((d) => d.address);
      expect(addresses.length, options.policy).toBe(2 * M + 1);
      expect(addresses, options.policy).toEqual([...addresses].sort());
      expect(new Set(addresses), options.policy).toEqual(
        new Set([...senders, ...recipients, COINBASE.toLowerCase()]),
      );
    }
  });
});
