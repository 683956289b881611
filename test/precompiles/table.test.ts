import { describe, expect, it } from "vitest";
import { Rev, Status, expectCost, run, toHex, word } from "./run";

// The fork that activated each precompile address.
const SINCE: [number, number][] = [
  [0x01, Rev.Frontier],
  [0x02, Rev.Frontier],
  [0x03, Rev.Frontier],
  [0x04, Rev.Frontier],
  [0x05, Rev.Byzantium],
  [0x06, Rev.Byzantium],
  [0x07, Rev.Byzantium],
  [0x08, Rev.Byzantium],
  [0x09, Rev.Istanbul],
  [0x0a, Rev.Cancun],
  ...[0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11].map((a): [number, number] => [a, Rev.Prague]),
  [0x100, Rev.Osaka],
];
const EXPERIMENTAL = 15;

describe("the precompile table", () => {
  it("activates each address in its fork and not before", () => {
    for (const [address, since] of SINCE) {
      for (let rev = 0; rev <= EXPERIMENTAL; rev++) {
        const r = run(address, rev, new Uint8Array(), 10_000_000);
        expect(r.status !== Status.Rejected, `0x${address.toString(16)} in rev ${rev}`).toBe(rev >= since);
      }
    }
  });

  it("has nothing at 0x00, 0x12..0xff or 0x101", () => {
    for (const address of [0x00, 0x12, 0x13, 0xff, 0x101, 0x200, 0x1000]) {
      expect(run(address, EXPERIMENTAL, new Uint8Array(), 1_000_000).status).toBe(Status.Rejected);
    }
  });
});

describe("bn254 gas (EIP-196/197, EIP-1108 from Istanbul)", () => {
  const zeros = (n: number) => new Uint8Array(n);
  it("charges 500/150 for ECADD", () => {
    expect(toHex(expectCost(0x06, Rev.Byzantium, zeros(128), 500).output)).toBe("00".repeat(64));
    expect(toHex(expectCost(0x06, Rev.Istanbul, zeros(0), 150).output)).toBe("00".repeat(64));
  });
  it("charges 40000/6000 for ECMUL", () => {
    expect(toHex(expectCost(0x07, Rev.Petersburg, zeros(96), 40000).output)).toBe("00".repeat(64));
    expect(toHex(expectCost(0x07, Rev.Osaka, zeros(96), 6000).output)).toBe("00".repeat(64));
  });
  it("charges 100000 + 80000k / 45000 + 34000k for ECPAIRING, failing on a partial pair", () => {
    expect(toHex(expectCost(0x08, Rev.Byzantium, zeros(0), 100000).output)).toBe(word(1n));
    expect(toHex(expectCost(0x08, Rev.Byzantium, zeros(384), 260000).output)).toBe(word(1n));
    expect(toHex(expectCost(0x08, Rev.Istanbul, zeros(192), 79000).output)).toBe(word(1n));
    expect(expectCost(0x08, Rev.Istanbul, zeros(193), 79000).status).toBe(Status.Failure);
  });
  it("fails on a point off the curve, consuming all gas", () => {
    const bad = new Uint8Array(128);
    bad[31] = 1; // (1, 0) is not on y^2 = x^3 + 3
    expect(run(0x06, Rev.Cancun, bad, 10_000)).toMatchObject({ status: Status.Failure, gasLeft: 0 });
  });
});

describe("the other precompiles' gas (KZG, BLS12-381, P256VERIFY)", () => {
  // Inputs of a wrong length fail in every implementation, so these check the price alone: out
  // of gas below it, a failure (all gas consumed) at it.
  it("charges 50000 for the KZG point evaluation", () => {
    expect(expectCost(0x0a, Rev.Cancun, new Uint8Array(191), 50000).status).toBe(Status.Failure);
  });

  it("charges the EIP-2537 fixed prices", () => {
    const fixed: [number, number][] = [
      [0x0b, 375],
      [0x0d, 600],
      [0x10, 5500],
      [0x11, 23800],
    ];
    for (const [address, cost] of fixed) {
      expect(expectCost(address, Rev.Prague, new Uint8Array(1), cost).status).toBe(Status.Failure);
    }
  });

  it("charges the pairing 37700 + 32600 per pair", () => {
    for (const k of [0, 1, 2, 5]) {
      expect(expectCost(0x0f, Rev.Prague, new Uint8Array(384 * k + 1), 37700 + 32600 * k).status).toBe(
        Status.Failure,
      );
    }
  });

  it("charges MSMs k * mul * discount(k) / 1000, capped at the k > 128 discount", () => {
    const g1: [number, number][] = [
      [1, 12000],
      [2, 22776], // 2 * 12000 * 949 / 1000
      [3, 30528], // 848
      [128, 797184], // 519
      [129, 803412], // max discount 519
      [200, 1245600],
    ];
    for (const [k, cost] of g1) {
      expect(expectCost(0x0c, Rev.Prague, new Uint8Array(160 * k + 1), cost).status).toBe(Status.Failure);
    }
    const g2: [number, number][] = [
      [1, 22500],
      [2, 45000], // discount 1000 for k = 2 too
      [3, 62302], // 3 * 22500 * 923 / 1000 = 62302.5
      [128, 1509120], // 524
      [129, 1520910],
    ];
    for (const [k, cost] of g2) {
      expect(expectCost(0x0e, Rev.Prague, new Uint8Array(288 * k + 1), cost).status).toBe(Status.Failure);
    }
    // empty input: price 0, and the call fails
    expect(run(0x0c, Rev.Prague, new Uint8Array(), 1000)).toMatchObject({
      status: Status.Failure,
      gasLeft: 0,
    });
    expect(run(0x0e, Rev.Prague, new Uint8Array(), 1000)).toMatchObject({
      status: Status.Failure,
      gasLeft: 0,
    });
  });

  it("charges 6900 for P256VERIFY and returns empty output for invalid input", () => {
    for (const n of [0, 159, 161]) {
      const r = expectCost(0x100, Rev.Osaka, new Uint8Array(n), 6900);
      expect(r.status).toBe(Status.Success);
      expect(r.output.length).toBe(0);
    }
  });
});
