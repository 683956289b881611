import { describe, expect, it } from "vitest";
import { Random } from "../helpers/random";
import { Rev, Status, expectCost, run, toHex, word } from "./run";

const ECADD = 0x06;
const ECMUL = 0x07;
const ECPAIRING = 0x08;

// bn254 (alt_bn128): field modulus P, group order R, E: y^2 = x^3 + 3, twist b' = 3 / (9 + i).
const P = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47n;
const R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;

// ---- a small BigInt reference (affine points, null = infinity) -------------------------------

const mod = (a: bigint, m = P) => ((a % m) + m) % m;
function inv(a: bigint, m = P): bigint {
  let [r0, r1, s0, s1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

/** The field operations a curve needs, so one set of point formulas serves G1 and G2. */
interface Field<T> {
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  inv(a: T): T;
  eq(a: T, b: T): boolean;
  small(n: bigint): T;
}
type F2 = [bigint, bigint]; // c0 + c1 i
const F1: Field<bigint> = {
  add: (a, b) => mod(a + b),
  sub: (a, b) => mod(a - b),
  mul: (a, b) => mod(a * b),
  inv: (a) => inv(a),
  eq: (a, b) => a === b,
  small: (n) => n,
};
const F2f: Field<F2> = {
  add: (a, b) => [mod(a[0] + b[0]), mod(a[1] + b[1])],
  sub: (a, b) => [mod(a[0] - b[0]), mod(a[1] - b[1])],
  mul: (a, b) => [mod(a[0] * b[0] - a[1] * b[1]), mod(a[0] * b[1] + a[1] * b[0])],
  inv: (a) => {
    const n = inv(a[0] * a[0] + a[1] * a[1]);
    return [mod(a[0] * n), mod(-a[1] * n)];
  },
  eq: (a, b) => a[0] === b[0] && a[1] === b[1],
  small: (n) => [n, 0n],
};

type Pt<T> = { x: T; y: T } | null;
function addPt<T>(F: Field<T>, a: Pt<T>, b: Pt<T>): Pt<T> {
  if (a === null) return b;
  if (b === null) return a;
  let l: T;
  if (F.eq(a.x, b.x)) {
    if (!F.eq(a.y, b.y) || F.eq(a.y, F.small(0n))) return null;
    l = F.mul(F.mul(F.small(3n), F.mul(a.x, a.x)), F.inv(F.mul(F.small(2n), a.y)));
  } else {
    l = F.mul(F.sub(b.y, a.y), F.inv(F.sub(b.x, a.x)));
  }
  const x = F.sub(F.sub(F.mul(l, l), a.x), b.x);
  return { x, y: F.sub(F.mul(l, F.sub(a.x, x)), a.y) };
}
function mulPt<T>(F: Field<T>, a: Pt<T>, k: bigint): Pt<T> {
  let acc: Pt<T> = null;
  for (let i = BigInt(k.toString(2).length) - 1n; i >= 0n; i--) {
    acc = addPt(F, acc, acc);
    if ((k >> i) & 1n) acc = addPt(F, acc, a);
  }
  return acc;
}
const negPt = <T>(F: Field<T>, a: Pt<T>): Pt<T> =>
  a === null ? null : { x: a.x, y: F.sub(F.small(0n), a.y) };

const G1: { x: bigint; y: bigint } = { x: 1n, y: 2n };
const G2: { x: F2; y: F2 } = {
  x: [
    10857046999023057135944570762232829481370756359578518086990519993285655852781n,
    11559732032986387107991004021392285783925812861821192530917403151452391805634n,
  ],
  y: [
    8495653923123431417604973247489272438418190587263600148770280649306958101930n,
    4082367875863433681332203403145435568316851327593401208105741076214120093531n,
  ],
};
const g1 = (a: Pt<bigint>) => (a === null ? word(0n) + word(0n) : word(a.x) + word(a.y));
// EIP-197 encodes an Fp2 element imaginary part first.
const g2 = (a: Pt<F2>) =>
  a === null ? word(0n).repeat(4) : word(a.x[1]) + word(a.x[0]) + word(a.y[1]) + word(a.y[0]);
const mulG1 = (k: bigint) => mulPt(F1, G1, mod(k, R));
const mulG2 = (k: bigint) => mulPt(F2f, G2, mod(k, R));
const scalar = (rng: Random) => mod(BigInt("0x" + toHex(rng.bytes(32))), R - 1n) + 1n;

const ONE = word(1n);
const ZERO = word(0n);
const pairingCost = (pairs: number, rev: number = Rev.Cancun) =>
  rev >= Rev.Istanbul ? 45000 + 34000 * pairs : 100000 + 80000 * pairs;

// ---- ECADD ---------------------------------------------------------------------------------

describe("bn254 ECADD (0x06)", () => {
  it("adds G + G = 2G for 150 gas (Istanbul on) and 500 gas (Byzantium)", () => {
    const two =
      "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3" +
      "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4";
    expect(toHex(expectCost(ECADD, Rev.Cancun, g1(G1) + g1(G1), 150).output)).toBe(two);
    expect(toHex(expectCost(ECADD, Rev.Byzantium, g1(G1) + g1(G1), 500).output)).toBe(two);
    expect(g1(mulG1(2n))).toBe(two);
  });

  it("pads short input with zeros and ignores bytes past 128", () => {
    const p = mulG1(12345n);
    expect(toHex(expectCost(ECADD, Rev.Cancun, "", 150).output)).toBe(ZERO + ZERO);
    expect(toHex(expectCost(ECADD, Rev.Cancun, g1(p), 150).output)).toBe(g1(p));
    // dropping the last byte of G1 = (1, 2) leaves y = 0 after right-padding: off the curve
    expect(expectCost(ECADD, Rev.Cancun, g1(G1).slice(0, 126), 150).status).toBe(Status.Failure);
    const long = g1(p) + g1(G1) + "ff".repeat(64);
    expect(toHex(expectCost(ECADD, Rev.Cancun, long, 150).output)).toBe(g1(addPt(F1, p, G1)));
  });

  it("handles the point at infinity and P + (-P)", () => {
    const p = mulG1(777n);
    expect(toHex(run(ECADD, Rev.Cancun, g1(null) + g1(p), 150).output)).toBe(g1(p));
    expect(toHex(run(ECADD, Rev.Cancun, g1(p) + g1(null), 150).output)).toBe(g1(p));
    expect(toHex(run(ECADD, Rev.Cancun, g1(p) + g1(negPt(F1, p)), 150).output)).toBe(ZERO + ZERO);
    expect(toHex(run(ECADD, Rev.Cancun, g1(null) + g1(null), 150).output)).toBe(ZERO + ZERO);
  });

  it("fails (all gas consumed) on coordinates >= p and points off the curve", () => {
    const bad = [
      word(1n) + word(3n), // not on the curve
      word(P + 1n) + word(2n), // x = 1 + p
      word(1n) + word(P + 2n), // y = 2 + p
      word(P) + word(0n), // (p, 0) is not the infinity encoding
      word(0n) + word(P), // nor is (0, p)
      word(0n) + word(3n), // 9 != 0 + 3
    ];
    for (const b of bad) {
      expect(expectCost(ECADD, Rev.Cancun, b + g1(G1), 150).status, b).toBe(Status.Failure);
      expect(expectCost(ECADD, Rev.Byzantium, g1(G1) + b, 500).status, b).toBe(Status.Failure);
    }
  });

  it("matches a BigInt reference on 30 random sums (seeded)", () => {
    const rng = new Random();
    for (let i = 0; i < 30; i++) {
      const a = mulG1(scalar(rng));
      const b = i % 5 === 0 ? a : mulG1(scalar(rng));
      const got = run(ECADD, Rev.Cancun, g1(a) + g1(b), 150);
      expect(got.status, `seed ${rng.seed}`).toBe(Status.Success);
      expect(toHex(got.output), `seed ${rng.seed}`).toBe(g1(addPt(F1, a, b)));
    }
  });
});

// ---- ECMUL ---------------------------------------------------------------------------------

describe("bn254 ECMUL (0x07)", () => {
  it("costs 6000 gas from Istanbul, 40000 before", () => {
    expect(toHex(expectCost(ECMUL, Rev.Cancun, g1(G1) + word(2n), 6000).output)).toBe(g1(mulG1(2n)));
    expect(toHex(expectCost(ECMUL, Rev.Byzantium, g1(G1) + word(2n), 40000).output)).toBe(g1(mulG1(2n)));
  });

  it("uses the full 256-bit scalar: 0, 1, r - 1, r, r + 1, 2^256 - 1", () => {
    const p = mulG1(987654321n);
    const cases: [bigint, Pt<bigint>][] = [
      [0n, null],
      [1n, p],
      [R - 1n, negPt(F1, p)],
      [R, null],
      [R + 1n, p],
      [(1n << 256n) - 1n, mulPt(F1, p, mod((1n << 256n) - 1n, R))],
    ];
    for (const [k, want] of cases) {
      const r = expectCost(ECMUL, Rev.Cancun, g1(p) + word(k), 6000);
      expect(toHex(r.output), k.toString(16)).toBe(g1(want));
    }
  });

  it("pads short input (missing scalar = 0) and ignores bytes past 96", () => {
    const p = mulG1(31337n);
    expect(toHex(expectCost(ECMUL, Rev.Cancun, g1(p), 6000).output)).toBe(ZERO + ZERO);
    expect(toHex(expectCost(ECMUL, Rev.Cancun, "", 6000).output)).toBe(ZERO + ZERO);
    // a 1-byte scalar "02" right-padded is 2 << 248
    const k = 2n << 248n;
    expect(toHex(run(ECMUL, Rev.Cancun, g1(p) + "02", 6000).output)).toBe(g1(mulPt(F1, p, mod(k, R))));
    expect(toHex(run(ECMUL, Rev.Cancun, g1(p) + word(3n) + "ff".repeat(40), 6000).output)).toBe(
      g1(mulPt(F1, p, 3n)),
    );
  });

  it("maps the point at infinity to infinity for any scalar", () => {
    for (const k of [0n, 1n, R, (1n << 256n) - 1n])
      expect(toHex(run(ECMUL, Rev.Cancun, g1(null) + word(k), 6000).output)).toBe(ZERO + ZERO);
  });

  it("fails (all gas consumed) on invalid points, even with scalar 0", () => {
    for (const b of [word(1n) + word(3n), word(P + 1n) + word(2n), word(1n) + word(P + 2n)])
      for (const k of [0n, 1n, 5n])
        expect(expectCost(ECMUL, Rev.Cancun, b + word(k), 6000).status).toBe(Status.Failure);
  });

  it("matches a BigInt reference on 12 random products (seeded)", () => {
    const rng = new Random(0xb254n);
    for (let i = 0; i < 12; i++) {
      const p = mulG1(scalar(rng));
      const k = BigInt("0x" + toHex(rng.bytes(32)));
      const got = run(ECMUL, Rev.Cancun, g1(p) + word(k), 6000);
      expect(toHex(got.output), `seed ${rng.seed}`).toBe(g1(mulPt(F1, p, mod(k, R))));
    }
  });
});

// ---- ECPAIRING -----------------------------------------------------------------------------

// A point on the twist (x = 1) outside the order-r subgroup.
const G2_NOT_IN_SUBGROUP: Pt<F2> = {
  x: [1n, 0n],
  y: [
    0x07fb3d558dafafb6bf6dd326a5fefe0beca3f9ac3bd999a390d504fad34b0b8cn,
    0x2351dcdda257b62181cbd745dfee16d5fdf4eb185bbcf33c20a0fe6eaa9cb4a3n,
  ],
};

describe("bn254 ECPAIRING (0x08)", () => {
  const pair = (a: Pt<bigint>, b: Pt<F2>) => g1(a) + g2(b);

  it("returns 1 for empty input at the base price (45000 / 100000 gas)", () => {
    expect(toHex(expectCost(ECPAIRING, Rev.Cancun, "", 45000).output)).toBe(ONE);
    expect(toHex(expectCost(ECPAIRING, Rev.Byzantium, "", 100000).output)).toBe(ONE);
  });

  it("checks e(P, Q) e(-P, Q) = 1 and e(G1, G2) != 1 at 34000 / 80000 gas per pair", () => {
    const input = pair(G1, G2) + pair(negPt(F1, G1), G2);
    expect(toHex(expectCost(ECPAIRING, Rev.Cancun, input, pairingCost(2)).output)).toBe(ONE);
    expect(toHex(expectCost(ECPAIRING, Rev.Byzantium, input, pairingCost(2, Rev.Byzantium)).output)).toBe(
      ONE,
    );
    expect(toHex(expectCost(ECPAIRING, Rev.Cancun, pair(G1, G2), pairingCost(1)).output)).toBe(ZERO);
    expect(toHex(run(ECPAIRING, Rev.Cancun, pair(G1, G2) + pair(G1, G2), pairingCost(2)).output)).toBe(ZERO);
  });

  it("is bilinear: e(aP, bQ) e(-abP, Q) = 1 and a perturbed product is not (seeded)", () => {
    const rng = new Random(0x197n);
    for (let i = 0; i < 3; i++) {
      const a = scalar(rng);
      const b = scalar(rng);
      const lhs = pair(mulG1(a), mulG2(b));
      const good = lhs + pair(negPt(F1, mulG1(a * b)), G2);
      const bad = lhs + pair(negPt(F1, mulG1(a * b + 1n)), G2);
      expect(toHex(run(ECPAIRING, Rev.Cancun, good, pairingCost(2)).output), `seed ${rng.seed}`).toBe(ONE);
      expect(toHex(run(ECPAIRING, Rev.Cancun, bad, pairingCost(2)).output), `seed ${rng.seed}`).toBe(ZERO);
    }
  });

  it("multiplies across more than one batch of pairs (10 pairs summing to zero)", () => {
    const rng = new Random(0x10n);
    let acc = 0n;
    let input = "";
    for (let i = 0; i < 9; i++) {
      const a = scalar(rng);
      const b = BigInt(i + 2);
      acc += a * b;
      input += pair(mulG1(a), mulG2(b));
    }
    input += pair(mulG1(R - mod(acc, R)), G2);
    expect(toHex(expectCost(ECPAIRING, Rev.Cancun, input, pairingCost(10)).output)).toBe(ONE);
  });

  it("skips pairs with a point at infinity (still validating the other point)", () => {
    expect(toHex(run(ECPAIRING, Rev.Cancun, pair(null, G2), pairingCost(1)).output)).toBe(ONE);
    expect(toHex(run(ECPAIRING, Rev.Cancun, pair(G1, null), pairingCost(1)).output)).toBe(ONE);
    expect(toHex(run(ECPAIRING, Rev.Cancun, pair(null, null), pairingCost(1)).output)).toBe(ONE);
    const mixed = pair(G1, G2) + pair(null, mulG2(5n)) + pair(negPt(F1, G1), G2) + pair(mulG1(9n), null);
    expect(toHex(expectCost(ECPAIRING, Rev.Cancun, mixed, pairingCost(4)).output)).toBe(ONE);
    // an invalid G1 point next to the G2 infinity, and an invalid G2 point next to the G1 one
    expect(expectCost(ECPAIRING, Rev.Cancun, g1({ x: 1n, y: 3n }) + g2(null), pairingCost(1)).status).toBe(
      Status.Failure,
    );
    expect(expectCost(ECPAIRING, Rev.Cancun, pair(null, G2_NOT_IN_SUBGROUP), pairingCost(1)).status).toBe(
      Status.Failure,
    );
  });

  it("fails (all gas consumed) on a length that is not a multiple of 192", () => {
    const input = pair(G1, G2) + pair(negPt(F1, G1), G2);
    for (const len of [1, 64, 191, 193, 383]) {
      const hex = (input + "00".repeat(200)).slice(0, 2 * len);
      const r = run(ECPAIRING, Rev.Cancun, hex, 1_000_000);
      expect(r, `${len}`).toMatchObject({ status: Status.Failure, gasLeft: 0 });
    }
  });

  it("fails on invalid points: off-curve, coordinates >= p, G2 outside the subgroup", () => {
    const offTwist: Pt<F2> = { x: G2.x, y: F2f.add(G2.y, [1n, 0n]) };
    const bad = [
      g1({ x: 1n, y: 3n }) + g2(G2), // G1 off the curve
      word(P + 1n) + word(2n) + g2(G2), // G1 x >= p
      g1(G1) + g2(offTwist), // G2 off the twist
      g1(G1) + g2(G2_NOT_IN_SUBGROUP), // on the twist, outside the subgroup
      g1(G1) + word(G2.x[1] + P) + word(G2.x[0]) + word(G2.y[1]) + word(G2.y[0]), // x_im >= p
      g1(G1) + word(G2.x[1]) + word(G2.x[0] + P) + word(G2.y[1]) + word(G2.y[0]), // x_re >= p
      g1(G1) + word(G2.x[0]) + word(G2.x[1]) + word(G2.y[0]) + word(G2.y[1]), // swapped order
    ];
    for (const b of bad) {
      expect(expectCost(ECPAIRING, Rev.Cancun, b, pairingCost(1)).status, b).toBe(Status.Failure);
      // and anywhere in a longer input
      const longer = pair(G1, G2) + b + pair(negPt(F1, G1), G2);
      expect(run(ECPAIRING, Rev.Cancun, longer, pairingCost(3))).toMatchObject({
        status: Status.Failure,
        gasLeft: 0,
      });
    }
  });
});
