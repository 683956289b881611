/**
 * Block-STM on the 52 mainnet blocks of ../shared/data/mainnet: the parallel result (receipts,
 * logs, gas, bloom, state diff) equals the sequential one at 2 and 8 threads, repeated
 * (PEVM_STM_RUNS, default 2; the acceptance run uses 20).
 */
import * as path from "node:path";
import { describe, it } from "vitest";
import { loadMainnetBlock, openMainnetFixture } from "../../lib/block/fixture";
import { requireSharedData, sharedDataDir, skipSharedData } from "../helpers/fixtures";
import { expectParallelEqualsSequential } from "./parallel_helpers";

const dir = path.join(sharedDataDir, "mainnet");
const skip = skipSharedData("mainnet blocks");
const runs = Number(process.env["PEVM_STM_RUNS"] ?? "2");

describe.skipIf(skip)("Block-STM on mainnet blocks", () => {
  it("parallel equals sequential on every block", { timeout: 1_800_000 }, async () => {
    requireSharedData();
    const fx = openMainnetFixture(dir);
    for (const n of fx.numbers) {
      const { block, context } = loadMainnetBlock(fx, n);
      await expectParallelEqualsSequential(`block ${n}`, block, context, [2, 8], runs);
    }
  });
});
