/**
 * A balance that only has to cover a payment (a call with value, a create with an endowment) is
 * read on Block-STM as a bound, not as its exact value: a contract that pays out, like WETH's
 * withdraw, does not depend on every deposit before it, and still the payment that the balance
 * does not cover fails exactly as it does sequentially.
 */
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import type { Account } from "../../lib/state";
import { account, block, COINBASE, context, ETHER, transfer } from "../blocks/helpers";
import { expectParallelEqualsSequential } from "./parallel_helpers";

// A vault: a call with value is a deposit (STOP); a call without sends CALLDATALOAD(0) wei to the
// caller and stores whether that call succeeded under the caller's address.
//   CALLVALUE PUSH1 21 JUMPI PUSH1 0 PUSH1 0 PUSH1 0 PUSH1 0 PUSH1 0 CALLDATALOAD CALLER GAS CALL
//   CALLER SSTORE STOP JUMPDEST STOP
const VAULT_CODE = Uint8Array.from([
  0x34, 0x60, 0x15, 0x57, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x35, 0x33, 0x5a, 0xf1,
  0x33, 0x55, 0x00, 0x5b, 0x00,
]);
const VAULT = "0x7a0170000000000000000000000000000000000a";

const user = (i: number): string => "0x8" + (i + 1).toString(16).padStart(39, "0");
const word = (x: bigint): Uint8Array => Uint8Array.from(Buffer.from(x.toString(16).padStart(64, "0"), "hex"));

type Op = { deposit: bigint } | { withdraw: bigint };

function vaultBlock(ops: Op[], vaultBalance: bigint) {
  // The fee recipient exists and the vault's storage is not empty before the block: the first
  // fee and the first flag would otherwise be writes every later transaction reads.
  const vault = account(vaultBalance, VAULT_CODE);
  vault.storage.set(1n, 1n);
  const pre = new Map<string, Account>([
    [VAULT, vault],
    [COINBASE, account(ETHER)],
  ]);
  const txs = ops.map((op, i) => {
    pre.set(user(i), account(100n * ETHER));
    return "deposit" in op
      ? transfer(0n, VAULT, op.deposit, { sender: user(i) })
      : transfer(0n, VAULT, 0n, { sender: user(i), data: word(op.withdraw) });
  });
  return { b: block(txs), ctx: context(pre) };
}

/** Whether user i's withdrawal went through (its flag in the vault's storage). */
async function paidOut(b: ReturnType<typeof block>, ctx: ReturnType<typeof context>): Promise<boolean[]> {
  const r = await executeBlock(b, ctx, { policy: "sequential" });
  const storage = r.diff.find((d) => d.address === VAULT)?.storage ?? new Map();
  return b.transactions.map((_, i) => BigInt(storage.get(BigInt(user(i))) ?? 0n) === 1n);
}

describe("balances that must only cover a payment, on Block-STM", () => {
  it("withdrawals from a well-funded vault do not depend on the deposits between them", async () => {
    // 16 transactions: the vault's balance stays a short run of deltas, all read as bounds.
    const { b, ctx } = vaultBlock(
      Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? { deposit: ETHER } : { withdraw: ETHER / 2n })),
      10n * ETHER,
    );
    expect((await paidOut(b, ctx)).filter((x, i) => i % 2 === 1 && x)).toHaveLength(8);
    await expectParallelEqualsSequential("well-funded vault", b, ctx, [2, 4], 3);
    for (const threads of [2, 4]) {
      const par = await executeBlock(b, ctx, { policy: "parallel", threads });
      // The observed graph: a withdrawal read nothing that a deposit wrote (before, each read the
      // vault's exact balance, which every deposit before it changed).
      for (const [tx, dep] of par.stm!.dependencies)
        if (tx % 2 === 1) expect(dep % 2, `withdrawal ${tx} depends on deposit ${dep}`).toBe(1);
      for (const c of par.stm!.conflicts) expect(c.kind === "balance" && c.address === VAULT).toBe(false);
    }
  });

  it("a long run of deposits and withdrawals is read exactly now and then, and equals sequential", async () => {
    // Past 16 deltas a read is exact and the reader writes the full balance, which later reads
    // start from: a few withdrawals of 64 depend on deposits, not all of them.
    const ops: Op[] = Array.from({ length: 128 }, (_, i) =>
      i % 2 === 0 ? { deposit: ETHER } : { withdraw: ETHER / 2n },
    );
    const { b, ctx } = vaultBlock(ops, 10n * ETHER);
    await expectParallelEqualsSequential("long vault", b, ctx, [2, 4], 3);
    const par = await executeBlock(b, ctx, { policy: "parallel", threads: 2 });
    const dependent = new Set<number>();
    for (const [tx, dep] of par.stm!.dependencies) if (tx % 2 === 1 && dep % 2 === 0) dependent.add(tx);
    expect(dependent.size).toBeLessThanOrEqual(16);
  });

  it("a payment the real balance does not cover fails as it does sequentially", async () => {
    // The vault starts with 1 ether, so every withdrawal's first run (on the pre-block balance)
    // passes its check; in block order some must fail, and a later deposit lets others through.
    const ops: Op[] = [
      { withdraw: ETHER },
      { withdraw: ETHER },
      { deposit: 2n * ETHER },
      { withdraw: ETHER },
      { withdraw: ETHER / 2n },
      { withdraw: ETHER / 2n },
      { withdraw: 1n },
      { deposit: 3n * ETHER },
      { withdraw: 3n * ETHER },
      { withdraw: ETHER },
    ];
    const repeated: Op[] = [];
    for (let k = 0; k < 4; k++) repeated.push(...ops);
    const { b, ctx } = vaultBlock(repeated, ETHER);
    const paid = await paidOut(b, ctx);
    // Some of both: the block exercises covered and uncovered payments.
    expect(paid.filter((x, i) => "withdraw" in repeated[i]! && x).length).toBeGreaterThan(0);
    expect(paid.filter((x, i) => "withdraw" in repeated[i]! && !x).length).toBeGreaterThan(0);
    await expectParallelEqualsSequential("underfunded vault", b, ctx, [2, 3, 8], 4);
  });

  it("a payment that takes the whole balance, and one a wei more, equal sequential", async () => {
    const ops: Op[] = [
      { withdraw: ETHER },
      { deposit: 1n },
      { withdraw: 2n },
      { withdraw: 1n },
      { deposit: 5n },
    ];
    const { b, ctx } = vaultBlock(ops, ETHER);
    expect(await paidOut(b, ctx)).toEqual([true, false, false, true, false]);
    await expectParallelEqualsSequential("exact vault", b, ctx, [2, 8], 4);
  });
});
