/**
 * The 52 mainnet blocks of ../shared/data/mainnet (Frontier to Cancun) verify against their
 * headers: gasUsed and logsBloom for every block, receiptsRoot from Byzantium on, blobGasUsed
 * from Cancun on. Needs the shared data (PEVM_SKIP_SHARED_DATA=1 skips it when missing).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import { loadMainnetBlock, openMainnetFixture } from "../../lib/block/fixture";
import { decodeRpcBlock } from "../../lib/block/json";
import { verifyBlock } from "../../lib/block/verify";
import { requireSharedData, sharedDataDir, skipSharedData } from "../helpers/fixtures";

const dir = path.join(sharedDataDir, "mainnet");
const skip = skipSharedData("mainnet blocks");

describe.skipIf(skip)("mainnet blocks", () => {
  it("all verify against their headers", { timeout: 300_000 }, async () => {
    requireSharedData();
    expect(fs.existsSync(dir), `${dir} is missing`).toBe(true);
    const fx = openMainnetFixture(dir);
    expect(fx.numbers).toHaveLength(52);
    const failures: string[] = [];
    for (const n of fx.numbers) {
      const { block, context } = loadMainnetBlock(fx, n);
      const result = await executeBlock(block, context);
      const v = verifyBlock(block, result);
      if (v.mismatches.length > 0) failures.push(`${n}: ${v.mismatches.join(", ")}`);
      if (n >= 4_370_000n) expect(v.checked).toContain("receiptsRoot");
    }
    expect(failures).toEqual([]);
  });

  it(
    "recovers the senders from the signatures when `from` is absent (types 0 to 3)",
    { timeout: 120_000 },
    async () => {
      const fx = openMainnetFixture(dir);
      for (const n of [2_675_000n, 13_217_637n, 19_932_703n]) {
        const { block, context } = loadMainnetBlock(fx, n);
        const json = JSON.parse(
          fs.readFileSync(path.join(dir, "blocks", n.toString(), "block.json"), "utf8"),
        ) as {
          transactions: Record<string, unknown>[];
        };
        for (const t of json.transactions) delete t["from"];
        const recovered = decodeRpcBlock(json);
        expect(recovered.transactions.every((t) => t.sender === undefined && t.signature !== undefined)).toBe(
          true,
        );
        const r = await executeBlock(recovered, context);
        expect(r.receipts.map((x) => x.sender)).toEqual(block.transactions.map((t) => t.sender));
        expect(verifyBlock(recovered, r).mismatches).toEqual([]);
      }
    },
  );

  it("the same block twice gives the same receipts and diff (the oracle is deterministic)", async () => {
    const fx = openMainnetFixture(dir);
    const { block, context } = loadMainnetBlock(fx, 12_047_794n); // self-destructs and redeploys
    const a = await executeBlock(block, context);
    const b = await executeBlock(block, context);
    const strip = (r: typeof a): unknown => ({ ...r, timings: undefined });
    expect(strip(b)).toEqual(strip(a));
    expect(a.diff.some((d) => d.storageReset || d.deleted)).toBe(true);
  });
});
