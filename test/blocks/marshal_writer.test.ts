/**
 * The request writer stores words by several routes (zero, a double below 2^53, 64-bit pieces
 * below 2^256) and addresses two hex digits at a time: each must give the exact bytes, at and
 * around each boundary, and a malformed address must still throw InvalidArgumentError.
 */
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../lib/errors";
import { Writer } from "../../lib/block/writer";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("request writer", () => {
  it("writes 256-bit and 64-bit words exactly around 2^53, 2^64, 2^128, 2^192 and 2^256", () => {
    const values: bigint[] = [0n, 1n, 0xffn];
    for (const e of [8n, 32n, 52n, 53n, 54n, 63n, 64n, 65n, 127n, 128n, 129n, 191n, 192n, 193n, 255n, 256n]) {
      const p = 1n << e;
      for (const v of [p - 1n, p, p + 1n, p + 0xfedcba987n]) if (v < 1n << 256n) values.push(v);
    }
    values.push(
      0x8000000000000000n * 3n + 5n,
      (1n << 256n) - 0x1234n,
      0x1234567n * (1n << 200n) + 0x89abcdefn,
    );
    // A scratch buffer left dirty by an earlier request must not leak into the words.
    const scratch = { buf: Buffer.alloc(0) };
    for (let round = 0; round < 2; round++) {
      const w = new Writer(16, scratch);
      for (const v of values) w.w256(v);
      for (const v of values) if (v < 1n << 64n) w.u64(v);
      const out = w.result();
      const expected =
        values.map((v) => v.toString(16).padStart(64, "0")).join("") +
        values
          .filter((v) => v < 1n << 64n)
          .map((v) => hex(Buffer.from(v.toString(16).padStart(16, "0"), "hex").reverse()))
          .join("");
      expect(hex(out)).toBe(expected);
      if (round === 0) scratch.buf.fill(0xee, 0, scratch.buf.length); // dirty everything
    }
  });

  it("writes an out-of-range word as into a fresh buffer, on a dirty scratch buffer too", () => {
    const bad = [-1n, -(1n << 70n), 1n << 256n, (1n << 260n) + 5n];
    const fresh = new Writer(16);
    for (const v of bad) fresh.w256(v);
    const scratch = { buf: Buffer.alloc(4096, 0xee) };
    const reused = new Writer(16, scratch);
    for (const v of bad) reused.w256(v);
    expect(hex(reused.result())).toBe(hex(fresh.result()));
  });

  it("writes addresses in either case and rejects malformed ones", () => {
    const w = new Writer(8);
    w.addr("0x0123456789abcdefABCDEF0123456789abcdef01");
    w.addr("0xffffffffffffffffffffffffffffffffffffffff");
    expect(hex(w.result())).toBe("0123456789abcdefabcdef0123456789abcdef01" + "ff".repeat(20));
    const bad = [
      "0x0123456789abcdefABCDEF0123456789abcdef0g",
      "0xg123456789abcdefABCDEF0123456789abcdef01",
      "0x0123456789abcdef ABCDEF0123456789abcdef0",
      "0x0123456789abcdefABCDEF0123456789abcdef0\u0101",
      "0x0123456789abcdefABCDEF0123456789abcdef",
      "0X0123456789abcdefABCDEF0123456789abcdef01",
      "000123456789abcdefABCDEF0123456789abcdef01",
      42 as unknown as string,
    ];
    for (const a of bad) {
      const v = new Writer(8);
      v.u8(7);
      expect(() => v.addr(a)).toThrow(InvalidArgumentError);
      expect(v.pos).toBe(1);
    }
  });
});
