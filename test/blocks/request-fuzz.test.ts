/**
 * The native block request decoder against damaged requests: every truncation of a valid
 * request, and seeded random byte changes to it, run sequentially and on Block-STM. Each call
 * must either resolve or reject with one of our typed errors; none may crash the process (CI
 * also runs this under AddressSanitizer and UndefinedBehaviorSanitizer), and a good block still
 * runs afterwards. A failure prints the seed; replay it with PEVM_SEED.
 */
import { describe, expect, it } from "vitest";
import { native } from "../../lib/binding";
import { executeBlock } from "../../lib/block/execute";
import type { BlockContext, BlockTransaction } from "../../lib/block/types";
import { splitStmMetrics } from "../../lib/block/stm-metrics";
import { decodeBlockResult, encodeBlockRequest } from "../../lib/block/wire";
import { awaitNative, DecodeError, ParallelEvmError } from "../../lib/errors";
import { Random } from "../helpers/random";
import { account, block, context, CONTRACT, LOGGER, OTHER, preState, READER, transfer } from "./helpers";

const READER_AT = "0x5000000000000000000000000000000000000005";

/** A transaction of type 0 or 1: gasPrice instead of the EIP-1559 fee fields. */
function priced(nonce: bigint, to: string, value: bigint, more: Partial<BlockTransaction>): BlockTransaction {
  const { maxFeePerGas: _f, maxPriorityFeePerGas: _p, ...tx } = transfer(nonce, to, value, more);
  return { ...tx, gasPrice: 2n * 10n ** 9n };
}

/** A small block that uses most of the request's sections. */
function request(): Uint8Array {
  const logger = account(0n, LOGGER);
  const reader = account(0n, READER);
  reader.storage.set(7n, 42n);
  reader.storage.set(8n, 1n);
  const pre = preState([
    [CONTRACT, logger],
    [READER_AT, reader],
    [OTHER, account(5n)],
  ]);
  const b = block(
    [
      priced(0n, OTHER, 1000n, { type: 0 }),
      priced(1n, CONTRACT, 7n, {
        type: 1,
        accessList: [{ address: CONTRACT, storageKeys: [1n, 2n ** 255n] }],
      }),
      transfer(2n, READER_AT, 0n),
      transfer(3n, CONTRACT, 9n, { data: Uint8Array.of(1, 2, 3) }),
    ],
    "Cancun",
  );
  b.withdrawals = [{ index: 0n, validatorIndex: 1n, address: OTHER, amount: 5n }];
  b.header = {
    ...b.header,
    parentBeaconBlockRoot: new Uint8Array(32).fill(3),
    blobGasUsed: 0n,
    excessBlobGas: 0n,
  };
  const ctx: BlockContext = {
    ...context(pre),
    blockHashes: new Map([[b.header.number - 1n, new Uint8Array(32).fill(9)]]),
  };
  return Uint8Array.from(encodeBlockRequest(b, ctx, {}));
}

/**
 * Runs a request natively and decodes its result; returns what came back ("receipts", or the
 * kind of failure the result reports), or the error's class name when it is one of ours.
 */
async function outcome(bytes: Uint8Array, threads: number): Promise<string> {
  try {
    let raw = await awaitNative(native().executeBlock(bytes, threads, false));
    if (threads > 0) raw = splitStmMetrics(raw).result;
    const decoded = decodeBlockResult(raw);
    return "kind" in decoded ? decoded.kind : "receipts";
  } catch (e) {
    if (e instanceof ParallelEvmError) return e.constructor.name;
    throw e; // not a typed error: the test fails with it
  }
}

describe("damaged native block requests", () => {
  const good = request();

  it("the undamaged request runs", async () => {
    expect(await outcome(good, 0)).toBe("receipts");
    expect(await outcome(good, 2)).toBe("receipts");
  });

  it("every truncation is rejected with DecodeError", async () => {
    for (let len = 0; len < good.length; ++len) {
      const cut = good.slice(0, len);
      for (const threads of [0, 2]) {
        const got = await outcome(cut, threads);
        if (got !== DecodeError.name)
          expect.fail(`truncated to ${len} of ${good.length} bytes, ${threads} threads: ${got}`);
      }
    }
  });

  it("random byte changes resolve or give typed errors", async () => {
    const rng = new Random();
    const seen = new Map<string, number>();
    for (let round = 0; round < 4000; ++round) {
      const bad = good.slice();
      const changes = 1 + rng.int(4);
      for (let c = 0; c < changes; ++c) {
        const at = rng.int(bad.length);
        // Half the changes set a byte to an extreme (0x00 or 0xff: counts, lengths and flags at
        // their limits), half to a random value.
        bad[at] = rng.int(2) === 0 ? (rng.int(2) === 0 ? 0 : 0xff) : rng.int(256);
      }
      const threads = round % 2 === 0 ? 0 : 2;
      let got: string;
      try {
        got = await outcome(bad, threads);
      } catch (e) {
        throw new Error(`seed ${rng.seed}, round ${round}: untyped error ${String(e)}`);
      }
      seen.set(got, (seen.get(got) ?? 0) + 1);
    }
    // The damage reached the decoder's checks and the executor alike.
    expect(seen.get(DecodeError.name) ?? 0).toBeGreaterThan(0);
    expect(seen.get("receipts") ?? 0).toBeGreaterThan(0);
  });

  it("a good block still runs afterwards, on both executors", async () => {
    for (const policy of ["sequential", "parallel"] as const) {
      const r = await executeBlock(block([transfer(0n)]), context(preState()), { policy, threads: 2 });
      expect(r.gasUsed).toBe(21000n);
      expect(r.receipts[0]!.status).toBe(1);
    }
  });
});
