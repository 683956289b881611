/**
 * Keys chosen to collide in the state's hash tables. A transaction can read any storage key and
 * any address it likes (its own contract's slots, BALANCE of arbitrary addresses), so a hash that
 * ignores some of the bytes, or that anyone can compute, lets a block put all it reads in one
 * bucket, and every lookup then walks them all: quadratic in the reads. Before the state's hashes
 * were keyed (stm/hash.hpp), reading 10,000, 20,000 and 40,000 slots that differ only in bytes
 * 8..23 took 0.14, 0.54 and 2.1 s, and as many such addresses 0.35, 1.8 and 8.9 s; 300,000 of
 * either would take minutes. Keyed, 300,000 take well under a second: the time limit of these
 * tests only guards against that blow-up, with a margin of a hundred.
 */
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import type { Account } from "../../lib/state";
import { account, block, COINBASE, context, ETHER, transfer } from "../blocks/helpers";
import { code, push, sstore } from "../helpers/bytecode";
import { CONTRACT, run } from "../helpers/evm";
import { expectParallelEqualsSequential } from "../stm/parallel_helpers";

const DUP1 = "0x80";

/** Reads (SLOAD or BALANCE) of k << `shift` for k from the calldata's first word, `n` of them. */
function reads(op: "SLOAD" | "BALANCE", shift: number, n: number): Uint8Array {
  return code(
    "PUSH0",
    "CALLDATALOAD",
    "JUMPDEST", // 2: [k]
    DUP1,
    push(shift),
    "SHL",
    op,
    "POP",
    push(1),
    "ADD",
    DUP1,
    "PUSH0",
    "CALLDATALOAD",
    push(n, 3),
    "ADD",
    "GT", // start + n > k + 1
    push(2),
    "JUMPI",
    "STOP",
  );
}

const word = (v: number): Uint8Array => {
  const out = new Uint8Array(32);
  new DataView(out.buffer).setUint32(28, v);
  return out;
};

describe("hash flooding", () => {
  it.each([
    ["storage keys that differ only in bytes 8..23", "SLOAD" as const],
    ["addresses that differ only in their top 12 bytes", "BALANCE" as const],
  ])(
    "one transaction reads 300,000 %s",
    (_what, op) => {
      const r = run("Cancun", { code: reads(op, 64, 300_000), tx: { gasLimit: 900_000_000n } });
      expect(r.status).toBe("success");
    },
    60_000,
  );

  it("a transaction's storage changes come back in key order, whatever the table's hash", () => {
    const keys = [7n, 2n, 1n << 200n, 9n, 4n, 1n << 70n, 3n];
    const r = run("Cancun", { code: code(...keys.map((k) => sstore(k, 1))) });
    expect(r.status).toBe("success");
    expect([...r.post.get(CONTRACT)!.storage.keys()]).toEqual([...keys].sort((a, b) => (a < b ? -1 : 1)));
  });

  it("Block-STM runs four transactions of 50,000 such reads each, equal to sequential", async () => {
    const contract = "0x00000000000000000000000000000000000f100d";
    const pre = new Map<string, Account>([
      [COINBASE, account(ETHER)],
      [contract, account(0n, Uint8Array.from(reads("SLOAD", 64, 50_000)))],
    ]);
    const txs = [];
    for (let i = 0; i < 4; i++) {
      const sender = "0x" + (0xa0 + i).toString(16).padStart(40, "0");
      pre.set(sender, account(100n * ETHER));
      txs.push(transfer(0n, contract, 0n, { sender, gasLimit: 120_000_000n, data: word(i * 50_000) }));
    }
    const b = block(txs);
    b.header.gasLimit = 1_000_000_000n;
    const ctx = context(pre);
    const par = await executeBlock(b, ctx, { policy: "parallel", threads: 2 });
    expect(par.stm!.fallback).toBe("");
    await expectParallelEqualsSequential("colliding slots", b, ctx, [2], 1);
  }, 60_000);
});
