/**
 * The state transition through executeTransaction: transfers, creates, reverts, out-of-gas,
 * refunds, logs, self-destruct and EIP-161, with exact gas (the arithmetic is in the comments).
 */
import { describe, expect, it } from "vitest";
import { executeTransaction } from "../../lib/state";
import { account, code, COINBASE, CONTRACT, env, ETHER, OTHER, SENDER, state, tx } from "./helpers";

describe("plain transfers", () => {
  it("moves value, charges 21000 gas and pays the priority fee to the coinbase", () => {
    const r = executeTransaction("Cancun", state(), env(), tx({ value: 5n }));
    expect(r.invalid).toBeUndefined();
    expect(r.status).toBe("success");
    expect(r.gasUsed).toBe(21000n);
    // effective price min(10, 7 + 2) = 9; the coinbase gets 2 per gas, 7 per gas is burned
    expect(r.post.get(SENDER)).toMatchObject({ balance: ETHER - 21000n * 9n - 5n, nonce: 1n });
    expect(r.post.get(OTHER)?.balance).toBe(5n);
    expect(r.post.get(COINBASE)?.balance).toBe(42000n);
    expect(r.logs).toEqual([]);
  });

  it("pays the whole gas price to the coinbase before London", () => {
    const r = executeTransaction("Berlin", state(), env(), tx({ type: 0, gasPrice: 3n, value: 1n }));
    expect(r.gasUsed).toBe(21000n);
    expect(r.post.get(COINBASE)?.balance).toBe(63000n);
    expect(r.post.get(SENDER)?.balance).toBe(ETHER - 63000n - 1n);
  });

  it("does not mutate the pre-state", () => {
    const pre = state();
    executeTransaction("Cancun", pre, env(), tx({ value: 5n }));
    expect(pre.get(SENDER)).toMatchObject({ balance: ETHER, nonce: 0n });
    expect(pre.has(OTHER)).toBe(false);
  });

  it("removes a touched empty account from Spurious Dragon on (EIP-161), not before", () => {
    const pre = state({ [OTHER]: account() });
    const after = executeTransaction("Cancun", pre, env({ baseFee: 0n }), tx({ type: 0, gasPrice: 1n }));
    expect(after.post.has(OTHER)).toBe(false);
    const before = executeTransaction(
      "TangerineWhistle",
      pre,
      env({ baseFee: 0n }),
      tx({ type: 0, gasPrice: 1n }),
    );
    expect(before.post.has(OTHER)).toBe(true);
  });
});

