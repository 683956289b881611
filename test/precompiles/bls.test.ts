/**
 * EIP-2537 BLS12-381 precompiles (0x0b-0x11) through the precompile table: the
 * execution-spec-tests cases whose entry contract forwards its calldata to one of them (status,
 * output length and keccak of the output), then algebraic identities and every input rule, each
 * with the exact gas of the call.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { skipSharedData, stateTestsDir } from "../helpers/fixtures";
import { Random } from "../helpers/random";
import { Rev, Status, expectCost, fromHex, run, toHex } from "./run";

const G1ADD = 0x0b;
const G1MSM = 0x0c;
const G2ADD = 0x0d;
const G2MSM = 0x0e;
const PAIRING = 0x0f;
const MAP_FP_TO_G1 = 0x10;
const MAP_FP2_TO_G2 = 0x11;

// BLS12-381: base field P, group order R, E1: y^2 = x^3 + 4.
const P = 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn;
const R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

const G1_GEN = {
  x: 0x17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bbn,
  y: 0x08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1n,
};
const G2_GEN = {
  x: [
    0x024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8n,
    0x13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7en,
  ],
  y: [
    0x0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801n,
    0x0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79ben,
  ],
};

// ---- encodings ----------------------------------------------------------------------------------

const fp = (v: bigint) => v.toString(16).padStart(128, "0");
const scalar = (v: bigint) => v.toString(16).padStart(64, "0");
const g1 = (p: { x: bigint; y: bigint }) => fp(p.x) + fp(p.y);
const g2 = (p: { x: bigint[]; y: bigint[] }) => fp(p.x[0]!) + fp(p.x[1]!) + fp(p.y[0]!) + fp(p.y[1]!);
const G1_INF = "00".repeat(128);
const G2_INF = "00".repeat(256);
const G1 = g1(G1_GEN);
const G2 = g2(G2_GEN);

const mod = (a: bigint) => ((a % P) + P) % P;
function pow(b: bigint, e: bigint): bigint {
  let r = 1n;
  b = mod(b);
  for (; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
  return r;
}
/** -Q for an encoded G1 point: (x, p - y). */
function negG1(hex: string): string {
  const y = BigInt("0x" + hex.slice(128, 256));
  return hex.slice(0, 128) + fp(mod(-y));
}
/** -Q for an encoded G2 point: (x, -y) in Fp2. */
function negG2(hex: string): string {
  const y0 = BigInt("0x" + hex.slice(256, 384));
  const y1 = BigInt("0x" + hex.slice(384, 512));
  return hex.slice(0, 256) + fp(mod(-y0)) + fp(mod(-y1));
}
/** A point on E1 that is not in the prime-order subgroup (almost every point of E1 is not). */
function g1OffSubgroup(): string {
  for (let x = 1n; ; x++) {
    const rhs = mod(x * x * x + 4n);
    const y = pow(rhs, (P + 1n) / 4n); // P = 3 mod 4
    if ((y * y) % P === rhs) return fp(x) + fp(y);
  }
}

const G1_ADD_GAS = 375;
const G2_ADD_GAS = 600;
const G1_MSM_GAS = [0, 12000, 22776]; // by k
const G2_MSM_GAS = [0, 22500, 45000];
const pairingGas = (k: number) => 37700 + 32600 * k;
const MAP_G1_GAS = 5500;
const MAP_G2_GAS = 23800;

/** Runs a call that must succeed at its exact price and returns the output as hex. */
function ok(address: number, input: string, cost: number): string {
  const r = expectCost(address, Rev.Prague, input, cost);
  expect(r.status).toBe(Status.Success);
  return toHex(r.output);
}
/** Runs a call that must fail at its exact price (all gas consumed, no output). */
function fails(address: number, input: string | Uint8Array, cost: number): void {
  expect(expectCost(address, Rev.Prague, input, cost).status).toBe(Status.Failure);
}

// ---- fixture cases ----------------------------------------------------------------------------

