/**
 * Where Block-STM lost work (BlockStmMetrics.conflicts): every aborted validation and every wait on
 * an ESTIMATE is counted at the location that caused it, named in Ethereum terms.
 */
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import { formatConflictSite } from "../../lib/block/stm-metrics";
import type { Account } from "../../lib/state";
import { account, block, COINBASE, context, CONTRACT, ETHER, transfer } from "../blocks/helpers";

// SSTORE(0, SLOAD(0) + 1); STOP: every call depends on the previous one through slot 0.
const COUNTER = Uint8Array.from([0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55, 0x00]);
const SLOT0 = "0x" + "00".repeat(32);

const sender = (i: number): string => "0x6" + (i + 1).toString(16).padStart(39, "0");

describe("Block-STM's conflict sites", () => {
  it("name the one slot a chain of counter increments conflicts on, and count every abort", async () => {
    const n = 64;
    // Slot 1 already set: the contract's storage is non-empty throughout, so its account (whose
    // meta holds storage emptiness) is never written and the slot is the only shared location.
    const counter = account(0n, COUNTER);
    counter.storage.set(1n, 1n);
    const pre = new Map<string, Account>([
      [CONTRACT, counter],
      [COINBASE, account(ETHER)], // exists: the first fee creates nothing every transaction reads
    ]);
    for (let i = 0; i < n; i++) pre.set(sender(i), account(ETHER));
    const b = block(Array.from({ length: n }, (_, i) => transfer(0n, CONTRACT, 0n, { sender: sender(i) })));
    const ctx = context(pre);
    const seq = await executeBlock(b, ctx, { policy: "sequential" });
    let lost = 0;
    for (let run = 0; run < 6; run++) {
      const threads = run % 2 === 0 ? 2 : 4;
      const par = await executeBlock(b, ctx, { policy: "parallel", threads });
      expect(par.diff).toEqual(seq.diff);
      const m = par.stm!;
      expect(m.parallel).toBe(true);
      let aborts = 0;
      for (const c of m.conflicts) {
        expect(c).toMatchObject({ kind: "storage", address: CONTRACT, slot: SLOT0 });
        expect(formatConflictSite(c)).toContain(`storage ${CONTRACT} slot ${SLOT0}`);
        aborts += c.aborts;
        lost += c.aborts + c.waits;
      }
      expect(aborts).toBe(m.validationAborts);
      expect(m.conflicts.reduce((w, c) => w + c.waits, 0)).toBeLessThanOrEqual(m.estimateWaits);
    }
    // Six runs of a 64-deep chain on two or more threads: the second worker's first execution
    // alone reads slot 0 before the first worker's write is in.
    expect(lost).toBeGreaterThan(0);
  });

  it("are empty when nothing conflicts", async () => {
    const n = 32;
    // The fee recipient exists before the block: the first fee would otherwise create it, and
    // every transaction reads whether it exists.
    const pre = new Map<string, Account>([[COINBASE, account(ETHER)]]);
    for (let i = 0; i < n; i++) pre.set(sender(i), account(ETHER));
    const b = block(
      Array.from({ length: n }, (_, i) =>
        transfer(0n, "0x7" + String(i).padStart(39, "0"), 5n, { sender: sender(i) }),
      ),
    );
    const par = await executeBlock(b, context(pre), { policy: "parallel", threads: 2 });
    expect(par.stm!.validationAborts).toBe(0);
    expect(par.stm!.conflicts).toEqual([]);
  });
});
