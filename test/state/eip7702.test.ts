/** EIP-7702 authorizations through the state transition, signed here with a pure-JS secp256k1. */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { keccak256 } from "../../lib/keccak";
import { executeTransaction, type Authorization } from "../../lib/state";
import { account, code, CONTRACT, env, ETHER, OTHER, SENDER, state, tx } from "./helpers";

interface Secp {
  ecdsaSign(msg32: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyCreate(key: Uint8Array, compressed: boolean): Uint8Array;
}
const secp = createRequire(__filename)("secp256k1/elliptic") as Secp;

const KEY = new Uint8Array(32).fill(0x42);
const AUTHORITY =
  "0x" + Buffer.from(keccak256(secp.publicKeyCreate(KEY, false).subarray(1)).subarray(12)).toString("hex");

function rlpInt(v: bigint): number[] {
  if (v === 0n) return [0x80];
  const bytes = [
    ...Buffer.from(v.toString(16).padStart(Math.ceil(v.toString(16).length / 2) * 2, "0"), "hex"),
  ];
  return bytes.length === 1 && bytes[0]! < 0x80 ? bytes : [0x80 + bytes.length, ...bytes];
}

function sign(chainId: bigint, address: string, nonce: bigint, key = KEY): Authorization {
  const payload = [...rlpInt(chainId), 0x94, ...Buffer.from(address.slice(2), "hex"), ...rlpInt(nonce)];
  const msg = Uint8Array.from([0x05, 0xc0 + payload.length, ...payload]);
  const { signature, recid } = secp.ecdsaSign(keccak256(msg), key);
  const hex = Buffer.from(signature).toString("hex");
  return {
    chainId,
    address,
    nonce,
    yParity: BigInt(recid),
    r: BigInt("0x" + hex.slice(0, 64)),
    s: BigInt("0x" + hex.slice(64)),
  };
}

const designator = (addr: string) => code(0xef, 0x01, 0x00, ...Buffer.from(addr.slice(2), "hex"));
// PUSH1 1 PUSH1 0 SSTORE STOP: 3 + 3 + 22100 = 22106 in a fresh slot
const STORE_ONE = code(0x60, 1, 0x60, 0, 0x55, 0x00);

describe("EIP-7702 set-code transactions", () => {
  it("sets the delegation designator and bumps the authority's nonce", () => {
    const r = executeTransaction(
      "Prague",
      state(),
      env(),
      tx({ type: 4, authorizationList: [sign(1n, CONTRACT, 0n)] }),
    );
    expect(r.invalid).toBeUndefined();
    expect(r.status).toBe("success");
    expect(r.gasUsed).toBe(21000n + 25000n); // no refund: the authority did not exist
    expect(r.post.get(AUTHORITY)).toMatchObject({ nonce: 1n, balance: 0n, code: designator(CONTRACT) });
  });

  it("refunds 12500 for an existing authority, within the 1/5 cap", () => {
    const pre = state({ [AUTHORITY]: account({ balance: 1n }) });
    const r = executeTransaction(
      "Prague",
      pre,
      env(),
      tx({ type: 4, authorizationList: [sign(1n, CONTRACT, 0n)] }),
    );
    expect(r.gasUsed).toBe(46000n - 46000n / 5n); // 12500 capped at 9200
  });

  it("runs the delegate's code in the authority's context when called", () => {
    const pre = state({ [CONTRACT]: account({ code: STORE_ONE }), [AUTHORITY]: account({ balance: 1n }) });
    const r = executeTransaction(
      "Prague",
      pre,
      env(),
      tx({ type: 4, to: AUTHORITY, authorizationList: [sign(1n, CONTRACT, 0n)] }),
    );
    expect(r.status).toBe("success");
    // 21000 + 25000 + 22106 = 68106, refund 12500 < 68106 / 5
    expect(r.gasUsed).toBe(68106n - 12500n);
    expect(r.post.get(AUTHORITY)?.storage).toEqual(new Map([[0n, 1n]]));
    expect(r.post.get(CONTRACT)?.storage.size).toBe(0);
  });

  it("skips authorizations with a wrong chain id or nonce, but accepts chain id 0", () => {
    for (const auth of [sign(2n, CONTRACT, 0n), sign(1n, CONTRACT, 1n)]) {
      const r = executeTransaction("Prague", state(), env(), tx({ type: 4, authorizationList: [auth] }));
      expect(r.status).toBe("success");
      expect(r.gasUsed).toBe(46000n);
      expect(r.post.has(AUTHORITY)).toBe(false);
    }
    const any = executeTransaction(
      "Prague",
      state(),
      env(),
      tx({ type: 4, authorizationList: [sign(0n, CONTRACT, 0n)] }),
    );
    expect(any.post.get(AUTHORITY)?.code).toEqual(designator(CONTRACT));
  });

  it("skips a high-s signature and an authority with real code", () => {
    const good = sign(1n, CONTRACT, 0n);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const highS = { ...good, s: n - good.s, yParity: 1n - good.yParity };
    const r = executeTransaction("Prague", state(), env(), tx({ type: 4, authorizationList: [highS] }));
    expect(r.post.has(AUTHORITY)).toBe(false);
    const withCode = state({ [AUTHORITY]: account({ code: code(0x00) }) });
    const r2 = executeTransaction("Prague", withCode, env(), tx({ type: 4, authorizationList: [good] }));
    expect(r2.post.get(AUTHORITY)?.code).toEqual(code(0x00));
    expect(r2.post.get(AUTHORITY)?.nonce).toBe(0n);
  });

  it("clears a delegation with the zero address and lets the sender delegate itself", () => {
    const pre = state({ [AUTHORITY]: account({ nonce: 1n, code: designator(CONTRACT) }) });
    const zero = "0x0000000000000000000000000000000000000000";
    const r = executeTransaction(
      "Prague",
      pre,
      env(),
      tx({ type: 4, authorizationList: [sign(1n, zero, 1n)] }),
    );
    expect(r.post.get(AUTHORITY)).toMatchObject({ nonce: 2n, code: new Uint8Array(0) });

    // the sender is the authority: its nonce is already bumped when the list is processed
    const self = new Map([[AUTHORITY, account({ balance: ETHER })]]);
    const r2 = executeTransaction(
      "Prague",
      self,
      env(),
      tx({ sender: AUTHORITY, type: 4, authorizationList: [sign(1n, CONTRACT, 1n)] }),
    );
    expect(r2.post.get(AUTHORITY)).toMatchObject({ nonce: 2n, code: designator(CONTRACT) });
  });

  it("keeps the delegation when the call itself fails", () => {
    // the delegate runs out of gas on SSTORE
    const pre = state({ [CONTRACT]: account({ code: STORE_ONE }) });
    const r = executeTransaction(
      "Prague",
      pre,
      env(),
      tx({ type: 4, to: AUTHORITY, gasLimit: 60_000n, authorizationList: [sign(1n, CONTRACT, 0n)] }),
    );
    expect(r.status).toBe("failure");
    expect(r.gasUsed).toBe(60_000n);
    expect(r.post.get(AUTHORITY)).toMatchObject({ nonce: 1n, code: designator(CONTRACT) });
    expect(r.post.has(OTHER)).toBe(false);
    expect(r.post.get(SENDER)?.nonce).toBe(1n);
  });
});
