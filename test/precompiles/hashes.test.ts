import { ripemd160 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { Random } from "../helpers/random";
import { Rev, Status, expectCost, run, toHex } from "./run";

const SHA256 = 2;
const RIPEMD160 = 3;
const IDENTITY = 4;
const ascii = (s: string) => new TextEncoder().encode(s);
const words = (n: number) => Math.ceil(n / 32);

describe("sha256 (0x02)", () => {
  it("matches the FIPS 180 vectors with gas 60 + 12 per word", () => {
    expect(toHex(expectCost(SHA256, Rev.Frontier, ascii(""), 60).output)).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(toHex(expectCost(SHA256, Rev.Osaka, ascii("abc"), 72).output)).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    const two = ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"); // 56 bytes
    expect(toHex(expectCost(SHA256, Rev.Cancun, two, 60 + 12 * 2).output)).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    const million = new Uint8Array(1_000_000).fill(0x61);
    expect(toHex(expectCost(SHA256, Rev.Cancun, million, 60 + 12 * 31250).output)).toBe(
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
    );
  });

  it("agrees with @noble/hashes on every length around the block boundaries", () => {
    const rng = new Random();
    for (let n = 0; n <= 300; n++) {
      const data = rng.bytes(n);
      const r = run(SHA256, Rev.Prague, data, 1_000_000);
      expect(r.status, `seed ${rng.seed} length ${n}`).toBe(Status.Success);
      expect(toHex(r.output), `seed ${rng.seed} length ${n}`).toBe(toHex(sha256(data)));
      expect(r.gasLeft).toBe(1_000_000 - 60 - 12 * words(n));
    }
  });
});

describe("ripemd160 (0x03)", () => {
  it("matches the reference vectors, left-padded to 32 bytes, with gas 600 + 120 per word", () => {
    const pad = "000000000000000000000000";
    expect(toHex(expectCost(RIPEMD160, Rev.Frontier, ascii(""), 600).output)).toBe(
      pad + "9c1185a5c5e9fc54612808977ee8f548b2258d31",
    );
    expect(toHex(expectCost(RIPEMD160, Rev.Osaka, ascii("abc"), 720).output)).toBe(
      pad + "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc",
    );
    expect(toHex(expectCost(RIPEMD160, Rev.Osaka, ascii("message digest"), 720).output)).toBe(
      pad + "5d0689ef49d2fae572b881b123a85ffa21595f36",
    );
    const million = new Uint8Array(1_000_000).fill(0x61);
    expect(toHex(expectCost(RIPEMD160, Rev.Osaka, million, 600 + 120 * 31250).output)).toBe(
      pad + "52783243c1697bdbe16d37f97f68f08325dc1528",
    );
  });

  it("agrees with @noble/hashes on every length around the block boundaries", () => {
    const rng = new Random();
    for (let n = 0; n <= 300; n++) {
      const data = rng.bytes(n);
      const r = run(RIPEMD160, Rev.Shanghai, data, 100_000);
      expect(toHex(r.output), `seed ${rng.seed} length ${n}`).toBe("00".repeat(12) + toHex(ripemd160(data)));
      expect(r.gasLeft).toBe(100_000 - 600 - 120 * words(n));
    }
  });
});

describe("identity (0x04)", () => {
  it("returns its input with gas 15 + 3 per word", () => {
    expect(expectCost(IDENTITY, Rev.Frontier, new Uint8Array(), 15).output.length).toBe(0);
    const data = new Random().bytes(65);
    expect(toHex(expectCost(IDENTITY, Rev.Osaka, data, 15 + 3 * 3).output)).toBe(toHex(data));
    const big = new Random(7n).bytes(100_000);
    expect(toHex(expectCost(IDENTITY, Rev.Osaka, big, 15 + 3 * 3125).output)).toBe(toHex(big));
  });
});
