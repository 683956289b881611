/**
 * SSTORE gas and refunds per fork (EIP-2200 in Istanbul, EIP-2929 cold/warm from Berlin, EIP-3529
 * refunds from London) and EIP-2929/2930 warm and cold account and slot access.
 * gasUsed = 21000 + execution gas - min(refund, cap); cap = gasUsed/2 before London, /5 after.
 */
import { describe, expect, it } from "vitest";
import type { Fork } from "../../lib/fork";
import { code, push, sload, sstore } from "../helpers/bytecode";
import { CONTRACT, COINBASE, OTHER, account, run, slot } from "../helpers/evm";

function refundCapped(gross: number, refund: number, divisor: number): bigint {
  return BigInt(gross - Math.min(refund, Math.floor(gross / divisor)));
}

describe("SSTORE: clearing an originally non-zero slot (1 -> 0)", () => {
  // push 3 + push 3 + SSTORE; gross = 21000 + 6 + cost
  it.each([
    // Petersburg (pre-EIP-2200 rules): SSTORE_RESET 5000, refund 15000, cap 1/2
    ["Petersburg", 5000, 15000, 2],
    // Istanbul (EIP-2200): original == current != 0 -> SSTORE_RESET 5000, refund 15000, cap 1/2
    ["Istanbul", 5000, 15000, 2],
    // Berlin (EIP-2929): cold 2100 + (5000 - 2100), refund 15000, cap 1/2
    ["Berlin", 5000, 15000, 2],
    // London+ (EIP-3529): same cost, refund 4800, cap 1/5
    ["London", 5000, 4800, 5],
    ["Cancun", 5000, 4800, 5],
    ["Prague", 5000, 4800, 5],
    ["Osaka", 5000, 4800, 5],
  ] as [Fork, number, number, number][])("%s: cost %i, refund %i, cap 1/%i", (fork, cost, refund, cap) => {
    const r = run(fork, { code: sstore(0, 0), storage: { "0": 1n } });
    expect(r.status).toBe("success");
    const gross = 21000 + 6 + cost;
    // Petersburg..Berlin: 26006 - min(15000, 13003) = 13003; London+: 26006 - 4800 = 21206
    expect(r.gasUsed).toBe(refundCapped(gross, refund, cap));
    expect(slot(r, CONTRACT, 0)).toBe(0n);
  });
});

describe("SSTORE: 0 -> 1 -> 0 in one transaction", () => {
  it.each([
    // Istanbul: SET 20000, then dirty write SLOAD_GAS 800; refund 20000 - 800 = 19200;
    // gross 21000 + 6 + 20000 + 6 + 800 = 41812, cap 20906 -> 41812 - 19200 = 22612
    ["Istanbul", 41812, 19200, 2, 22612n],
    // Berlin: 2100 + 20000, then warm 100; refund 20000 - 100 = 19900;
    // gross 21000 + 22106 + 106 = 43212, cap 21606 -> 23312
    ["Berlin", 43212, 19900, 2, 23312n],
    // Cancun: the same costs and refund, cap 43212 / 5 = 8642 -> 34570
    ["Cancun", 43212, 19900, 5, 34570n],
  ] as [Fork, number, number, number, bigint][])("%s", (fork, gross, refund, cap, used) => {
    const r = run(fork, { code: code(sstore(0, 1), sstore(0, 0)) });
    expect(r.gasUsed).toBe(refundCapped(gross, refund, cap));
    expect(r.gasUsed).toBe(used);
    expect(slot(r, CONTRACT, 0)).toBe(0n);
  });
});

describe("SSTORE: 1 -> 2 -> 1 restores the original (Cancun)", () => {
  it("refunds SSTORE_RESET - WARM", () => {
    // 2100 + 2900 = 5000, then warm dirty write 100; refund (5000 - 2100) - 100 = 2800
    // gross 21000 + 5006 + 106 = 26112, cap 5222 -> 26112 - 2800 = 23312
    const r = run("Cancun", { code: code(sstore(0, 2), sstore(0, 1)), storage: { "0": 1n } });
    expect(r.gasUsed).toBe(23312n);
    expect(slot(r, CONTRACT, 0)).toBe(1n);
  });

  it("fails below the EIP-2200 stipend sentry (gas left <= 2300)", () => {
    // 21000 + 2306 gas: after the two pushes 2300 remain, so SSTORE must fail and consume it all
    const r = run("Cancun", { code: sstore(0, 1), tx: { gasLimit: 21000n + 2306n } });
    expect(r.status).toBe("failure");
    expect(r.gasUsed).toBe(21000n + 2306n);
  });
});

describe("warm and cold access (EIP-2929, EIP-2930)", () => {
  const balanceTwice = code(push(OTHER), "BALANCE", "POP", push(OTHER), "BALANCE", "POP");

  it("BALANCE: cold 2600, then warm 100", () => {
    // (3 + 2600 + 2) + (3 + 100 + 2) = 2710
    const r = run("Cancun", { code: balanceTwice, pre: { [OTHER]: account({ balance: 5n }) } });
    expect(r.gasUsed).toBe(21000n + 2710n);
  });

  it("an access-list address costs 2400 up front and is warm", () => {
    // 21000 + 2400 + (3 + 100 + 2) * 2
    const r = run("Cancun", {
      code: balanceTwice,
      pre: { [OTHER]: account({ balance: 5n }) },
      tx: { accessList: [{ address: OTHER, storageKeys: [] }] },
    });
    expect(r.gasUsed).toBe(21000n + 2400n + 210n);
  });

  it("SLOAD: cold 2100, then warm 100; an access-list key costs 1900 up front", () => {
    const twice = code(sload(5), "POP", sload(5), "POP");
    // (3 + 2100 + 2) + (3 + 100 + 2) = 2210
    expect(run("Cancun", { code: twice }).gasUsed).toBe(21000n + 2210n);
    // 21000 + 2400 (address) + 1900 (key) + 210
    const r = run("Cancun", { code: twice, tx: { accessList: [{ address: CONTRACT, storageKeys: [5n] }] } });
    expect(r.gasUsed).toBe(21000n + 4300n + 210n);
  });

  it("precompiles, the tx target and (from Shanghai, EIP-3651) the coinbase start warm", () => {
    // 3 + 100 + 2 each
    expect(run("Cancun", { code: code(push(1), "BALANCE", "POP") }).gasUsed).toBe(21105n);
    expect(run("Cancun", { code: code("ADDRESS", "BALANCE", "POP") }).gasUsed).toBe(21104n);
    expect(run("Cancun", { code: code(push(COINBASE), "BALANCE", "POP") }).gasUsed).toBe(21105n);
    // Paris: the coinbase is cold (3 + 2600 + 2)
    expect(run("Paris", { code: code(push(COINBASE), "BALANCE", "POP") }).gasUsed).toBe(23605n);
  });

  it("Istanbul had no cold/warm: BALANCE 700", () => {
    // (3 + 700 + 2) * 2
    expect(run("Istanbul", { code: balanceTwice }).gasUsed).toBe(21000n + 1410n);
  });
});
