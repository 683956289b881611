/**
 * A request written into the reused scratch buffer (lib/block/writer.ts) has exactly the bytes of
 * one written into a fresh buffer, after larger requests and after an encoding that threw.
 */
import { describe, expect, it } from "vitest";
import { encodeBlockRequest } from "../../lib/block/wire";
import type { Scratch } from "../../lib/block/writer";
import { block, context, OTHER, preState, transfer } from "./helpers";

describe("the request scratch buffer", () => {
  it("gives the bytes of a fresh buffer", () => {
    const scratch: Scratch = { buf: Buffer.alloc(0) };
    const big = block(Array.from({ length: 300 }, (_, i) => transfer(BigInt(i), OTHER, 2n ** 200n)));
    const small = block([transfer(0n, OTHER, 1n, { data: new Uint8Array(3).fill(7) })]);
    const bad = block([transfer(0n), transfer(1n, "0xnot an address")]);
    const fresh = (b: typeof big): Buffer => Buffer.from(encodeBlockRequest(b, context(preState()), {}));
    const reused = (b: typeof big): Buffer =>
      Buffer.from(encodeBlockRequest(b, context(preState()), {}, scratch));
    expect(reused(big).equals(fresh(big))).toBe(true);
    expect(reused(small).equals(fresh(small))).toBe(true);
    expect(() => reused(bad)).toThrow();
    expect(reused(small).equals(fresh(small))).toBe(true);
    expect(reused(big).equals(fresh(big))).toBe(true);
  });
});
