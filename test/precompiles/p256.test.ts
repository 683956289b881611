import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Random } from "../helpers/random";
import { Rev, Status, expectCost, run, toHex, word } from "./run";

const P256VERIFY = 0x100;
const GAS = 6900;
// secp256r1: field modulus and group order
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const VALID = word(1n);

interface Sig {
  h: bigint;
  r: bigint;
  s: bigint;
  qx: bigint;
  qy: bigint;
}
const encode = (v: Sig) => word(v.h) + word(v.r) + word(v.s) + word(v.qx) + word(v.qy);
const big = (b: Uint8Array | Buffer) => BigInt("0x" + (Buffer.from(b).toString("hex") || "0"));

/** A fresh key signs `msg` with Node's OpenSSL (SHA-256, r || s encoding). */
function signed(msg: Uint8Array): Sig {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const sig = sign("sha256", msg, { key: privateKey, dsaEncoding: "ieee-p1363" });
  const jwk = publicKey.export({ format: "jwk" });
  return {
    h: big(createHash("sha256").update(msg).digest()),
    r: big(sig.subarray(0, 32)),
    s: big(sig.subarray(32)),
    qx: big(Buffer.from(jwk.x ?? "", "base64url")),
    qy: big(Buffer.from(jwk.y ?? "", "base64url")),
  };
}

/** Every call costs 6900 gas and succeeds; a valid signature returns the word 1, else nothing. */
function verify(input: string): boolean {
  const r = run(P256VERIFY, Rev.Osaka, input, GAS + 100);
  expect(r.status).toBe(Status.Success);
  expect(r.gasLeft).toBe(100);
  if (r.output.length === 0) return false;
  expect(toHex(r.output)).toBe(VALID);
  return true;
}

// Made for these tests: R' = u1 G + u2 Q has x = n + 3, so r = 3 is valid only through the
// "x mod n" comparison (and r = n + 3 is out of range).
const MOD_N: Sig = {
  h: 0x1234567890abcdefn,
  r: 3n,
  s: 0x42424242n,
  qx: 0x16133216dd59d0042216e0e60f0d8244d0f20d4dae93570276a4cf3c1ef1f1ean,
  qy: 0x8f737523705311d97cbe6a2d096a91826c58b6b5da84283f518b819be0cfbf60n,
};
// A signature over the digest n + 0x1234 (>= n): the hash is used mod n.
const BIG_HASH: Sig = {
  h: N + 0x1234n,
  r: 0x5819f7e1f5269726500408366ef6f4c8e74a48a905066ab463bfcfe214325660n,
  s: 0x360c029507df2dc69650a4f4bd3325375d1f937433e0f02d9b31ae1ff46e6935n,
  qx: 0xfcc7c85af76692333b8e6825989f11274bac13a5e1bad19275c5c12efe2e2f29n,
  qy: 0x7fdf61dd018a86c269dae78ba23f8ebbaf61b2fb2752c7d17f42a05b10cf0dcan,
};

describe("P256VERIFY (0x100, EIP-7951)", () => {
  const rng = new Random(0x7951n);
  const good = signed(rng.bytes(48));

  it("returns 1 for a valid signature at exactly 6900 gas", () => {
    expect(toHex(expectCost(P256VERIFY, Rev.Osaka, encode(good), GAS).output)).toBe(VALID);
  });

  it("is not a precompile before Osaka", () => {
    expect(run(P256VERIFY, Rev.Prague, encode(good), GAS).status).toBe(Status.Rejected);
  });

  it("accepts 20 random OpenSSL signatures and their high-s twins, rejects tampered ones", () => {
    for (let i = 0; i < 20; i++) {
      const v = signed(rng.bytes(1 + rng.int(100)));
      expect(verify(encode(v)), `seed ${rng.seed}`).toBe(true);
      expect(verify(encode({ ...v, s: N - v.s })), `seed ${rng.seed}`).toBe(true);
      expect(verify(encode({ ...v, h: v.h ^ (1n << BigInt(rng.int(256))) }))).toBe(false);
      expect(verify(encode({ ...v, r: v.r ^ 1n }))).toBe(false);
      expect(verify(encode({ ...v, qx: good.qx, qy: good.qy }))).toBe(false);
    }
  });

  it("compares x(R') mod n with r", () => {
    expect(verify(encode(MOD_N))).toBe(true);
    expect(verify(encode({ ...MOD_N, r: N + 3n }))).toBe(false);
    expect(verify(encode({ ...MOD_N, r: 4n }))).toBe(false);
  });

  it("reduces a hash >= n mod n", () => {
    expect(verify(encode(BIG_HASH))).toBe(true);
    expect(verify(encode({ ...BIG_HASH, h: 0x1234n }))).toBe(true);
    expect(verify(encode({ ...BIG_HASH, h: 0x1235n }))).toBe(false);
  });

  it("returns nothing (gas still charged) when r or s is outside [1, n - 1]", () => {
    for (const bad of [0n, N, N + 1n, (1n << 256n) - 1n]) {
      expect(verify(encode({ ...good, r: bad })), `r = ${bad}`).toBe(false);
      expect(verify(encode({ ...good, s: bad })), `s = ${bad}`).toBe(false);
    }
    // r + n and s + n encode the same residues but are out of range
    if (good.r + N < 1n << 256n) expect(verify(encode({ ...good, r: good.r + N }))).toBe(false);
    if (good.s + N < 1n << 256n) expect(verify(encode({ ...good, s: good.s + N }))).toBe(false);
  });

  it("returns nothing for a public key off the curve, at infinity or with coordinates >= p", () => {
    const keys: [bigint, bigint][] = [
      [0n, 0n],
      [good.qx, good.qy ^ 1n],
      [good.qx, P - good.qy + 1n],
      [P, good.qy],
      [good.qx, P],
      [good.qx + P < 1n << 256n ? good.qx + P : P + 1n, good.qy],
      [good.qx, good.qy + P < 1n << 256n ? good.qy + P : P + 2n],
    ];
    for (const [qx, qy] of keys) expect(verify(encode({ ...good, qx, qy })), `${qx} ${qy}`).toBe(false);
    // the negated key is on the curve but does not verify
    expect(verify(encode({ ...good, qy: P - good.qy }))).toBe(false);
  });

  it("returns nothing for any input length other than 160 (gas still charged)", () => {
    const full = encode(good);
    for (const len of [0, 1, 32, 128, 159, 161, 192, 320]) {
      const hex = (full + full + "00").slice(0, 2 * len);
      const r = expectCost(P256VERIFY, Rev.Osaka, hex, GAS);
      expect(r.status, `${len}`).toBe(Status.Success);
      expect(r.output.length, `${len}`).toBe(0);
    }
  });
});
