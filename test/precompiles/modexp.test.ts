import { describe, expect, it } from "vitest";
import { Random } from "../helpers/random";
import { Rev, Status, expectCost, fromHex, run, toHex, word } from "./run";

const MODEXP = 5;

function encode(b: Uint8Array, e: Uint8Array, m: Uint8Array): Uint8Array {
  return fromHex(
    word(BigInt(b.length)) + word(BigInt(e.length)) + word(BigInt(m.length)) + toHex(b) + toHex(e) + toHex(m),
  );
}
function header(bl: bigint, el: bigint, ml: bigint, rest = ""): Uint8Array {
  return fromHex(word(bl) + word(el) + word(ml) + rest);
}
const big = (b: Uint8Array) => (b.length === 0 ? 0n : BigInt("0x" + toHex(b)));
const bytesOf = (v: bigint, n: number) =>
  fromHex(
    v
      .toString(16)
      .padStart(2 * n, "0")
      .slice(-2 * n),
  );

function modpow(b: bigint, e: bigint, m: bigint): bigint {
  if (m === 0n) return 0n;
  let r = 1n % m;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

const bitLength = (v: bigint) => (v === 0n ? 0 : v.toString(2).length);

// The pricing formulas as the EIPs write them (198, 2565, 7883), for inputs whose lengths are
// all present (no truncation).
function referenceGas(b: Uint8Array, e: Uint8Array, m: Uint8Array, rev: number): number {
  const x = BigInt(Math.max(b.length, m.length));
  const head = big(e.subarray(0, 32));
  const perByte = rev >= Rev.Osaka ? 16n : 8n;
  let iter = head === 0n ? 0n : BigInt(bitLength(head) - 1);
  if (e.length > 32) iter += perByte * BigInt(e.length - 32);
  if (iter < 1n) iter = 1n;
  const w = (x + 7n) / 8n;
  let gas: bigint;
  if (rev >= Rev.Osaka) {
    const c = x <= 32n ? 16n : 2n * w * w;
    gas = c * iter > 500n ? c * iter : 500n;
  } else if (rev >= Rev.Berlin) {
    gas = (w * w * iter) / 3n;
    if (gas < 200n) gas = 200n;
  } else {
    const c =
      x <= 64n ? x * x : x <= 1024n ? (x * x) / 4n + 96n * x - 3072n : (x * x) / 16n + 480n * x - 199680n;
    gas = (c * iter) / 20n;
  }
  return Number(gas);
}

// EIP-198's examples: secp256k1's p, Fermat's little theorem.
const P = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";
const P_MINUS_2 = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2d";

describe("modexp (0x05)", () => {
  it("computes 3^(p-2) mod p = 3^-1 and prices it per fork (EIP-198, 2565, 7883)", () => {
    const input = header(1n, 32n, 32n, "03" + P_MINUS_2 + P);
    const out198 = expectCost(MODEXP, Rev.Byzantium, input, 13056).output;
    expect((big(out198) * 3n) % BigInt("0x" + P)).toBe(1n);
    expect(toHex(expectCost(MODEXP, Rev.Berlin, input, 1360).output)).toBe(toHex(out198));
    expect(toHex(expectCost(MODEXP, Rev.Osaka, input, 4080).output)).toBe(toHex(out198));
  });

  it("computes 3^(p-1) mod p = 1 (EIP-198 example 1)", () => {
    const input = header(
      1n,
      32n,
      32n,
      "03" + "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e" + P,
    );
    expect(toHex(expectCost(MODEXP, Rev.Byzantium, input, 13056).output)).toBe(word(1n));
  });

  it("returns 0 for a zero base of declared length 0 (EIP-198 example 2)", () => {
    const input = header(
      0n,
      32n,
      32n,
      "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e" + P,
    );
    expect(toHex(expectCost(MODEXP, Rev.Byzantium, input, 13056).output)).toBe(word(0n));
  });

  it("returns empty output for a zero-length modulus, whatever the exponent length", () => {
    // base and modulus lengths 0: the complexity is 0, so a huge exponent costs 0 before Berlin
    const huge = header(0n, (1n << 256n) - 1n, 0n);
    expect(expectCost(MODEXP, Rev.Byzantium, huge, 0).output.length).toBe(0);
    expect(expectCost(MODEXP, Rev.Berlin, huge, 200).output.length).toBe(0);
    expect(expectCost(MODEXP, Rev.Osaka, header(1n, 1n, 0n, "0203"), 500).output.length).toBe(0);
    expect(expectCost(MODEXP, Rev.Cancun, new Uint8Array(), 200).output.length).toBe(0);
  });

  it("runs out of gas on huge declared base or modulus lengths before allocating", () => {
    for (const [bl, ml] of [
      [(1n << 256n) - 1n, 1n],
      [1n, (1n << 256n) - 1n],
      [1n << 32n, 0n],
      [0n, 1n << 40n],
    ] as const) {
      for (const rev of [Rev.Byzantium, Rev.Berlin, Rev.Cancun]) {
        expect(run(MODEXP, rev, header(bl, 1n, ml, "02"), Number.MAX_SAFE_INTEGER)).toMatchObject({
          status: Status.OutOfGas,
          gasLeft: 0,
        });
      }
    }
  });

  it("prices a huge declared exponent length exactly (iteration count 8 per byte past 32)", () => {
    // base 1 byte, modulus 1 byte, exponent length 2^20 (not present: zeros): iter = 8 * (2^20 - 32)
    const input = header(1n, 1n << 20n, 1n, "02");
    const iter = 8 * (2 ** 20 - 32);
    expect(toHex(expectCost(MODEXP, Rev.Byzantium, input, Math.floor(iter / 20)).output)).toBe("00");
    expect(toHex(expectCost(MODEXP, Rev.Berlin, input, Math.floor(iter / 3)).output)).toBe("00");
    // the declared exponent bytes are all zeros, so the result is 2^0 mod 0 = 0 (modulus absent)
    const withModulus = header(1n, 40n, 1n, "02" + "00".repeat(39) + "01" + "07");
    const r = expectCost(MODEXP, Rev.Berlin, withModulus, 200);
    expect(toHex(r.output)).toBe(toHex(bytesOf(modpow(2n, 1n, 7n), 1)));
  });

  it("reads a truncated input as right-padded with zeros", () => {
    // exponent 0x0100 = 256, present in full
    const full = header(1n, 2n, 1n, "03" + "0100" + "0b");
    expect(toHex(run(MODEXP, Rev.Cancun, full, 1000).output)).toBe(toHex(bytesOf(modpow(3n, 256n, 11n), 1)));
    // a truncated modulus is right-padded: declared 2 bytes, given 0x0b -> 0x0b00
    const truncated = header(1n, 1n, 2n, "03" + "05" + "0b");
    expect(toHex(run(MODEXP, Rev.Cancun, truncated, 1000).output)).toBe(
      toHex(bytesOf(modpow(3n, 5n, 0x0b00n), 2)),
    );
  });

  it("handles exponent 0, modulus 0 and 1, base 0 and even moduli", () => {
    const cases: [string, string, string][] = [
      ["05", "00", "07"], // x^0 = 1
      ["00", "00", "07"], // 0^0 = 1
      ["05", "03", "00"], // mod 0 -> 0
      ["05", "03", "01"], // mod 1 -> 0
      ["00", "03", "07"], // 0^3 = 0
      ["03", "05", "64"], // even modulus: 243 mod 100 = 43
      ["ffff", "ffff", "0100"], // modulus a power of two
      ["1234567890abcdef1234567890abcdef", "ff", "00000000000000000000000000000010"],
    ];
    for (const [b, e, m] of cases) {
      const [bb, eb, mb] = [fromHex(b), fromHex(e), fromHex(m)];
      const r = expectCost(MODEXP, Rev.Cancun, encode(bb, eb, mb), referenceGas(bb, eb, mb, Rev.Cancun));
      expect(toHex(r.output), `${b}^${e} mod ${m}`).toBe(
        toHex(bytesOf(modpow(big(bb), big(eb), big(mb)), mb.length)),
      );
    }
  });

  it("enforces the 1024-byte limits from Osaka (EIP-7823), failing with all gas consumed", () => {
    const at = (bl: number, el: number, ml: number) =>
      encode(new Uint8Array(bl).fill(3), new Uint8Array(el).fill(1), new Uint8Array(ml).fill(0xff));
    for (const input of [at(1025, 1, 1), at(1, 1025, 1), at(1, 1, 1025)]) {
      expect(run(MODEXP, Rev.Osaka, input, 100_000_000)).toMatchObject({
        status: Status.Failure,
        gasLeft: 0,
      });
      expect(run(MODEXP, Rev.Prague, input, 100_000_000).status).toBe(Status.Success);
    }
    expect(run(MODEXP, Rev.Osaka, header(1n << 255n, 0n, 0n), 100_000_000).status).toBe(Status.Failure);
    const max = at(1024, 1, 1024);
    const r = expectCost(MODEXP, Rev.Osaka, max, 2 * 128 * 128);
    const m = big(new Uint8Array(1024).fill(0xff));
    expect(big(r.output)).toBe(modpow(big(new Uint8Array(1024).fill(3)), 1n, m));
  });

  it("agrees with BigInt arithmetic and the EIP pricing on random inputs", () => {
    const rng = new Random();
    const lengths = [0, 1, 2, 8, 31, 32, 33, 64, 65, 128, 256];
    for (let i = 0; i < 400; i++) {
      const bytes = (n: number) => {
        const k = rng.int(10);
        if (k === 0) return new Uint8Array(n);
        if (k === 1) return new Uint8Array(n).fill(0xff);
        return rng.bytes(n);
      };
      const b = bytes(lengths[rng.int(lengths.length)]!);
      const e = bytes([0, 1, 3, 32, 33, 40][rng.int(6)]!);
      const m = bytes(lengths[rng.int(lengths.length)]!);
      if (m.length > 0 && rng.int(3) === 0) m[m.length - 1]! &= 0xfe; // even moduli too
      const rev = [Rev.Byzantium, Rev.Berlin, Rev.Prague, Rev.Osaka][rng.int(4)]!;
      const gas = referenceGas(b, e, m, rev);
      const ctx = `seed ${rng.seed} case ${i}`;
      const r = run(MODEXP, rev, encode(b, e, m), gas + 7);
      expect(r.status, ctx).toBe(Status.Success);
      expect(r.gasLeft, ctx).toBe(7);
      expect(toHex(r.output), ctx).toBe(
        m.length === 0 ? "" : toHex(bytesOf(modpow(big(b), big(e), big(m)), m.length)),
      );
    }
  });

  it("computes a 2048-bit modexp (RSA size) correctly", () => {
    const rng = new Random(2048n);
    const b = rng.bytes(256);
    const e = rng.bytes(256);
    const m = rng.bytes(256);
    m[255]! |= 1;
    const r = run(MODEXP, Rev.Osaka, encode(b, e, m), 100_000_000);
    expect(r.gasLeft).toBe(100_000_000 - referenceGas(b, e, m, Rev.Osaka));
    expect(big(r.output)).toBe(modpow(big(b), big(e), big(m)));
  });
});