interface Case {
  name: string;
  rev: number;
  address: number;
  gas: number;
  input: string;
  success: boolean;
  outLen?: bigint;
  outHash?: bigint;
}

const FORK_REV: Record<string, number> = { Prague: Rev.Prague, Osaka: Rev.Osaka };
// CALLDATACOPY of all calldata, a call to PUSH1 <address> with PUSH2/PUSH3 <gas>, success flag to
// slot 0; optionally RETURNDATASIZE to slot 1 and keccak(returndata) to slot 2.
const FORWARDER =
  /^366000600037((?:[0-9a-f]{2})*?)60([0-9a-f]{2})(61[0-9a-f]{4}|62[0-9a-f]{6})(f1|f2|f4|fa)600055/;
const HASHES_OUTPUT = "3d6001553d600060003e3d600020600255";

function forwardedCases(dir: string): Case[] {
  const out: Case[] = [];
  const seen = new Set<string>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const tests = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    for (const [name, t] of Object.entries<any>(tests)) {
      const to: string | undefined = t.transaction.to;
      const code: string | undefined = to ? t.pre[to]?.code?.slice(2) : undefined;
      const m = code ? FORWARDER.exec(code) : null;
      if (!m) continue;
      const address = parseInt(m[2]!, 16);
      if (address < G1ADD || address > MAP_FP2_TO_G2) continue;
      const gas = parseInt(m[3]!.slice(2), 16);
      const hashes = code!.slice(m[0].length).startsWith(HASHES_OUTPUT);
      for (const [fork, posts] of Object.entries<any[]>(t.post)) {
        const rev = FORK_REV[fork];
        if (rev === undefined) continue;
        for (const post of posts) {
          if (post.expectException) continue;
          const data: string = t.transaction.data[post.indexes.data].slice(2);
          const key = `${rev}:${address}:${gas}:${data}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const storage = post.state[to!]?.storage ?? {};
          const c: Case = {
            name,
            rev,
            address,
            gas,
            input: data,
            success: BigInt(storage["0x00"] ?? 0) === 1n,
          };
          if (hashes) {
            c.outLen = BigInt(storage["0x01"] ?? 0);
            c.outHash = BigInt(storage["0x02"] ?? 0);
          }
          out.push(c);
        }
      }
    }
  }
  return out;
}

const skip = skipSharedData("BLS12-381 fixture cases");

describe.skipIf(skip)("BLS12-381: execution-spec-tests cases", () => {
  it("matches every case that forwards calldata to 0x0b..0x11 (status, output length and hash)", () => {
    const cases = forwardedCases(path.join(stateTestsDir(), "prague", "eip2537_bls_12_381_precompiles"));
    expect(cases.length).toBeGreaterThan(300);
    for (let a = G1ADD; a <= MAP_FP2_TO_G2; a++) {
      expect(
        cases.filter((c) => c.address === a && c.success).length,
        `valid cases for ${a}`,
      ).toBeGreaterThan(0);
      expect(
        cases.filter((c) => c.address === a && !c.success).length,
        `invalid cases for ${a}`,
      ).toBeGreaterThan(0);
    }
    for (const c of cases) {
      const r = run(c.address, c.rev, c.input, c.gas);
      expect(r.status === Status.Success, c.name).toBe(c.success);
      if (!c.success) {
        expect(r.gasLeft, c.name).toBe(0);
      } else if (c.outHash !== undefined) {
        expect(BigInt(r.output.length), c.name).toBe(c.outLen);
        expect(BigInt("0x" + toHex(keccak_256(r.output))), c.name).toBe(c.outHash);
      }
    }
  });
});

// ---- G1 / G2 addition -------------------------------------------------------------------------

describe("BLS12-381 G1ADD (375 gas) and G2ADD (600 gas)", () => {
  const twoG1 = () => ok(G1MSM, G1 + scalar(2n), G1_MSM_GAS[1]!);
  const twoG2 = () => ok(G2MSM, G2 + scalar(2n), G2_MSM_GAS[1]!);

  it("adds with infinity, doubles, and cancels a point with its negation", () => {
    expect(ok(G1ADD, G1_INF + G1_INF, G1_ADD_GAS)).toBe(G1_INF);
    expect(ok(G1ADD, G1 + G1_INF, G1_ADD_GAS)).toBe(G1);
    expect(ok(G1ADD, G1_INF + G1, G1_ADD_GAS)).toBe(G1);
    expect(ok(G1ADD, G1 + negG1(G1), G1_ADD_GAS)).toBe(G1_INF);
    expect(ok(G1ADD, G1 + G1, G1_ADD_GAS)).toBe(twoG1());
    expect(ok(G1ADD, twoG1() + negG1(G1), G1_ADD_GAS)).toBe(G1);

    expect(ok(G2ADD, G2_INF + G2_INF, G2_ADD_GAS)).toBe(G2_INF);
    expect(ok(G2ADD, G2 + G2_INF, G2_ADD_GAS)).toBe(G2);
    expect(ok(G2ADD, G2 + negG2(G2), G2_ADD_GAS)).toBe(G2_INF);
    expect(ok(G2ADD, G2 + G2, G2_ADD_GAS)).toBe(twoG2());
    expect(ok(G2ADD, twoG2() + negG2(G2), G2_ADD_GAS)).toBe(G2);
  });

  it("accepts points outside the subgroup (EIP-2537: no subgroup check for addition)", () => {
    const q = g1OffSubgroup();
    expect(ok(G1ADD, q + G1_INF, G1_ADD_GAS)).toBe(q);
    expect(ok(G1ADD, q + negG1(q), G1_ADD_GAS)).toBe(G1_INF);
    // ... but multiplication and pairing reject them
    fails(G1MSM, q + scalar(1n), G1_MSM_GAS[1]!);
    fails(PAIRING, q + G2, pairingGas(1));
  });

  it("fails for coordinates >= p, non-zero padding, points off the curve and wrong lengths", () => {
    const xIsP = fp(P) + G1.slice(128);
    const padded = "01" + G1.slice(2);
    const offCurve = G1.slice(0, 255) + (G1.endsWith("0") ? "1" : "0");
    const yPlusP = fp(G1_GEN.x) + fp(G1_GEN.y + P); // the same point with y not reduced
    for (const bad of [xIsP, padded, offCurve, yPlusP]) {
      fails(G1ADD, bad + G1, G1_ADD_GAS);
      fails(G1ADD, G1 + bad, G1_ADD_GAS);
    }
    const g2xc1IsP = G2.slice(0, 128) + fp(P) + G2.slice(256);
    const g2Padded = G2.slice(0, 384) + "01" + G2.slice(386);
    const g2OffCurve = G2.slice(0, 511) + (G2.endsWith("0") ? "1" : "0");
    const g2Swapped = G2.slice(128, 256) + G2.slice(0, 128) + G2.slice(256); // c1 || c0: off the curve
    for (const bad of [g2xc1IsP, g2Padded, g2OffCurve, g2Swapped]) {
      fails(G2ADD, bad + G2, G2_ADD_GAS);
      fails(G2ADD, G2 + bad, G2_ADD_GAS);
    }
    for (const n of [0, 255, 257]) fails(G1ADD, new Uint8Array(n), G1_ADD_GAS);
    for (const n of [0, 511, 513]) fails(G2ADD, new Uint8Array(n), G2_ADD_GAS);
  });
});

// ---- multi-scalar multiplication --------------------------------------------------------------

describe("BLS12-381 G1MSM and G2MSM", () => {
  it("reduces scalars mod r, maps 0 and r to infinity, and accepts any 256-bit scalar", () => {
    const two = ok(G1MSM, G1 + scalar(2n), G1_MSM_GAS[1]!);
    expect(ok(G1MSM, G1 + scalar(R + 2n), G1_MSM_GAS[1]!)).toBe(two);
    expect(ok(G1MSM, G1 + scalar(0n), G1_MSM_GAS[1]!)).toBe(G1_INF);
    expect(ok(G1MSM, G1 + scalar(R), G1_MSM_GAS[1]!)).toBe(G1_INF);
    expect(ok(G1MSM, G1 + scalar(1n), G1_MSM_GAS[1]!)).toBe(G1);
    expect(ok(G1MSM, G1 + scalar(R - 1n), G1_MSM_GAS[1]!)).toBe(negG1(G1));
    const max = (1n << 256n) - 1n;
    expect(ok(G1MSM, G1 + scalar(max), G1_MSM_GAS[1]!)).toBe(ok(G1MSM, G1 + scalar(max % R), G1_MSM_GAS[1]!));
    expect(ok(G1MSM, G1_INF + scalar(12345n), G1_MSM_GAS[1]!)).toBe(G1_INF);

    const twoG2 = ok(G2MSM, G2 + scalar(2n), G2_MSM_GAS[1]!);
    expect(ok(G2MSM, G2 + scalar(R + 2n), G2_MSM_GAS[1]!)).toBe(twoG2);
    expect(ok(G2MSM, G2 + scalar(R), G2_MSM_GAS[1]!)).toBe(G2_INF);
    expect(ok(G2MSM, G2 + scalar(R - 1n), G2_MSM_GAS[1]!)).toBe(negG2(G2));
    expect(ok(G2MSM, G2_INF + scalar(7n), G2_MSM_GAS[1]!)).toBe(G2_INF);
  });

  it("sums the products: MSM([P, Q], [a, b]) = aP + bQ, including P = Q and P = -Q", () => {
    const rnd = new Random();
    const a = rnd.next64() * rnd.next64() * rnd.next64();
    const b = rnd.next64() * rnd.next64();
    const aG1 = ok(G1MSM, G1 + scalar(a), G1_MSM_GAS[1]!);
    const bG1 = ok(G1MSM, G1 + scalar(b), G1_MSM_GAS[1]!);
    expect(ok(G1MSM, G1 + scalar(a) + G1 + scalar(b), G1_MSM_GAS[2]!)).toBe(ok(G1ADD, aG1 + bG1, G1_ADD_GAS));
    expect(ok(G1MSM, G1 + scalar(a) + negG1(G1) + scalar(a), G1_MSM_GAS[2]!)).toBe(G1_INF);
    expect(ok(G1MSM, aG1 + scalar(b) + G1_INF + scalar(a), G1_MSM_GAS[2]!)).toBe(
      ok(G1MSM, G1 + scalar((a * b) % R), G1_MSM_GAS[1]!),
    );

    const aG2 = ok(G2MSM, G2 + scalar(a), G2_MSM_GAS[1]!);
    const bG2 = ok(G2MSM, G2 + scalar(b), G2_MSM_GAS[1]!);
    expect(ok(G2MSM, G2 + scalar(a) + G2 + scalar(b), G2_MSM_GAS[2]!)).toBe(ok(G2ADD, aG2 + bG2, G2_ADD_GAS));
    expect(ok(G2MSM, G2 + scalar(a) + negG2(G2) + scalar(a), G2_MSM_GAS[2]!)).toBe(G2_INF);
  });

  it("agrees with adding single products for 16 random points and scalars", () => {
    const rnd = new Random();
    let input = "";
    let sum = G1_INF;
    for (let i = 0; i < 16; i++) {
      const point = ok(MAP_FP_TO_G1, fp(BigInt("0x" + toHex(rnd.bytes(47)))), MAP_G1_GAS);
      const s = BigInt("0x" + toHex(rnd.bytes(32)));
      input += point + scalar(s);
      sum = ok(G1ADD, sum + ok(G1MSM, point + scalar(s), G1_MSM_GAS[1]!), G1_ADD_GAS);
    }
    const r = run(G1MSM, Rev.Prague, input, 10_000_000);
    expect(r.status).toBe(Status.Success);
    expect(toHex(r.output)).toBe(sum);
  });

  it("fails for points outside the subgroup or off the curve, bad encodings, empty or ragged input", () => {
    fails(G1MSM, g1OffSubgroup() + scalar(0n), G1_MSM_GAS[1]!); // checked even when the scalar is 0
    fails(G1MSM, G1 + scalar(1n) + g1OffSubgroup() + scalar(1n), G1_MSM_GAS[2]!);
    fails(G1MSM, fp(1n) + fp(1n) + scalar(1n), G1_MSM_GAS[1]!); // off the curve
    fails(G1MSM, fp(P) + G1.slice(128) + scalar(1n), G1_MSM_GAS[1]!);
    fails(G1MSM, "01" + G1.slice(2) + scalar(1n), G1_MSM_GAS[1]!);
    fails(G2MSM, G2.slice(0, 511) + (G2.endsWith("0") ? "1" : "0") + scalar(1n), G2_MSM_GAS[1]!);
    fails(G2MSM, G2.slice(128, 256) + G2.slice(0, 128) + G2.slice(256) + scalar(1n), G2_MSM_GAS[1]!);
    for (const n of [159, 161, 319]) fails(G1MSM, new Uint8Array(n), G1_MSM_GAS[Math.floor(n / 160)]!);
    for (const n of [287, 289, 575]) fails(G2MSM, new Uint8Array(n), G2_MSM_GAS[Math.floor(n / 288)]!);
    expect(run(G1MSM, Rev.Prague, new Uint8Array(0), 100_000)).toMatchObject({
      status: Status.Failure,
      gasLeft: 0,
    });
    expect(run(G2MSM, Rev.Prague, new Uint8Array(0), 100_000)).toMatchObject({
      status: Status.Failure,
      gasLeft: 0,
    });
  });
});

// ---- pairing ----------------------------------------------------------------------------------

describe("BLS12-381 PAIRING_CHECK (37700 + 32600 k gas)", () => {
  const ONE = "00".repeat(31) + "01";
  const ZERO = "00".repeat(32);

  it("checks products of pairings: e(P, Q) e(-P, Q) = 1, bilinearity, infinity pairs", () => {
    expect(ok(PAIRING, G1 + G2 + negG1(G1) + G2, pairingGas(2))).toBe(ONE);
    expect(ok(PAIRING, G1 + G2, pairingGas(1))).toBe(ZERO);
    expect(ok(PAIRING, G1 + G2 + G1 + G2, pairingGas(2))).toBe(ZERO);
    const a = 0x1234567890abcdef1234567890abcdefn;
    const aG1 = ok(G1MSM, G1 + scalar(a), G1_MSM_GAS[1]!);
    const aG2 = ok(G2MSM, G2 + scalar(a), G2_MSM_GAS[1]!);
    expect(ok(PAIRING, aG1 + G2 + negG1(G1) + aG2, pairingGas(2))).toBe(ONE);
    expect(ok(PAIRING, aG1 + G2 + G1 + negG2(aG2), pairingGas(2))).toBe(ONE);
    expect(ok(PAIRING, aG1 + G2 + negG1(G1) + G2, pairingGas(2))).toBe(ZERO);
    // a pair with a point at infinity contributes 1
    expect(ok(PAIRING, G1_INF + G2, pairingGas(1))).toBe(ONE);
    expect(ok(PAIRING, G1 + G2_INF, pairingGas(1))).toBe(ONE);
    expect(ok(PAIRING, G1_INF + G2_INF + G1 + G2 + negG1(G1) + G2, pairingGas(3))).toBe(ONE);
    expect(ok(PAIRING, G1_INF + G2 + G1 + G2, pairingGas(2))).toBe(ZERO);
  });

  it("fails for points outside the subgroup or off the curve, bad encodings, empty or ragged input", () => {
    fails(PAIRING, g1OffSubgroup() + G2, pairingGas(1));
    fails(PAIRING, g1OffSubgroup() + G2_INF, pairingGas(1)); // checked even when paired with infinity
    fails(PAIRING, fp(1n) + fp(1n) + G2, pairingGas(1));
    fails(PAIRING, G1 + G2.slice(0, 511) + (G2.endsWith("0") ? "1" : "0"), pairingGas(1));
    fails(PAIRING, G1 + G2 + G1 + "01" + G2.slice(2), pairingGas(2));
    fails(PAIRING, G1 + fp(P) + G2.slice(128), pairingGas(1));
    for (const n of [383, 385, 767]) fails(PAIRING, new Uint8Array(n), pairingGas(Math.floor(n / 384)));
    expect(run(PAIRING, Rev.Prague, new Uint8Array(0), 100_000)).toMatchObject({
      status: Status.Failure,
      gasLeft: 0,
    });
  });
});

// ---- mapping field elements to the curves -----------------------------------------------------

describe("BLS12-381 MAP_FP_TO_G1 (5500 gas) and MAP_FP2_TO_G2 (23800 gas)", () => {
  it("maps field elements to subgroup points (accepted by MSM and pairing)", () => {
    const rnd = new Random();
    for (const u of [0n, 1n, P - 1n, BigInt("0x" + toHex(rnd.bytes(47)))]) {
      const p = ok(MAP_FP_TO_G1, fp(u), MAP_G1_GAS);
      expect(p).not.toBe(G1_INF);
      expect(ok(G1MSM, p + scalar(R), G1_MSM_GAS[1]!)).toBe(G1_INF); // r * p = infinity
      expect(ok(PAIRING, p + G2 + negG1(p) + G2, pairingGas(2))).toBe("00".repeat(31) + "01");
    }
    for (const u of [
      [0n, 0n],
      [1n, 0n],
      [0n, 1n],
      [P - 1n, P - 1n],
    ]) {
      const q = ok(MAP_FP2_TO_G2, fp(u[0]!) + fp(u[1]!), MAP_G2_GAS);
      expect(q).not.toBe(G2_INF);
      expect(ok(G2MSM, q + scalar(R), G2_MSM_GAS[1]!)).toBe(G2_INF);
    }
    // the map is a function of u, not of its encoding order: (u0, u1) and (u1, u0) differ
    expect(ok(MAP_FP2_TO_G2, fp(1n) + fp(0n), MAP_G2_GAS)).not.toBe(
      ok(MAP_FP2_TO_G2, fp(0n) + fp(1n), MAP_G2_GAS),
    );
  });

  it("fails for elements >= p, non-zero padding and wrong lengths", () => {
    fails(MAP_FP_TO_G1, fp(P), MAP_G1_GAS);
    fails(MAP_FP_TO_G1, fp((1n << 384n) - 1n), MAP_G1_GAS);
    fails(MAP_FP_TO_G1, "01" + fp(1n).slice(2), MAP_G1_GAS);
    for (const n of [0, 63, 65]) fails(MAP_FP_TO_G1, new Uint8Array(n), MAP_G1_GAS);
    fails(MAP_FP2_TO_G2, fp(P) + fp(0n), MAP_G2_GAS);
    fails(MAP_FP2_TO_G2, fp(0n) + fp(P), MAP_G2_GAS);
    fails(MAP_FP2_TO_G2, fp(0n) + "01" + fp(1n).slice(2), MAP_G2_GAS);
    for (const n of [0, 127, 129]) fails(MAP_FP2_TO_G2, new Uint8Array(n), MAP_G2_GAS);
  });
});

// The encodings above are plain hex; check the generators really are on their curves so that a
// typo in a constant cannot make the identities pass vacuously.
describe("test constants", () => {
  it("G1 generator is on y^2 = x^3 + 4 and fromHex round-trips", () => {
    expect(mod(G1_GEN.y * G1_GEN.y)).toBe(mod(G1_GEN.x ** 3n + 4n));
    expect(toHex(fromHex(G1))).toBe(G1);
  });
});