describe("contract creation", () => {
  // PUSH1 0x2a PUSH1 0 MSTORE8 PUSH1 1 PUSH1 0 RETURN: deploys the one-byte code 0x2a
  const initcode = code(0x60, 0x2a, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3);

  it("deploys at keccak(rlp([sender, nonce])) with exact gas", () => {
    const r = executeTransaction("Cancun", state(), env(), tx({ to: null, data: initcode }));
    expect(r.status).toBe("success");
    // intrinsic 21000 + 32000 + 2 zero bytes * 4 + 8 non-zero * 16 + 1 initcode word * 2 = 53138;
    // execution 4 PUSH1 (12) + MSTORE8 (3 + 3 memory) = 18; deposit 1 byte * 200
    expect(r.gasUsed).toBe(53138n + 18n + 200n);
    // the well-known address of this sender's first contract
    const created = r.post.get("0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d");
    expect(created).toMatchObject({ nonce: 1n, balance: 0n, code: code(0x2a) });
    expect(r.post.get(SENDER)?.nonce).toBe(1n);
  });

  it("uses the sender's nonce for the address", () => {
    const pre = state();
    pre.get(SENDER)!.nonce = 1n;
    const r = executeTransaction("Cancun", pre, env(), tx({ to: null, nonce: 1n, data: initcode }));
    expect(r.post.has("0x343c43a37d37dff08ae8c4a11544c718abb4fcf8")).toBe(true);
  });

  it("fails with all gas consumed on an address collision", () => {
    const pre = state({ "0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d": account({ nonce: 1n }) });
    const r = executeTransaction("Cancun", pre, env(), tx({ to: null, data: initcode, gasLimit: 100_000n }));
    expect(r.status).toBe("failure");
    expect(r.gasUsed).toBe(100_000n);
    expect(r.post.get(SENDER)?.nonce).toBe(1n);
  });

  it("rejects code starting with 0xEF from London (EIP-3541)", () => {
    // PUSH1 0xef PUSH1 0 MSTORE8 PUSH1 1 PUSH1 0 RETURN
    const ef = code(0x60, 0xef, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3);
    const london = executeTransaction(
      "London",
      state(),
      env(),
      tx({ to: null, data: ef, gasLimit: 100_000n }),
    );
    expect(london.status).toBe("failure");
    expect(london.gasUsed).toBe(100_000n);
    expect(london.post.has("0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d")).toBe(false);
    const berlin = executeTransaction(
      "Berlin",
      state(),
      env(),
      tx({ type: 0, gasPrice: 7n, to: null, data: ef }),
    );
    expect(berlin.status).toBe("success");
    expect(berlin.post.get("0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d")?.code).toEqual(code(0xef));
  });

  it("fails the create when the deposit is out of gas from Homestead; Frontier keeps an empty account", () => {
    // intrinsic (Berlin) 53000 + 136 = 53136, execution 18: 53154 leaves 46 < 200 for the deposit
    const homestead = executeTransaction(
      "Berlin",
      state(),
      env(),
      tx({ type: 0, gasPrice: 7n, to: null, data: initcode, gasLimit: 53_200n }),
    );
    expect(homestead.status).toBe("failure");
    expect(homestead.gasUsed).toBe(53_200n);
    // Frontier: intrinsic 21000 + 2 * 4 + 8 * 68 = 21552 (no create surcharge), 18 execution,
    // 46 left for a 200-gas deposit: the account stays, without code
    const frontier = executeTransaction(
      "Frontier",
      state(),
      env(),
      tx({ type: 0, gasPrice: 7n, to: null, data: initcode, gasLimit: 21_616n }),
    );
    expect(frontier.invalid).toBeUndefined();
    expect(frontier.status).toBe("success");
    expect(frontier.gasUsed).toBe(21_570n);
    expect(frontier.post.get("0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d")).toMatchObject({
      nonce: 0n,
      code: new Uint8Array(0),
    });
  });
});

