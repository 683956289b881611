import { describe, expect, it } from "vitest";
import type { Account, State } from "../../lib/state";
import { compareState, encodeLogs, formatDifference } from "../../lib/statetest/compare";
import { buildTransaction, parseEnv, parseState } from "../../lib/statetest/fixture";

const A = "0x00000000000000000000000000000000000000aa";
const B = "0x00000000000000000000000000000000000000bb";

function acct(balance: bigint, storage: [bigint, bigint][] = [], code = new Uint8Array()): Account {
  return { balance, nonce: 1n, code, storage: new Map(storage) };
}

function clone(s: State): State {
  const out: State = new Map();
  for (const [k, a] of s) out.set(k, { ...a, storage: new Map(a.storage) });
  return out;
}

const expected: State = new Map([
  [
    A,
    acct(10n, [
      [1n, 5n],
      [2n, 6n],
    ]),
  ],
  [B, acct(20n, [], Uint8Array.of(0x60, 0x00))],
]);

describe("compareState", () => {
  it("finds no difference in equal states; zero slots count as absent", () => {
    const actual = clone(expected);
    actual.get(A)!.storage.set(9n, 0n);
    expect(compareState(expected, actual)).toBeUndefined();
  });

  it("reports the first differing slot with expected and actual values", () => {
    const actual = clone(expected);
    actual.get(A)!.storage.set(2n, 7n);
    actual.get(B)!.balance = 21n; // a later difference is not the first
    const d = compareState(expected, actual)!;
    expect(d).toMatchObject({ kind: "storage", address: A, slot: "0x2", expected: "0x6", actual: "0x7" });
    expect(formatDifference(d)).toBe(`${A} storage[0x2]: expected 0x6, got 0x7`);
  });

  it("reports a slot the expectation does not have", () => {
    const actual = clone(expected);
    actual.get(B)!.storage.set(3n, 1n);
    expect(compareState(expected, actual)).toMatchObject({
      kind: "storage",
      address: B,
      slot: "0x3",
      expected: "0x0",
    });
  });

  it("reports balance, nonce and code differences", () => {
    let actual = clone(expected);
    actual.get(B)!.balance = 19n;
    expect(compareState(expected, actual)).toMatchObject({
      kind: "balance",
      address: B,
      expected: "0x14",
      actual: "0x13 (-1 wei)",
    });
    actual = clone(expected);
    actual.get(A)!.nonce = 2n;
    expect(compareState(expected, actual)).toMatchObject({ kind: "nonce", address: A });
    actual = clone(expected);
    actual.get(B)!.code = Uint8Array.of(0x60, 0x01);
    expect(compareState(expected, actual)).toMatchObject({
      kind: "code",
      expected: "0x6000",
      actual: "0x6001",
    });
  });

  it("reports missing and unexpected accounts", () => {
    let actual = clone(expected);
    actual.delete(B);
    expect(compareState(expected, actual)).toMatchObject({ kind: "missing-account", address: B });
    actual = clone(expected);
    actual.set("0x00000000000000000000000000000000000000cc", acct(0n));
    expect(compareState(expected, actual)).toMatchObject({
      kind: "unexpected-account",
      address: "0x00000000000000000000000000000000000000cc",
    });
  });
});

describe("fixture decoding", () => {
  it("parses states with hex quantities, lowercases addresses and drops zero slots", () => {
    const s = parseState({
      "0x00000000000000000000000000000000000000AA": {
        balance: "0x0a",
        nonce: "0x01",
        code: "0x6000",
        storage: { "0x01": "0x05", "0x02": "0x00" },
      },
    });
    const a = s.get(A)!;
    expect(a.balance).toBe(10n);
    expect([...a.storage]).toEqual([[1n, 5n]]);
  });

  it("maps the env: random as prevrandao, chain id 1 by default, zero base fee when absent", () => {
    const env = parseEnv(
      {
        currentCoinbase: B,
        currentGasLimit: "0x1000",
        currentNumber: "0x01",
        currentTimestamp: "0x03e8",
        currentDifficulty: "0x020000",
      },
      undefined,
    );
    expect(env.chainId).toBe(1n);
    expect(env.baseFee).toBe(0n);
    expect(env.prevRandao[29]).toBe(2); // the difficulty as 32 bytes
  });

  it("picks data, gas and value by indexes and derives the transaction type", () => {
    const json = {
      nonce: "0x00",
      maxFeePerGas: "0x10",
      maxPriorityFeePerGas: "0x01",
      gasLimit: ["0x5208", "0x10000"],
      to: "",
      value: ["0x00", "0x01"],
      data: ["0x", "0x6001"],
      sender: A,
      accessLists: [null, [{ address: B, storageKeys: ["0x01"] }]],
    };
    const tx = buildTransaction(json, { data: 1, gas: 1, value: 1 });
    expect(tx).toMatchObject({ type: 2, to: null, gasLimit: 0x10000n, value: 1n });
    expect(tx.data).toEqual(Uint8Array.of(0x60, 0x01));
    expect(tx.accessList).toEqual([{ address: B, storageKeys: [1n] }]);
    const legacy = buildTransaction({ ...json, maxFeePerGas: undefined, gasPrice: "0x0a" } as never, {
      data: 0,
      gas: 0,
      value: 0,
    });
    expect(legacy.type).toBe(0);
  });
});

describe("logs encoding", () => {
  it("encodes no logs as the empty list (whose keccak is the fixtures' empty-logs hash)", () => {
    expect(Buffer.from(encodeLogs([])).toString("hex")).toBe("c0");
  });

  it("encodes [address, [topics], data] per log", () => {
    const enc = encodeLogs([{ address: A, topics: [new Uint8Array(32)], data: Uint8Array.of(1) }]);
    // inner payload: 21 (0x94 + address) + 34 (0xe1, 0xa0 + topic) + 1 (data 0x01) = 56 = 0x38,
    // long form f8 38; the outer list holds those 58 bytes: f8 3a.
    expect(Buffer.from(enc).toString("hex")).toBe(
      "f83af838" + "94" + A.slice(2) + "e1a0" + "00".repeat(32) + "01",
    );
  });
});
