import { keccak_256 } from "@noble/hashes/sha3.js";
import { describe, expect, it } from "vitest";
import { Random } from "../helpers/random";
import { Rev, Status, expectCost, fromHex, run, toHex, word } from "./run";

const ECRECOVER = 1;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

// The `secp256k1` package (a runtime dependency) signs the random cases; it ships no types.
interface Secp256k1 {
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyCreate(seckey: Uint8Array, compressed: boolean): Uint8Array;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const secp = require("secp256k1") as Secp256k1;

// A well-known vector: the signer is 0x7156526fbd7a3c72969b54f64e42c10fbb768c8a.
const HASH = "456e9aea5e197a1f1af7a3e85a3212fa4049a3ba34c2289b4c860fc0b0c64ef3";
const R = "9242685bf161793cc25603c231bc2f568eb630ea16aa137d2664ac8038825608";
const S = "4f8ae3bd7535248d0bd448298cc2e2071e56992d0774dc340c368ae950852ada";
const SIGNER = "0000000000000000000000007156526fbd7a3c72969b54f64e42c10fbb768c8a";

const call = (hash: string, v: string, r: string, s: string) =>
  run(ECRECOVER, Rev.Cancun, hash + v + r + s, 5000);

describe("ecrecover (0x01)", () => {
  it("recovers the signer of a known signature for 3000 gas", () => {
    const r = expectCost(ECRECOVER, Rev.Frontier, HASH + word(28n) + R + S, 3000);
    expect(toHex(r.output)).toBe(SIGNER);
    expect(toHex(call(HASH, word(28n), R, S).output)).toBe(SIGNER);
  });

  it("succeeds with empty output (gas still charged) on an invalid v, r or s", () => {
    const invalid: [string, string, string][] = [
      [word(27n), R, S], // wrong parity: a different key or none, never the signer
      [word(29n), R, S],
      [word(0n), R, S],
      [word(1n), R, S],
      ["00".repeat(30) + "011c", R, S], // v's high bytes must be zero
      [word(28n), word(0n), S],
      [word(28n), R, word(0n)],
      [word(28n), word(N), S],
      [word(28n), R, word(N)],
      [word(28n), word((1n << 256n) - 1n), S],
    ];
    for (const [v, r, s] of invalid) {
      const result = call(HASH, v, r, s);
      expect(result.status).toBe(Status.Success);
      expect(result.gasLeft).toBe(2000);
      if (v === word(27n)) expect(toHex(result.output)).not.toBe(SIGNER);
      else expect(result.output.length, `${v} ${r} ${s}`).toBe(0);
    }
  });

  it("accepts a high s (the precompile has no low-s rule)", () => {
    // (r, n - s) with the other parity is the same signature's twin and recovers the same key
    const highS = word(N - BigInt("0x" + S));
    expect(toHex(call(HASH, word(27n), R, highS).output)).toBe(SIGNER);
  });

  it("zero-pads short input and ignores bytes past 128", () => {
    expect(run(ECRECOVER, Rev.Cancun, new Uint8Array(), 3000)).toMatchObject({
      status: Status.Success,
      gasLeft: 0,
    });
    expect(run(ECRECOVER, Rev.Cancun, new Uint8Array(), 3000).output.length).toBe(0);
    const long = fromHex(HASH + word(28n) + R + S + "ff".repeat(50));
    expect(toHex(run(ECRECOVER, Rev.Cancun, long, 3000).output)).toBe(SIGNER);
    // s truncated to 31 bytes is right-padded with a zero byte: another s, not the signer
    const short = fromHex(HASH + word(28n) + R + S.slice(0, 62));
    expect(toHex(run(ECRECOVER, Rev.Cancun, short, 3000).output)).not.toBe(SIGNER);
  });

  it("recovers the address of random keys signing random hashes", () => {
    const rng = new Random();
    for (let i = 0; i < 50; i++) {
      const key = rng.bytes(32);
      key[0] = key[0]! & 0x7f; // below n
      key[31] = key[31]! | 1; // nonzero
      const hash = rng.bytes(32);
      const { signature, recid } = secp.ecdsaSign(hash, key);
      const pub = secp.publicKeyCreate(key, false);
      const address = toHex(keccak_256(pub.subarray(1))).slice(24);
      const input = toHex(hash) + word(27n + BigInt(recid)) + toHex(signature);
      expect(toHex(run(ECRECOVER, Rev.Osaka, input, 3000).output), `seed ${rng.seed} case ${i}`).toBe(
        "00".repeat(12) + address,
      );
    }
  });
});
