/**
 * The coinbase's balance on Block-STM: every transaction adds its fee to it (spread over several
 * multi-version locations), and a few transactions read it (BALANCE(COINBASE) in a contract, the
 * coinbase sending a transaction itself) or pay it directly. Parallel must equal sequential. A
 * transaction that pays only its fee reads nothing of the coinbase but whether it exists, so one
 * the coinbase sends (its nonce changes) does not make every later transaction depend on it.
 */
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import type { Account } from "../../lib/state";
import { account, block, context, COINBASE, CONTRACT, ETHER, OTHER, transfer } from "../blocks/helpers";
import { expectParallelEqualsSequential } from "./parallel_helpers";

// SSTORE(CALLVALUE, BALANCE(COINBASE)); STOP: each reader stores what it saw under its own key.
const READ_COINBASE_BALANCE = Uint8Array.from([0x41, 0x31, 0x34, 0x55, 0x00]);

const sender = (i: number): string => "0x5" + (i + 1).toString(16).padStart(39, "0");

/** The contract that reads the coinbase's balance, the coinbase, and `n` funded senders. */
function accounts(n: number, coinbaseBalance: bigint): Map<string, Account> {
  const extra: [string, Account][] = [
    [CONTRACT, account(0n, READ_COINBASE_BALANCE)],
    [COINBASE, account(coinbaseBalance)],
  ];
  for (let i = 0; i < n; i++) extra.push([sender(i), account(10n * ETHER)]);
  return new Map(extra);
}

describe("the coinbase's balance on Block-STM", () => {
  it("reads of it between fee payments, a transaction from it and a payment to it equal sequential", async () => {
    const n = 64;
    const txs = [];
    for (let i = 0; i < n; i++) {
      const from = { sender: sender(i) };
      if (i % 16 === 9)
        txs.push(transfer(0n, CONTRACT, BigInt(i), from)); // reads the balance
      else if (i === 30) txs.push(transfer(0n, OTHER, 1000n, { sender: COINBASE }));
      else if (i === 41) txs.push(transfer(0n, COINBASE, 5n * ETHER, from));
      else txs.push(transfer(0n, OTHER, 1000n + BigInt(i), from));
    }
    const b = block(txs);
    const ctx = context(accounts(n, 3n * ETHER));

    // The readers saw the fees paid so far: four different, growing balances.
    const seq = await executeBlock(b, ctx, { policy: "sequential" });
    const stored = seq.diff.find((d) => d.address === CONTRACT)?.storage ?? new Map();
    const seen = [...stored.values()].map((v) => BigInt(v));
    expect(seen).toHaveLength(4);
    for (let i = 1; i < seen.length; i++) expect(seen[i]! > seen[i - 1]!).toBe(true);

    await expectParallelEqualsSequential("coinbase balance", b, ctx, [2, 3, 8], 5);
  });

  it("a payout block, where the coinbase sends most transactions (one location), equals sequential", async () => {
    // Past one transaction in 16 from the coinbase its balance is one location, not spread; the
    // others still pay it fees, a contract reads it, and a sender pays it directly.
    const n = 48;
    const txs = [];
    let nonce = 0n;
    for (let i = 0; i < n; i++) {
      const from = { sender: sender(i) };
      if (i % 3 !== 2) txs.push(transfer(nonce++, sender(i), ETHER + BigInt(i), { sender: COINBASE }));
      else if (i % 9 === 2)
        txs.push(transfer(0n, CONTRACT, BigInt(i), from)); // reads the balance
      else if (i === 20) txs.push(transfer(0n, COINBASE, 2n * ETHER, from));
      else txs.push(transfer(0n, OTHER, 1000n + BigInt(i), from));
    }
    const b = block(txs);
    const ctx = context(accounts(n, 100n * ETHER));
    const seq = await executeBlock(b, ctx, { policy: "sequential" });
    expect(seq.receipts.every((r) => r.status === 1)).toBe(true);
    await expectParallelEqualsSequential("coinbase payouts", b, ctx, [2, 3, 8], 5);
  });

  it("a transaction from the coinbase mid-block: later fee payers do not depend on it", async () => {
    // A builder paying out in the middle of its block (mainnet 18988207, transaction 27): before,
    // every later transaction read the coinbase's nonce and was re-executed after it.
    const n = 48;
    const from = 20;
    const fresh = (i: number): string => "0x6" + (i + 1).toString(16).padStart(39, "0");
    const txs = [];
    for (let i = 0; i < n; i++) {
      if (i === from) txs.push(transfer(0n, fresh(i), ETHER, { sender: COINBASE }));
      else txs.push(transfer(0n, fresh(i), 1000n + BigInt(i), { sender: sender(i) }));
    }
    const b = block(txs);
    const ctx = context(accounts(n, 3n * ETHER));
    const par = await executeBlock(b, ctx, { policy: "parallel", threads: 2 });
    const later = (par.stm?.dependencies ?? []).filter(([tx, on]) => on === from && tx > from);
    expect(later).toEqual([]);
    await expectParallelEqualsSequential("coinbase sends mid-block", b, ctx, [2, 3, 8], 5);
  });

  it("a coinbase absent before the block, created by the first fee, then sending, equals sequential", async () => {
    // The fee recipient's credit reads its existence: the first fee creates it (a whole account,
    // no placeholder), later fees are credits, and its own transaction starts from nonce 0.
    const n = 40;
    const txs = [];
    for (let i = 0; i < n; i++) {
      if (i === 25)
        txs.push(transfer(0n, OTHER, 10n ** 12n, { sender: COINBASE, maxFeePerGas: 2n * 10n ** 9n }));
      else txs.push(transfer(0n, OTHER, 1000n + BigInt(i), { sender: sender(i) }));
    }
    const b = block(txs);
    const pre = accounts(n, 0n);
    pre.delete(COINBASE);
    const ctx = context(pre);
    const seq = await executeBlock(b, ctx, { policy: "sequential" });
    expect(seq.receipts.every((r) => r.status === 1)).toBe(true);
    await expectParallelEqualsSequential("coinbase created by fees", b, ctx, [2, 3, 8], 5);
  });

  it("zero priority fees (the coinbase touched, not credited) equal sequential", async () => {
    // A zero fee touches the coinbase (EIP-161: an empty one is removed); no credit placeholder.
    const n = 24;
    const txs = [];
    for (let i = 0; i < n; i++) {
      const fees = i % 2 === 0 ? { maxPriorityFeePerGas: 0n } : {};
      if (i === 11) txs.push(transfer(0n, OTHER, 1n, { sender: COINBASE, ...fees }));
      else txs.push(transfer(0n, OTHER, 1000n + BigInt(i), { sender: sender(i), ...fees }));
    }
    const b = block(txs);
    for (const balance of [0n, 2n * ETHER]) {
      const pre = accounts(n, balance);
      if (balance === 0n) pre.set(COINBASE, account(0n)); // exists, empty
      await expectParallelEqualsSequential(
        `zero fees, coinbase balance ${balance}`,
        b,
        context(pre),
        [2, 8],
        3,
      );
    }
  });
});
