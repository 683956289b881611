/** Invalid transactions: each rejection reason, with nothing executed and post === pre. */
import { describe, expect, it } from "vitest";
import type { Fork } from "../../lib/fork";
import { executeTransaction, type State, type TxRequest } from "../../lib/state";
import { account, code, env, ETHER, SENDER, state, tx } from "./helpers";

function reason(fork: Fork, t: TxRequest, pre: State = state(), e = env()): string | undefined {
  const r = executeTransaction(fork, pre, e, t);
  if (r.invalid) expect(r.post).toBe(pre);
  return r.invalid?.reason;
}

const blobHash = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0));

describe("invalid transactions", () => {
  it("checks the nonce", () => {
    const pre = state();
    pre.get(SENDER)!.nonce = 3n;
    expect(reason("Cancun", tx({ nonce: 2n }), pre)).toBe("NONCE_TOO_LOW");
    expect(reason("Cancun", tx({ nonce: 4n }), pre)).toBe("NONCE_TOO_HIGH");
    expect(reason("Cancun", tx({ nonce: 3n }), pre)).toBeUndefined();
    expect(reason("Cancun", tx({ nonce: 2n ** 64n - 1n }))).toBe("NONCE_IS_MAX");
  });

  it("checks the balance against gas limit * max fee + value (+ blob fee)", () => {
    // 1_000_000 gas * 10 max fee = 10^7; the effective price (9) does not matter here
    const pre = state();
    pre.get(SENDER)!.balance = 10_000_000n;
    expect(reason("Cancun", tx(), pre)).toBeUndefined();
    expect(reason("Cancun", tx({ value: 1n }), pre)).toBe("INSUFFICIENT_FUNDS");
    expect(reason("Cancun", tx({ maxFeePerGas: 2n ** 255n, maxPriorityFeePerGas: 0n }), pre)).toBe(
      "INSUFFICIENT_FUNDS",
    );
    const blob = tx({ type: 3, blobVersionedHashes: [blobHash], maxFeePerBlobGas: 1n });
    expect(reason("Cancun", blob, pre)).toBe("INSUFFICIENT_FUNDS"); // + 131072 * 1
  });

  it("checks intrinsic gas and the EIP-7623 floor", () => {
    expect(reason("Cancun", tx({ gasLimit: 20_999n }))).toBe("INTRINSIC_GAS_TOO_LOW");
    expect(reason("Cancun", tx({ gasLimit: 21_000n }))).toBeUndefined();
    // 100 non-zero bytes: intrinsic 21000 + 1600 = 22600, floor 21000 + 10 * 400 = 25000
    const data = new Uint8Array(100).fill(1);
    expect(reason("Cancun", tx({ gasLimit: 22_600n, data }))).toBeUndefined();
    expect(reason("Prague", tx({ gasLimit: 22_600n, data }))).toBe("INTRINSIC_GAS_BELOW_FLOOR");
    const r = executeTransaction("Prague", state(), env(), tx({ gasLimit: 25_000n, data }));
    expect(r.gasUsed).toBe(25_000n); // charged at the floor
  });

  it("checks the gas limit against the block and the EIP-7825 cap", () => {
    expect(reason("Cancun", tx({ gasLimit: 30_000_001n }))).toBe("GAS_LIMIT_EXCEEDS_BLOCK");
    expect(reason("Prague", tx({ gasLimit: 2n ** 24n + 1n }))).toBeUndefined();
    expect(reason("Osaka", tx({ gasLimit: 2n ** 24n + 1n }))).toBe("GAS_LIMIT_ABOVE_CAP");
    expect(reason("Osaka", tx({ gasLimit: 2n ** 24n }))).toBeUndefined();
  });

  it("checks EIP-1559 fee caps", () => {
    expect(reason("Cancun", tx({ maxFeePerGas: 6n, maxPriorityFeePerGas: 0n }))).toBe(
      "FEE_CAP_BELOW_BASE_FEE",
    );
    expect(reason("Cancun", tx({ maxFeePerGas: 10n, maxPriorityFeePerGas: 11n }))).toBe(
      "PRIORITY_FEE_ABOVE_FEE_CAP",
    );
    expect(reason("Cancun", tx({ type: 0, gasPrice: 6n }))).toBe("FEE_CAP_BELOW_BASE_FEE");
    expect(reason("Berlin", tx({ type: 0, gasPrice: 0n }))).toBeUndefined();
  });

  it("rejects a sender with code (EIP-3607) but accepts a delegated EOA in Prague", () => {
    const pre = state();
    pre.get(SENDER)!.code = code(0x00);
    expect(reason("Cancun", tx(), pre)).toBe("SENDER_NOT_EOA");
    const delegated = state();
    delegated.get(SENDER)!.code = code(0xef, 0x01, 0x00, ...new Uint8Array(20).fill(0x11));
    expect(reason("Prague", tx(), delegated)).toBeUndefined();
  });

  it("limits initcode to 49152 bytes from Shanghai (EIP-3860)", () => {
    const data = new Uint8Array(49153);
    expect(reason("Shanghai", tx({ to: null, data, gasLimit: 10_000_000n }))).toBe("INITCODE_TOO_LARGE");
    expect(reason("Paris", tx({ to: null, data, gasLimit: 10_000_000n }))).toBeUndefined();
  });

  it("gates transaction types by fork", () => {
    expect(reason("Istanbul", tx({ type: 1, gasPrice: 10n }))).toBe("TYPE_NOT_SUPPORTED");
    expect(reason("Berlin", tx({ type: 2 }))).toBe("TYPE_NOT_SUPPORTED");
    expect(reason("Shanghai", tx({ type: 3, blobVersionedHashes: [blobHash], maxFeePerBlobGas: 1n }))).toBe(
      "TYPE_NOT_SUPPORTED",
    );
    expect(reason("Cancun", tx({ type: 4, authorizationList: [] }))).toBe("TYPE_NOT_SUPPORTED");
  });

  it("checks blob transactions (EIP-4844)", () => {
    const blob = (fields: Partial<TxRequest>) =>
      tx({ type: 3, blobVersionedHashes: [blobHash], maxFeePerBlobGas: 1n, ...fields });
    expect(reason("Cancun", blob({}))).toBeUndefined();
    expect(reason("Cancun", blob({ to: null }))).toBe("BLOB_TX_CREATE");
    expect(reason("Cancun", blob({ blobVersionedHashes: [] }))).toBe("BLOB_COUNT_ZERO");
    expect(reason("Cancun", blob({ blobVersionedHashes: Array(7).fill(blobHash) }))).toBe(
      "BLOB_COUNT_EXCEEDED",
    );
    expect(reason("Prague", blob({ blobVersionedHashes: Array(9).fill(blobHash) }))).toBeUndefined();
    expect(reason("Osaka", blob({ blobVersionedHashes: Array(7).fill(blobHash) }))).toBe(
      "BLOB_COUNT_EXCEEDED",
    );
    expect(reason("Cancun", blob({ blobVersionedHashes: [new Uint8Array(32)] }))).toBe(
      "BLOB_VERSIONED_HASH_INVALID",
    );
    // excess 10,000,000 at Cancun's fraction 3338477: fake_exponential(1, 10^7, 3338477) = 19
    expect(
      reason("Cancun", blob({ maxFeePerBlobGas: 18n }), state(), env({ excessBlobGas: 10_000_000n })),
    ).toBe("BLOB_FEE_CAP_BELOW_BLOB_BASE_FEE");
    expect(
      reason("Cancun", blob({ maxFeePerBlobGas: 19n }), state(), env({ excessBlobGas: 10_000_000n })),
    ).toBeUndefined();
  });

  it("burns the blob fee at the blob base fee", () => {
    const r = executeTransaction(
      "Cancun",
      state(),
      env({ excessBlobGas: 10_000_000n }),
      tx({ type: 3, blobVersionedHashes: [blobHash, blobHash], maxFeePerBlobGas: 100n }),
    );
    expect(r.gasUsed).toBe(21000n);
    expect(r.post.get(SENDER)?.balance).toBe(ETHER - 21000n * 9n - 2n * 131072n * 19n);
  });

  it("checks set-code transactions (EIP-7702)", () => {
    expect(reason("Prague", tx({ type: 4, authorizationList: [] }))).toBe("EMPTY_AUTHORIZATION_LIST");
    const auth = { chainId: 1n, address: SENDER, nonce: 0n, yParity: 0n, r: 1n, s: 1n };
    expect(reason("Prague", tx({ type: 4, to: null, authorizationList: [auth] }))).toBe("SET_CODE_TX_CREATE");
  });

  it("leaves an invalid transaction's state untouched", () => {
    const pre = state({ "0x00000000000000000000000000000000000000aa": account({ balance: 1n }) });
    const r = executeTransaction("Cancun", pre, env(), tx({ nonce: 5n }));
    expect(r.invalid?.reason).toBe("NONCE_TOO_HIGH");
    expect(r.invalid?.message).toMatch(/nonce/);
    expect(r.post).toBe(pre);
    expect(r.gasUsed).toBe(0n);
    expect(r.logs).toEqual([]);
  });
});