describe("execution outcomes", () => {
  it("rolls back a REVERT, keeping gas used and the fee", () => {
    // PUSH1 1 PUSH1 0 SSTORE PUSH1 0 PUSH1 0 REVERT: 3 + 3 + 22100 + 3 + 3 = 22112
    const pre = state({
      [CONTRACT]: account({ code: code(0x60, 1, 0x60, 0, 0x55, 0x60, 0, 0x60, 0, 0xfd) }),
    });
    const r = executeTransaction("Cancun", pre, env(), tx({ to: CONTRACT, value: 5n }));
    expect(r.status).toBe("revert");
    expect(r.gasUsed).toBe(21000n + 22112n);
    expect(r.post.get(CONTRACT)).toMatchObject({ balance: 0n, storage: new Map() });
    expect(r.post.get(SENDER)).toMatchObject({ nonce: 1n, balance: ETHER - 43112n * 9n });
  });

  it("consumes all gas when out of gas", () => {
    // SSTORE needs 22100 but only 30000 - 21000 - 6 are left
    const pre = state({ [CONTRACT]: account({ code: code(0x60, 1, 0x60, 0, 0x55, 0x00) }) });
    const r = executeTransaction("Cancun", pre, env(), tx({ to: CONTRACT, gasLimit: 30_000n }));
    expect(r.status).toBe("failure");
    expect(r.gasUsed).toBe(30_000n);
    expect(r.post.get(CONTRACT)?.storage.size).toBe(0);
  });

  it("caps the refund at 1/5 of gas used from London and 1/2 before", () => {
    // PUSH1 0 PUSH1 0 SSTORE STOP on slot 0 = 1: 3 + 3 + 2100 (cold) + 2900 = 5006, total 26006
    const pre = () =>
      state({
        [CONTRACT]: account({ code: code(0x60, 0, 0x60, 0, 0x55, 0x00), storage: new Map([[0n, 1n]]) }),
      });
    const london = executeTransaction("Cancun", pre(), env(), tx({ to: CONTRACT }));
    expect(london.gasUsed).toBe(26006n - 4800n); // refund 4800 (EIP-3529) < 26006 / 5
    expect(london.post.get(CONTRACT)?.storage.size).toBe(0);
    const berlin = executeTransaction("Berlin", pre(), env(), tx({ type: 0, gasPrice: 7n, to: CONTRACT }));
    expect(berlin.gasUsed).toBe(26006n - 13003n); // refund 15000 capped at 26006 / 2
  });

  it("returns logs with address, topics and data", () => {
    // PUSH1 0xaa PUSH1 0 MSTORE8 PUSH1 0x11 PUSH1 1 PUSH1 0 LOG1
    const pre = state({
      [CONTRACT]: account({ code: code(0x60, 0xaa, 0x60, 0, 0x53, 0x60, 0x11, 0x60, 1, 0x60, 0, 0xa1) }),
    });
    const r = executeTransaction("Cancun", pre, env(), tx({ to: CONTRACT }));
    expect(r.status).toBe("success");
    // 5 PUSH1 (15) + MSTORE8 (3 + 3) + LOG1 (375 + 375 + 8)
    expect(r.gasUsed).toBe(21000n + 15n + 6n + 758n);
    expect(r.logs).toHaveLength(1);
    expect(r.logs[0]!.address).toBe(CONTRACT);
    expect(r.logs[0]!.topics).toEqual([Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 0x11 : 0))]);
    expect(r.logs[0]!.data).toEqual(code(0xaa));
  });

  it("SELFDESTRUCT of an old contract only moves its balance from Cancun (EIP-6780)", () => {
    // PUSH20 OTHER SELFDESTRUCT
    const sd = code(0x73, ...Buffer.from(OTHER.slice(2), "hex"), 0xff);
    const pre = () =>
      state({
        [CONTRACT]: account({ code: sd, balance: 100n, storage: new Map([[1n, 2n]]) }),
        [OTHER]: account({ balance: 1n }),
      });
    const cancun = executeTransaction("Cancun", pre(), env(), tx({ to: CONTRACT }));
    // 3 + 5000 + 2600 (cold beneficiary)
    expect(cancun.gasUsed).toBe(21000n + 7603n);
    expect(cancun.post.get(CONTRACT)).toMatchObject({ balance: 0n, code: sd, storage: new Map([[1n, 2n]]) });
    expect(cancun.post.get(OTHER)?.balance).toBe(101n);
    const shanghai = executeTransaction("Shanghai", pre(), env(), tx({ to: CONTRACT }));
    expect(shanghai.post.has(CONTRACT)).toBe(false);
    expect(shanghai.post.get(OTHER)?.balance).toBe(101n);
  });

  it("passes the block env: BLOCKHASH from blockHashes, PREVRANDAO from Paris, DIFFICULTY before", () => {
    // PUSH1 3 BLOCKHASH PUSH1 0 SSTORE DIFFICULTY PUSH1 1 SSTORE:
    // 3 + 20 + 3 + 22100 + 2 + 3 + 22100 = 44231
    const program = code(0x60, 3, 0x40, 0x60, 0, 0x55, 0x44, 0x60, 1, 0x55);
    const hash = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    const randao = Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 0x77 : 0));
    const e = env({
      number: 5n,
      difficulty: 0x1234n,
      prevRandao: randao,
      blockHashes: new Map([[3n, hash]]),
    });
    const asBigint = (b: Uint8Array) => BigInt("0x" + Buffer.from(b).toString("hex"));
    const pre = () => state({ [CONTRACT]: account({ code: program }) });
    const cancun = executeTransaction("Cancun", pre(), e, tx({ to: CONTRACT }));
    expect(cancun.gasUsed).toBe(21000n + 44231n);
    expect(cancun.post.get(CONTRACT)?.storage).toEqual(
      new Map([
        [0n, asBigint(hash)],
        [1n, 0x77n],
      ]),
    );
    const berlin = executeTransaction("Berlin", pre(), e, tx({ type: 0, gasPrice: 7n, to: CONTRACT }));
    expect(berlin.gasUsed).toBe(21000n + 44231n);
    expect(berlin.post.get(CONTRACT)?.storage).toEqual(
      new Map([
        [0n, asBigint(hash)],
        [1n, 0x1234n],
      ]),
    );
    expect(cancun.executionNs).toBeGreaterThan(0);
  });

  it("runs a precompile called directly (identity, 0x04)", () => {
    const r = executeTransaction(
      "Cancun",
      state(),
      env(),
      tx({ to: "0x0000000000000000000000000000000000000004", data: code(1, 2, 3) }),
    );
    expect(r.status).toBe("success");
    // intrinsic 21000 + 3 * 16; identity 15 + 3 per word
    expect(r.gasUsed).toBe(21048n + 18n);
    expect(r.post.has("0x0000000000000000000000000000000000000004")).toBe(false);
  });
});
