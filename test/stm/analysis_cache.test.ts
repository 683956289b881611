/**
 * The code-analysis cache's byte limit (lib/analysis-cache.ts), and blocks that run while it
 * drops analyses that workers are still using: with a limit of 0, every insertion empties its
 * shard, so Block-STM's workers analyse, drop and share codes all through a block.
 */
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  clearCodeAnalysisCache,
  codeAnalysisCacheStats,
  setCodeAnalysisCacheLimit,
} from "../../lib/analysis-cache";
import { native } from "../../lib/binding";
import { InvalidArgumentError } from "../../lib/errors";
import { executeBlock } from "../../lib/block/execute";
import { loadMainnetBlock, openMainnetFixture } from "../../lib/block/fixture";
import { sharedDataDir, skipSharedData } from "../helpers/fixtures";
import { expectParallelEqualsSequential } from "./parallel_helpers";

const skip = skipSharedData("code-analysis cache");
const DEFAULT_LIMIT = 256 * 1024 * 1024;

afterAll(() => {
  setCodeAnalysisCacheLimit(DEFAULT_LIMIT);
});

describe.skipIf(skip)("the code-analysis cache", () => {
  // 15199017 calls some 180 codes.
  const load = () => loadMainnetBlock(openMainnetFixture(path.join(sharedDataDir, "mainnet")), 15199017n);

  it("holds a block's codes, counted in bytes, within the default limit", async () => {
    const { block, context } = load();
    clearCodeAnalysisCache();
    expect(codeAnalysisCacheStats()).toEqual({ entries: 0, bytes: 0, translatedBytes: 0 });
    const before = native().codeAnalysesMade();
    await executeBlock(block, context, { policy: "sequential", missingState: "empty" });
    const made = native().codeAnalysesMade() - before;
    const st = codeAnalysisCacheStats();
    // Every code it called, but for initcodes (analysed for their one run, not cached).
    expect(st.entries).toBeLessThanOrEqual(made);
    expect(st.entries).toBeGreaterThan(150);
    expect(st.bytes).toBeGreaterThan(st.entries * 1000);
    expect(st.bytes).toBeLessThanOrEqual(DEFAULT_LIMIT);
    // Translated lazily: what the block ran of its codes, well below their full translation.
    expect(st.translatedBytes).toBeGreaterThan(st.entries * 100);
    expect(st.translatedBytes).toBeLessThan(st.bytes / 2);
  });

  it("with a limit of 0 keeps one analysis per shard, and blocks still equal sequential", async () => {
    const { block, context } = load();
    setCodeAnalysisCacheLimit(0);
    clearCodeAnalysisCache();
    const before = native().codeAnalysesMade();
    await expectParallelEqualsSequential("15199017, limit 0", block, context, [2, 4], 2);
    expect(codeAnalysisCacheStats().entries).toBeLessThanOrEqual(64);
    // Dropped and analysed again: many more analyses than the block has codes.
    expect(native().codeAnalysesMade() - before).toBeGreaterThan(4 * 180);
    const r = await executeBlock(block, context, { policy: "parallel", threads: 2, missingState: "empty" });
    expect(r.gasUsed).toBe(block.header.gasUsed);
    setCodeAnalysisCacheLimit(DEFAULT_LIMIT);
    clearCodeAnalysisCache();
    await executeBlock(block, context, { policy: "sequential", missingState: "empty" });
    expect(codeAnalysisCacheStats().entries).toBeGreaterThan(150);
  }, 120_000);

  it("rejects a limit that is not a whole number of bytes", () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 60])
      expect(() => setCodeAnalysisCacheLimit(bad)).toThrow(InvalidArgumentError);
    expect(() => native().setCodeAnalysisCacheLimit(-5)).toThrow(/whole number/);
  });
});
