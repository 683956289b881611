/**
 * Jump destinations as the code analysis resolves them (native/evm/analysis.cpp): a bit per code
 * byte with a count of JUMPDESTs per 64-byte word, so destinations on either side of a word's
 * edge, JUMPDESTs that fall through from the code before them (entered through an ENTRY), bytes
 * 0x5b inside PUSH data, and PUSH9..PUSH32 destinations fused with their JUMP into static jumps.
 */
import { describe, expect, it } from "vitest";
import { code, push, push0, sstore, type Piece } from "../helpers/bytecode";
import { CONTRACT, run, slot } from "../helpers/evm";

/** Bytes of PUSH32 data full of 0x5b: never a destination, and 33 bytes of padding. */
const TRAP = code(`0x7f${"5b".repeat(32)}`);

/** A dynamic jump to `dest`, J bytes: the ADD keeps the analysis from fusing it into a static jump. */
const J = 6;
function jumpTo(dest: number): Piece[] {
  return [push(dest, 2), push0(), "ADD", "JUMP"];
}

/**
 * Code that visits `count` JUMPDESTs one after another by dynamic jumps, storing k at slot k at
 * the k-th, with `gap` bytes of PUSH data between them, so that they land all over the 64-byte
 * words of the bitmap. Every second one is reached by falling through as well as by jumping
 * (a JUMPDEST inside an open block). Returns the code.
 */
function chain(count: number, gap: number): Uint8Array {
  // Fixed-size pieces: positions first, then the code.
  const visit = (k: number) => code(sstore(k + 1, k + 1)); // PUSH1 v PUSH1 k SSTORE: 5 bytes
  const filler = (n: number): Uint8Array => {
    const parts: Uint8Array[] = [];
    for (let left = n; left > 0;) {
      const size = Math.min(32, left - 1);
      if (size <= 0) {
        parts.push(code("JUMPDEST"));
        left -= 1;
        continue;
      }
      parts.push(code(`0x${(0x5f + size).toString(16)}${"5b".repeat(size)}`));
      left -= size + 1;
    }
    return code(...parts);
  };
  // [PUSH0 POP] JUMPDEST, the visit, the jump, the gap.
  const blockSize = (k: number) => (k % 2 === 1 ? 3 : 1) + 5 + J + gap;
  const positions: number[] = [];
  let at = J; // after the first jump
  for (let k = 0; k < count; k++) {
    positions.push(at + (k % 2 === 1 ? 2 : 0));
    at += blockSize(k);
  }
  const end = at;
  const parts: Piece[] = [...jumpTo(positions[0]!)];
  for (let k = 0; k < count; k++) {
    // An odd block's JUMPDEST follows PUSH0 POP in the same block: a merged JUMPDEST.
    if (k % 2 === 1) parts.push(push0(), "POP");
    parts.push("JUMPDEST", visit(k), ...jumpTo(k + 1 < count ? positions[k + 1]! : end));
    parts.push(filler(gap));
  }
  parts.push("JUMPDEST", sstore(0, 1), "STOP");
  const out = code(...parts);
  expect(out.length).toBe(end + 1 + 5 + 1);
  return out;
}

describe("jump destinations", () => {
  it.each([0, 1, 7, 40, 51, 52, 53, 64, 117])(
    "dynamic jumps reach every JUMPDEST across the bitmap's words (gap %i)",
    (gap) => {
      const r = run("Cancun", { code: chain(48, gap), tx: { gasLimit: 10_000_000n } });
      expect(r.status).toBe("success");
      expect(slot(r, CONTRACT, 0)).toBe(1n);
      for (let k = 1; k <= 48; k++) expect(slot(r, CONTRACT, k)).toBe(BigInt(k));
    },
  );

  it("a 0x5b inside PUSH data is no destination", () => {
    // TRAP starts at 0: its data bytes 1..32 are all 0x5b; byte 33 is a real JUMPDEST.
    const ok = run("Cancun", { code: code(TRAP, "JUMPDEST", sstore(0, 7)) });
    expect(ok.status).toBe("success");
    for (const dest of [1, 16, 32]) {
      const bad = run("Cancun", { code: code(...jumpTo(J + dest), TRAP, sstore(0, 7)) });
      expect(bad.status).toBe("failure");
      expect(bad.gasUsed).toBe(1_000_000n); // an exceptional halt consumes all gas
    }
    const good = run("Cancun", { code: code(...jumpTo(J + 33), TRAP, "JUMPDEST", sstore(0, 7)) });
    expect(good.status).toBe("success");
    expect(slot(good, CONTRACT, 0)).toBe(7n);
  });

  it("destinations past the end of the code or beyond 64 bits fail", () => {
    const size = J + 1 + 5 + 1;
    for (const dest of [size, size + 1, 0xffff]) {
      const r = run("Cancun", { code: code(...jumpTo(dest), "JUMPDEST", sstore(0, 1), "STOP") });
      expect(r.status).toBe("failure");
    }
    const huge = run("Cancun", {
      code: code(push(1n << 64n), "JUMP", "JUMPDEST", sstore(0, 1)),
    });
    expect(huge.status).toBe("failure");
  });

  it("PUSH9..PUSH32 destinations fuse into static jumps, valid or not", () => {
    // PUSH20 <55> JUMP: 22 bytes, then the trap (33), the JUMPDEST at 55; then a PUSH32 whose
    // constant must survive the fused one's.
    const ok = run("Cancun", {
      code: code(push(22 + 33, 20), "JUMP", TRAP, "JUMPDEST", sstore(0, 3), push(9, 32), push(1), "SSTORE"),
    });
    expect(ok.status).toBe("success");
    expect(slot(ok, CONTRACT, 0)).toBe(3n);
    expect(slot(ok, CONTRACT, 1)).toBe(9n);
    // The same with JUMPI, and a PUSH32 constant after it still pushes its value.
    const cond = run("Cancun", {
      code: code(
        push(1),
        push(2 + 33 + 3, 32),
        "JUMPI",
        "INVALID",
        "INVALID",
        "JUMPDEST",
        push(0xabcdef, 32),
        push0(),
        "SSTORE",
      ),
    });
    expect(cond.status).toBe("success");
    expect(slot(cond, CONTRACT, 0)).toBe(0xabcdefn);
    // Into PUSH data of the trap: a static jump to no destination.
    const bad = run("Cancun", { code: code(push(22 + 1, 20), "JUMP", TRAP, "JUMPDEST") });
    expect(bad.status).toBe("failure");
  });
});
