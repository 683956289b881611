/**
 * The pre-state decoded straight into the request encoding (lib/block/prestate-wire.ts) must give
 * the same request bytes as the accounts, fall back to the eager decoder (and its errors) on
 * anything unusual, and follow changes made through the Map.
 */
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import { CodeTable, decodePreState } from "../../lib/block/json";
import { encodedPreState } from "../../lib/block/prestate-wire";
import { encodeBlockRequest } from "../../lib/block/wire";
import { DecodeError, MissingStateError } from "../../lib/errors";
import type { State } from "../../lib/state";
import { block, context, CONTRACT, OTHER, SENDER, transfer } from "./helpers";

const CODE_HASH = "0x" + "ab".repeat(32); // the table trusts its keys
const codes = new CodeTable({ [CODE_HASH]: "0x6001600055" });
const json = {
  [SENDER]: { balance: "0x8ac7230489e80000", nonce: 0, storage: {} },
  [CONTRACT]: {
    balance: "0x00000001",
    nonce: "0x1",
    code_hash: CODE_HASH,
    storage: { "0x0": "0x1", "0x10": "0x" + "ff".repeat(32), "0x2": "0x0" },
  },
  [OTHER]: { balance: "0x0", nonce: 7, code_hash: CODE_HASH },
};

const request = (pre: State): Buffer =>
  Buffer.from(encodeBlockRequest(block([transfer(0n)]), context(pre), {}));

describe("pre-state straight into the request", () => {
  it("encodes exactly what the accounts encode", () => {
    const lazy = decodePreState(json, codes);
    expect(encodedPreState(lazy)).toBeDefined();
    const fast = request(lazy);
    const eager = new Map(decodePreState(json, codes)); // iterating builds the accounts
    expect(fast.equals(request(eager))).toBe(true);
    expect(lazy.size).toBe(3);
    expect(lazy.get(CONTRACT)!.storage.get(0x10n)).toBe((1n << 256n) - 1n);
    expect(lazy.get(OTHER)!.nonce).toBe(7n);
  });

  it("follows changes made through the Map", async () => {
    const lazy = decodePreState(json, codes);
    lazy.get(SENDER)!.balance = 1n;
    expect(encodedPreState(lazy)).toBeUndefined();
    const err = await executeBlock(block([transfer(0n)]), context(lazy)).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: "INSUFFICIENT_FUNDS" });
  });

  it("falls back to the eager decoder on unusual input, with its errors", () => {
    const upper = decodePreState(
      { "0x00000000000000000000000000000000000000aB": { balance: "0x1", nonce: 0 } },
      codes,
    );
    expect(encodedPreState(upper)).toBeUndefined();
    expect([...upper.keys()]).toEqual(["0x00000000000000000000000000000000000000ab"]);
    const padded = { [SENDER]: { balance: "0x1", nonce: 0, storage: { "0x01": "0x1", "0x1": "0x2" } } };
    const state = decodePreState(padded, codes);
    expect(encodedPreState(state)).toBeUndefined();
    expect(state.get(SENDER)!.storage.get(1n)).toBe(2n);
    expect(() => decodePreState({ [SENDER]: { balance: "0x1g", nonce: 0 } }, codes)).toThrow(DecodeError);
    expect(() => decodePreState({ [SENDER]: { balance: "0x1", nonce: -1 } }, codes)).toThrow(DecodeError);
    expect(() => decodePreState({ [SENDER]: { balance: "0x" + "1".repeat(65), nonce: 0 } }, codes)).toThrow(
      DecodeError,
    );
    const missing = { [SENDER]: { balance: "0x1", nonce: 0, code_hash: "0x" + "11".repeat(32) } };
    expect(() => decodePreState(missing, codes)).toThrow(MissingStateError);
  });
});
