/**
 * EIP-7702 set-code transactions with exact gas: 25000 intrinsic per authorization, a 12500
 * refund when the authority already exists, the delegation designator 0xef0100 || address, and a
 * call to the authority running the delegate's code on the authority's storage.
 */
import { describe, expect, it } from "vitest";
import type { Fork } from "../../lib/fork";
import { call, code, push, sstore } from "../helpers/bytecode";
import { CONTRACT, OTHER, SENDER, account, run, slot } from "../helpers/evm";
import { addressOf, privateKey, signAuthorization } from "../helpers/sign";

const DELEGATE = "0x000000000000000000000000000000000000d31e";
const designator = (to: string) => Uint8Array.from(Buffer.from("ef0100" + to.slice(2), "hex"));

function setCode(fork: Fork, authorityExists: boolean, authNonce = 0n) {
  const key = privateKey(7702);
  const authority = addressOf(key);
  const pre = {
    [DELEGATE]: account({ code: sstore(0, 1) }), // PUSH1 1 PUSH1 0 SSTORE: 6 + 22100 on the authority
    ...(authorityExists ? { [authority]: account({ balance: 1n }) } : {}),
  };
  const r = run(fork, {
    pre,
    tx: {
      type: 4,
      to: authority,
      maxFeePerGas: 10n,
      maxPriorityFeePerGas: 1n,
      accessList: [],
      authorizationList: [signAuthorization(key, 1n, DELEGATE, authNonce)],
    },
  });
  return { r, authority };
}

describe("EIP-7702 set-code transactions", () => {
  it.each(["Prague", "Osaka"] as Fork[])(
    "delegates an existing EOA and runs the delegate's code (%s)",
    (fork) => {
      const { r, authority } = setCode(fork, true);
      expect(r.invalid).toBeUndefined();
      // gross 21000 + 25000 + 22106 = 68106; refund 12500 (authority exists) <= 68106 / 5 = 13621
      expect(r.gasUsed).toBe(68106n - 12500n);
      const acc = r.post.get(authority)!;
      expect(acc.code).toEqual(designator(DELEGATE));
      expect(acc.nonce).toBe(1n);
      expect(slot(r, authority, 0)).toBe(1n);
      expect(r.post.get(SENDER)?.nonce).toBe(1n);
    },
  );

  it("a new authority gets no refund", () => {
    const { r, authority } = setCode("Prague", false);
    expect(r.gasUsed).toBe(68106n);
    expect(r.post.get(authority)?.code).toEqual(designator(DELEGATE));
  });

  it("an authorization with the wrong nonce is skipped but still paid for", () => {
    const { r, authority } = setCode("Prague", true, 5n);
    expect(r.invalid).toBeUndefined();
    // 21000 + 25000; the authority has no code, so the call runs nothing; no refund
    expect(r.gasUsed).toBe(46000n);
    expect(r.post.get(authority)?.code.length).toBe(0);
    expect(r.post.get(authority)?.nonce).toBe(0n);
  });

  it("is rejected before Prague and with an empty list", () => {
    const before = run("Cancun", {
      tx: {
        type: 4,
        to: OTHER,
        maxFeePerGas: 10n,
        maxPriorityFeePerGas: 1n,
        accessList: [],
        authorizationList: [],
      },
    });
    expect(before.invalid).toBeDefined();
    const empty = run("Prague", {
      tx: {
        type: 4,
        to: OTHER,
        maxFeePerGas: 10n,
        maxPriorityFeePerGas: 1n,
        accessList: [],
        authorizationList: [],
      },
    });
    expect(empty.invalid).toBeDefined();
  });

  it("a CALL from a contract to a delegated EOA also pays for the delegate's access", () => {
    const authority = "0x000000000000000000000000000000000000a11c";
    const r = run("Prague", {
      code: code(call({ gas: (1n << 256n) - 1n, to: authority }), "POP"),
      pre: {
        [authority]: account({ balance: 1n, code: designator(DELEGATE) }),
        [DELEGATE]: account({ code: sstore(0, 1) }),
      },
    });
    // 7 pushes 21 + cold authority 2600 + cold delegate 2600 + the delegate's code 6 + 22100
    // (unused gas comes back) + POP 2
    expect(r.gasUsed).toBe(21000n + 21n + 2600n + 2600n + 22106n + 2n);
    expect(slot(r, authority, 0)).toBe(1n);
  });

  it("EXTCODESIZE of a delegated EOA is the designator's 23 bytes", () => {
    const authority = "0x000000000000000000000000000000000000a11c";
    const r = run("Prague", {
      code: code(push(authority), "EXTCODESIZE", push(0), "SSTORE"),
      pre: { [authority]: account({ balance: 1n, code: designator(DELEGATE) }) },
    });
    // PUSH20 3 + EXTCODESIZE cold 2600 + PUSH1 3 + SSTORE 22100
    expect(r.gasUsed).toBe(21000n + 3n + 2600n + 3n + 22100n);
    expect(r.post.get(CONTRACT)?.storage.get(0n)).toBe(23n);
  });

  it("a delegated EOA can still send transactions (it is not SENDER_NOT_EOA)", () => {
    const r = run("Prague", {
      pre: {
        [SENDER]: account({ balance: 10n ** 18n, code: designator(DELEGATE) }),
        [DELEGATE]: account({ code: code("STOP") }),
      },
    });
    expect(r.invalid).toBeUndefined();
    expect(r.gasUsed).toBe(21000n);
  });
});
