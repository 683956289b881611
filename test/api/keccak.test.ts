import { spawnSync } from "node:child_process";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { describe, expect, it } from "vitest";
import {
  DetachedBufferError,
  InvalidArgumentError,
  DecodeError,
  bytesToHex,
  keccak256,
  keccak256Async,
} from "../../lib/index";
import { addonPath, native } from "../../lib/binding";
import { Random } from "../helpers/random";

const hex = (b: Uint8Array) => bytesToHex(b);

describe("keccak256", () => {
  it("matches the known vectors", () => {
    expect(hex(keccak256(new Uint8Array()))).toBe(
      "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
    expect(hex(keccak256(new TextEncoder().encode("abc")))).toBe(
      "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
    );
    // The Keccak team's 1600-bit message: 200 bytes of 0xa3.
    expect(hex(keccak256(new Uint8Array(200).fill(0xa3)))).toBe(
      "0x3a57666b048777f2c953dc4456f45a2588e1cb6f2da760122d530ac2ce607d4a",
    );
  });

  it("accepts 0x hex and views into larger buffers", () => {
    expect(hex(keccak256("0x616263"))).toBe(hex(keccak256(new TextEncoder().encode("abc"))));
    const big = new Uint8Array(300).fill(7);
    big.set(new TextEncoder().encode("abc"), 100);
    expect(hex(keccak256(big.subarray(100, 103)))).toBe(hex(keccak256("0x616263")));
  });

  it("agrees with @noble/hashes on 1,000 seeded random inputs of 0..1000 bytes", () => {
    const rng = new Random();
    for (let i = 0; i < 1000; i++) {
      const input = rng.bytes(rng.int(1001));
      const got = hex(keccak256(input));
      const want = hex(keccak_256(input));
      if (got !== want) {
        throw new Error(`mismatch at case ${i} (length ${input.length}); replay with PEVM_SEED=${rng.seed}`);
      }
    }
  });

  it("covers every length around the 136-byte rate boundary", () => {
    for (let n = 0; n <= 3 * 136 + 1; n++) {
      const input = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);
      expect(hex(keccak256(input))).toBe(hex(keccak_256(input)));
    }
  });

  it("gives the same hashes with the portable permutation (PEVM_KECCAK=portable)", () => {
    // On x86-64 with BMI1/BMI2 the addon picks a permutation compiled for them at load; this
    // child process forces the baseline one that other machines run.
    const lengths = [0, 1, 31, 32, 64, 135, 136, 137, 271, 272, 273, 1000];
    const input = (n: number) => new Uint8Array(n).map((_, i) => (i * 131 + n * 7) & 0xff);
    const script = `
      const m = { exports: {} };
      process.dlopen(m, process.argv[1]);
      const out = JSON.parse(process.argv[2]).map((n) => {
        const b = new Uint8Array(n).map((_, i) => (i * 131 + n * 7) & 0xff);
        return Buffer.from(m.exports.keccak256(b)).toString("hex");
      });
      process.stdout.write(JSON.stringify(out));
    `;
    const r = spawnSync(process.execPath, ["-e", script, addonPath(), JSON.stringify(lengths)], {
      encoding: "utf8",
      env: { ...process.env, PEVM_KECCAK: "portable" },
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const want = lengths.map((n) => Buffer.from(keccak_256(input(n))).toString("hex"));
    expect(JSON.parse(r.stdout)).toEqual(want);
  });

  it("runs off the event loop with keccak256Async", async () => {
    const input = new Uint8Array(1 << 20).fill(0x5a);
    const promise = keccak256Async(input);
    input.fill(0); // the input was copied when the call was made
    expect(hex(await promise)).toBe(hex(keccak_256(new Uint8Array(1 << 20).fill(0x5a))));
  });
});

describe("the native boundary", () => {
  it("turns a wrong argument type into a typed error with a code", () => {
    expect(() => keccak256(42 as unknown as Uint8Array)).toThrow(InvalidArgumentError);
    expect(() => keccak256("abc")).toThrow(DecodeError);
    expect(() => keccak256("0xzz")).toThrow(DecodeError);
    // Straight into the addon, bypassing the TypeScript checks: still an error with a code.
    const raw = native() as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const bad of [undefined, null, 1, "0x00", {}, [1, 2], new Uint16Array(2), new ArrayBuffer(4)]) {
      let caught: unknown;
      try {
        raw["keccak256"]!(bad);
      } catch (err) {
        caught = err;
      }
      expect((caught as { code?: string }).code).toBe("ERR_INVALID_ARGUMENT");
    }
    let noArg: unknown;
    try {
      raw["keccak256"]!();
    } catch (err) {
      noArg = err;
    }
    expect((noArg as { code?: string }).code).toBe("ERR_INVALID_ARGUMENT");
  });

  it("rejects a detached buffer with ERR_DETACHED_BUFFER", async () => {
    const buffer = new ArrayBuffer(64);
    const view = new Uint8Array(buffer);
    structuredClone(buffer, { transfer: [buffer] }); // detaches `buffer`
    expect(buffer.byteLength).toBe(0);
    try {
      keccak256(view);
      expect.unreachable("a detached buffer must throw");
    } catch (err) {
      expect(err).toBeInstanceOf(DetachedBufferError);
      expect((err as DetachedBufferError).code).toBe("ERR_DETACHED_BUFFER");
    }
    await expect(keccak256Async(view)).rejects.toBeInstanceOf(DetachedBufferError);
  });
});
