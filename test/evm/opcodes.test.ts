/**
 * Per-EIP opcode tests with exact gas: PUSH0 (EIP-3855), MCOPY (5656), TLOAD/TSTORE (1153),
 * BLOBHASH (4844), BLOBBASEFEE (7516), CLZ (7939) and memory expansion. Each transaction calls
 * CONTRACT with empty calldata, so gasUsed = 21000 + the execution gas written out per test.
 * SSTORE of a non-zero value into a cold, originally-zero slot costs 2100 + 20000 = 22100.
 */
import { describe, expect, it } from "vitest";
import type { Fork } from "../../lib/fork";
import {
  args,
  code,
  mcopy,
  memoryCost,
  mstore,
  push,
  push0,
  sstore,
  tload,
  tstore,
} from "../helpers/bytecode";
import { CONTRACT, run, slot } from "../helpers/evm";

const SET_COLD = 22100; // cold slot (EIP-2929) + SSTORE_SET
const modern: Fork[] = ["Cancun", "Prague", "Osaka"];

describe("PUSH0 (EIP-3855)", () => {
  it.each(modern)("pushes zero for 2 gas (%s)", (fork) => {
    // PUSH1 42 (3) PUSH0 (2) SSTORE (22100): sstore(key 0, value 42)
    const r = run(fork, { code: code(push(42), push0(), "SSTORE") });
    expect(r.status).toBe("success");
    expect(r.gasUsed).toBe(21000n + 3n + 2n + BigInt(SET_COLD));
    expect(slot(r, CONTRACT, 0)).toBe(42n);
  });

  it("fills the stack to 1024 and overflows at 1025", () => {
    const full = run("Cancun", { code: code(...Array(1024).fill(push0())) });
    expect(full.status).toBe("success");
    expect(full.gasUsed).toBe(21000n + 1024n * 2n);
    const over = run("Cancun", { code: code(...Array(1025).fill(push0())) });
    expect(over.status).toBe("failure");
    expect(over.gasUsed).toBe(1_000_000n); // an exceptional halt consumes all gas
  });

  it("is an invalid instruction before Shanghai (Paris)", () => {
    const r = run("Paris", { code: code(push0(), "STOP") });
    expect(r.status).toBe("failure");
    expect(r.gasUsed).toBe(1_000_000n);
  });
});

describe("MCOPY (EIP-5656)", () => {
  const X = 0x1122334455667788990011223344556677889900112233445566778899001122n;
  it.each(modern)("copies a word into fresh memory with copy and expansion gas (%s)", (fork) => {
    const r = run(fork, {
      code: code(
        mstore(0, X), // PUSH32 X, PUSH1 0, MSTORE: 3 + 3 + 3 + memory(1 word) 3 = 12
        mcopy(32, 0, 32), // 3 pushes 9 + MCOPY 3 + copy 3 * 1 word + expansion 1 -> 2 words (6 - 3 = 3) = 18
        push(32),
        "MLOAD", // 3 + 3, no expansion
        push(0),
        "SSTORE", // 3 + 22100
      ),
    });
    expect(r.status).toBe("success");
    expect(r.gasUsed).toBe(21000n + 12n + 18n + 6n + 3n + BigInt(SET_COLD));
    expect(slot(r, CONTRACT, 0)).toBe(X);
  });

  it("handles overlapping ranges like memmove", () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i + 1); // 0x0102...20
    const r = run("Cancun", {
      code: code(
        mstore(0, bytes), // 12
        mcopy(1, 0, 31), // 9 + 3 + 3 * 1 word, no expansion (ends at 32) = 15
        push(0),
        "MLOAD", // 6
        push(0),
        "SSTORE", // 22103
      ),
    });
    const expected = BigInt("0x01" + Buffer.from(bytes.subarray(0, 31)).toString("hex"));
    expect(slot(r, CONTRACT, 0)).toBe(expected);
    expect(r.gasUsed).toBe(21000n + 12n + 15n + 6n + 3n + BigInt(SET_COLD));
  });

  it("a zero-length copy at a huge offset costs no expansion", () => {
    const r = run("Cancun", { code: mcopy(0xffffffff, 0xffffffff, 0) }); // 9 + 3
    expect(r.status).toBe("success");
    expect(r.gasUsed).toBe(21000n + 12n);
  });
});

describe("TLOAD/TSTORE (EIP-1153)", () => {
  it.each(modern)("stores and loads transient values for 100 gas each (%s)", (fork) => {
    const r = run(fork, {
      code: code(
        tstore(1, 7), // 6 + 100
        tload(1), // 3 + 100
        push(0),
        "SSTORE", // 3 + 22100
        tload(2), // 3 + 100: never written, reads 0
        push(1),
        "SSTORE", // 3 + SSTORE of 0 into a cold zero slot: 2100 + 100 = 2200
      ),
    });
    expect(r.status).toBe("success");
    expect(r.gasUsed).toBe(21000n + 106n + 103n + 3n + BigInt(SET_COLD) + 103n + 3n + 2200n);
    expect(slot(r, CONTRACT, 0)).toBe(7n);
    expect(slot(r, CONTRACT, 1)).toBe(0n);
  });

  it("does not exist before Cancun (Shanghai)", () => {
    const r = run("Shanghai", { code: tload(0) });
    expect(r.status).toBe("failure");
    expect(r.gasUsed).toBe(1_000_000n);
  });
});

