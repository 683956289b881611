/**
 * Lazy translation (native/evm/analysis.cpp): code is translated when execution first reaches
 * it, one run at a time, so what a call finds translated depends on which calls ran the code
 * before it. Whatever that history, every call must give the same result as on a fresh analysis:
 * the same status, storage and gas, including GAS observed in blocks that one history merges
 * (a JUMPDEST fallen into, entered through an ENTRY) and another splits (a run that ends in a
 * jump to a JUMPDEST translated before), and static jumps made before their destination was
 * translated (lazy jumps).
 */
import { describe, expect, it } from "vitest";
import { clearCodeAnalysisCache } from "../../lib/analysis-cache";
import { code, push, push0, sstore, type Piece } from "../helpers/bytecode";
import { CONTRACT, run, slot } from "../helpers/evm";

type Item = Piece | { label: string } | { to: string; op?: "JUMP" | "JUMPI" };

/** Code from pieces, labels and PUSH2 references to labels (with their JUMP or JUMPI). */
function assemble(items: Item[]): Uint8Array {
  const size = (it: Item): number => {
    if (typeof it === "object" && "label" in it) return 0;
    if (typeof it === "object" && "to" in it) return 3 + (it.op ? 1 : 0);
    return code(it).length;
  };
  const at = new Map<string, number>();
  let pos = 0;
  for (const it of items) {
    if (typeof it === "object" && "label" in it) at.set(it.label, pos);
    pos += size(it);
  }
  const parts: Piece[] = [];
  for (const it of items) {
    if (typeof it === "object" && "label" in it) continue;
    if (typeof it === "object" && "to" in it) {
      parts.push(push(at.get(it.to)!, 2));
      if (it.op) parts.push(it.op);
      continue;
    }
    parts.push(it);
  }
  return code(...parts);
}

/**
 * Selector s (calldata word 0) picks a path: 0 jumps to COMMON; 1 falls into 2's JUMPDEST; 2
 * jumps to it directly; 3 reads GAS and falls into 4's; 4 returns to COMMON by a dynamic jump;
 * 5 underflows the stack; anything else goes to COMMON. COMMON stores GAS and, for s = 6, jumps
 * back into the middle of path 3 once (slot 30 marks the second visit).
 */
const PROGRAM = assemble([
  push0(),
  "CALLDATALOAD",
  ...[0, 1, 2, 3, 4, 5].flatMap((k): Item[] => ["0x80", push(k), "EQ", { to: `L${k}`, op: "JUMPI" }]),
  { to: "COMMON", op: "JUMP" },
  { label: "L0" },
  "JUMPDEST",
  sstore(1, 1),
  { to: "COMMON", op: "JUMP" },
  { label: "L1" },
  "JUMPDEST",
  sstore(2, 2),
  { label: "L2" },
  "JUMPDEST",
  sstore(3, 3),
  { to: "COMMON", op: "JUMP" },
  { label: "L3" },
  "JUMPDEST",
  sstore(4, 4),
  "GAS",
  push(20),
  "SSTORE",
  { label: "L4" },
  "JUMPDEST",
  sstore(5, 5),
  "GAS",
  push(21),
  "SSTORE",
  { to: "COMMON" },
  push0(),
  "ADD",
  "JUMP",
  { label: "L5" },
  "JUMPDEST",
  "POP",
  "POP",
  "POP",
  { label: "COMMON" },
  "JUMPDEST",
  "GAS",
  push(10),
  "SSTORE",
  push(30),
  "SLOAD",
  { to: "END", op: "JUMPI" },
  "0x80",
  push(6),
  "EQ",
  "ISZERO",
  { to: "END", op: "JUMPI" },
  sstore(30, 1),
  { to: "L4", op: "JUMP" },
  { label: "END" },
  "JUMPDEST",
  "STOP",
]);

const SELECTORS = [0, 1, 2, 3, 4, 5, 6, 7];
const SLOTS = [1, 2, 3, 4, 5, 10, 20, 21, 30];

function call(selector: number): string {
  const data = new Uint8Array(32);
  data[31] = selector;
  const r = run("Cancun", { code: PROGRAM, tx: { data } });
  return JSON.stringify({
    status: r.status,
    gasUsed: r.gasUsed.toString(),
    slots: SLOTS.map((k) => slot(r, CONTRACT, k).toString()),
  });
}

/** A seeded shuffle (xorshift32). */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * A run longer than a translation chunk (1,024 instructions): selector 0 jumps to LONG, whose
 * 3,000 PUSH1/POP pairs fall into MID; selector 1 jumps to MID directly. Run first, 0 makes MID a
 * JUMPDEST merged into the long block (1 then enters through its ENTRY); run first, 1 makes MID a
 * run of its own (the long run then ends in a jump to it).
 */
const LONG = assemble([
  push0(),
  "CALLDATALOAD",
  { to: "MID", op: "JUMPI" },
  { to: "LONG", op: "JUMP" },
  { label: "LONG" },
  "JUMPDEST",
  ...Array.from({ length: 3000 }, (): Item[] => [push(1), "POP"]).flat(),
  sstore(1, 1),
  { label: "MID" },
  "JUMPDEST",
  "GAS",
  push(2),
  "SSTORE",
  "STOP",
]);

describe("lazy translation", () => {
  // Each selector on a fresh analysis: the reference.
  const fresh = new Map<number, string>();
  for (const s of SELECTORS) {
    clearCodeAnalysisCache();
    fresh.set(s, call(s));
  }

  it("the paths do what they say", () => {
    const r = (s: number) => JSON.parse(fresh.get(s)!) as { status: string; slots: string[] };
    expect(r(1).slots.slice(0, 3)).toEqual(["0", "2", "3"]);
    expect(r(3).slots[4]).toBe("5");
    expect(r(3).slots[6]).not.toBe("0"); // GAS stored at 20
    expect(r(5).status).toBe("failure");
    expect(r(6).slots[8]).toBe("1"); // back into path 3's second block once
    expect(r(6).slots[7]).not.toBe("0");
    for (const s of [0, 1, 2, 3, 4, 6, 7]) expect(r(s).status).toBe("success");
  });

  it("every call equals its fresh-analysis result, whichever calls translated the code before", () => {
    const orders: number[][] = [SELECTORS, [...SELECTORS].reverse()];
    for (let seed = 1; seed <= 24; seed++) orders.push(shuffled(SELECTORS, seed * 2654435761));
    for (const a of SELECTORS) for (const b of SELECTORS) if (a !== b) orders.push([a, b, a]);
    for (const order of orders) {
      clearCodeAnalysisCache();
      for (const s of order) expect(call(s), `selector ${s} in order ${order.join(",")}`).toBe(fresh.get(s));
    }
  });

  it("a run longer than a chunk, and a JUMPDEST merged at its end, in either order", () => {
    const callLong = (selector: number) => {
      const data = new Uint8Array(32);
      data[31] = selector;
      const r = run("Cancun", { code: LONG, tx: { data, gasLimit: 2_000_000n } });
      expect(r.status).toBe("success");
      return [r.gasUsed, slot(r, CONTRACT, 1), slot(r, CONTRACT, 2)];
    };
    clearCodeAnalysisCache();
    const fall = callLong(0);
    clearCodeAnalysisCache();
    const jump = callLong(1);
    expect(fall[1]).toBe(1n);
    expect(jump[1]).toBe(0n);
    expect(fall[2]).toBeGreaterThan(0n);
    for (const order of [
      [0, 1],
      [1, 0],
    ]) {
      clearCodeAnalysisCache();
      for (const s of order) expect(callLong(s)).toEqual(s === 0 ? fall : jump);
    }
  });
});
