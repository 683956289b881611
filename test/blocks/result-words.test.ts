/**
 * The result decoder reads 256-bit words by three routes (a double below 2^53, doubles and a shift
 * below 2^85, hex above): every route must give the exact value, at and around each boundary.
 */
import { describe, expect, it } from "vitest";
import { decodeBlockResult } from "../../lib/block/wire";

function word(v: bigint): Buffer {
  return Buffer.from(v.toString(16).padStart(64, "0"), "hex");
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

describe("result words", () => {
  it("decode exactly around 2^53, 2^64, 2^85 and 2^256", () => {
    const values: bigint[] = [0n, 1n];
    for (const e of [32n, 52n, 53n, 54n, 63n, 64n, 65n, 84n, 85n, 86n, 128n, 255n, 256n]) {
      const p = 1n << e;
      for (const v of [p - 1n, p, p + 1n, p + 0xfedcba987n]) if (v < 1n << 256n) values.push(v);
    }
    values.push(0x1234567n * (1n << 60n) + 0x89abcdefn, (1n << 256n) - 0x1234n);
    const slots = values.flatMap((v, i) => [word(BigInt(i)), word(v)]);
    const result = Buffer.concat([
      Buffer.from([0]), // executed
      Buffer.alloc(8 * 5), // gasUsed, blobGasUsed, three timings
      Buffer.alloc(256), // bloom
      u32(0), // receipts
      Buffer.from([0]), // no requests
      u32(0),
      u32(0),
      u32(values.length), // one diff account per value (as its balance), all values as slots too
      ...values.flatMap((v, i) => [
        Buffer.alloc(20, i),
        Buffer.from([0]),
        word(v),
        Buffer.alloc(8),
        Buffer.alloc(32),
        u32(i === 0 ? values.length : 0),
        ...(i === 0 ? slots : []),
      ]),
    ]);
    const out = decodeBlockResult(new Uint8Array(result));
    if ("kind" in out) throw new Error("not a result");
    const diff = out.readDiff();
    expect(diff.map((d) => d.balance)).toEqual(values);
    expect([...diff[0]!.storage.values()]).toEqual(values);
    expect([...diff[0]!.storage.keys()]).toEqual(values.map((_, i) => BigInt(i)));
  });
});