describe("BLOBHASH (EIP-4844) and BLOBBASEFEE (EIP-7516)", () => {
  const h0 = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0xa0 + i));
  const h1 = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0x10 + i));
  const blobTx = {
    type: 3 as const,
    maxFeePerGas: 10n,
    maxPriorityFeePerGas: 1n,
    maxFeePerBlobGas: 10n,
    blobVersionedHashes: [h0, h1],
    accessList: [],
  };

  it.each(modern)("BLOBHASH returns the indexed versioned hash for 3 gas (%s)", (fork) => {
    // PUSH1 1 (3) BLOBHASH (3) PUSH1 0 (3) SSTORE (22100); blob gas is charged apart from gasUsed.
    const r = run(fork, { code: code(push(1), "BLOBHASH", push(0), "SSTORE"), tx: blobTx });
    expect(r.invalid).toBeUndefined();
    expect(r.gasUsed).toBe(21000n + 9n + BigInt(SET_COLD));
    expect(slot(r, CONTRACT, 0)).toBe(BigInt("0x" + Buffer.from(h1).toString("hex")));
  });

  it("BLOBHASH past the last index returns zero", () => {
    // 3 + 3 + 3 + SSTORE of 0 into a cold zero slot (2100 + 100)
    const r = run("Cancun", { code: code(push(2), "BLOBHASH", push(0), "SSTORE"), tx: blobTx });
    expect(r.gasUsed).toBe(21000n + 9n + 2200n);
    expect(slot(r, CONTRACT, 0)).toBe(0n);
  });

  // blob base fee = fake_exponential(1, excess, update fraction). With excess = 3,338,477:
  // Cancun (fraction 3,338,477): floor(e^1) = 2; Prague (fraction 5,007,716): floor(e^0.667) = 1.
  it.each([
    ["Cancun", 2n],
    ["Prague", 1n],
  ] as [Fork, bigint][])("BLOBBASEFEE costs 2 and follows the fork's update fraction (%s)", (fork, fee) => {
    const r = run(fork, { code: code("BLOBBASEFEE", push(0), "SSTORE"), env: { excessBlobGas: 3338477n } });
    expect(r.gasUsed).toBe(21000n + 2n + 3n + BigInt(SET_COLD));
    expect(slot(r, CONTRACT, 0)).toBe(fee);
  });
});

describe("CLZ (EIP-7939)", () => {
  it.each([
    [1n, 255n],
    [0n, 256n],
    [1n << 255n, 0n],
    [0x6ffn, 245n],
  ])("clz(%s) = %s for 5 gas (Osaka)", (x, n) => {
    // PUSHn x (3) CLZ (5) PUSH1 0 (3) SSTORE: a zero result is a no-op store (2100 + 100)
    const r = run("Osaka", { code: code(push(x), "CLZ", push(0), "SSTORE") });
    expect(r.status).toBe("success");
    expect(r.gasUsed).toBe(21000n + 3n + 5n + 3n + (n === 0n ? 2200n : BigInt(SET_COLD)));
    expect(slot(r, CONTRACT, 0)).toBe(n);
  });

  it("is an invalid instruction in Prague", () => {
    const r = run("Prague", { code: code(push(1), "CLZ") });
    expect(r.status).toBe("failure");
    expect(r.gasUsed).toBe(1_000_000n);
  });
});

describe("memory expansion", () => {
  it("charges 3 * words + words^2 / 512", () => {
    // MSTORE at 0x1000 touches 0x1000..0x101f: 129 words, 3 * 129 + floor(129^2 / 512) = 387 + 32 = 419
    expect(memoryCost(129)).toBe(419);
    let r = run("Cancun", { code: mstore(0x1000, 1) });
    expect(r.gasUsed).toBe(21000n + 3n + 3n + 3n + 419n);
    // MLOAD at 0x10000: 2049 words, 6147 + floor(4198401 / 512) = 6147 + 8200 = 14347
    expect(memoryCost(2049)).toBe(14347);
    r = run("Cancun", { code: code(push(0x10000), "MLOAD", "POP") });
    expect(r.gasUsed).toBe(21000n + 3n + 3n + 14347n + 2n);
    // MSTORE8 at 31 stays within one word: 3 + 3 + 3 + 3
    r = run("Cancun", { code: code(args(31, 1), "MSTORE8") });
    expect(r.gasUsed).toBe(21000n + 12n);
  });

  it("runs out of gas on an absurd offset, consuming all gas", () => {
    const r = run("Cancun", { code: code(push(1n << 32n), "MLOAD") });
    expect(r.status).toBe("failure");
    expect(r.gasUsed).toBe(1_000_000n);
  });
});
