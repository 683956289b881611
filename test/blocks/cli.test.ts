/** The `run` and `blocktest` commands end to end, and executeBlock leaving the event loop free. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import { loadMainnetBlock, openMainnetFixture } from "../../lib/block/fixture";
import { main } from "../../lib/cli/main";
import { sharedDataDir, skipSharedData } from "../helpers/fixtures";

async function runCli(args: string[]): Promise<{ status: number; out: string }> {
  let out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  const status = await main(args);
  vi.restoreAllMocks();
  return { status, out };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("parallel-evm run (the main job)", () => {
  it("with no arguments executes the built-in ~1 Ggas block both ways, identical and verified", async () => {
    const { status, out } = await runCli(["run", "--threads", "2", "--json"]);
    expect(status).toBe(0);
    const doc = JSON.parse(out) as { blocks: Record<string, unknown>[]; totals: Record<string, unknown> };
    expect(doc.blocks).toHaveLength(1);
    const b = doc.blocks[0]!;
    expect(b["verified"]).toBe(true);
    expect(b["identical"]).toBe(true);
    expect(b["gasUsed"] as number).toBeGreaterThan(990_000_000);
    expect(b["txs"] as number).toBeGreaterThan(20_000);
    expect(b["policy"]).toBe("parallel");
    expect(typeof b["speedup"]).toBe("number");
  }, 600_000);
});

const skip = skipSharedData("run/blocktest CLI");
const mainnet = path.join(sharedDataDir, "mainnet");

describe.skipIf(skip)("parallel-evm run", () => {
  it("prints one JSON document with the documented fields; exit 0 when verified", async () => {
    const { status, out } = await runCli([
      "run",
      "--fixture",
      mainnet,
      "--block",
      "4370000",
      "--policy",
      "parallel",
      "--threads",
      "2",
      "--json",
    ]);
    expect(status).toBe(0);
    const doc = JSON.parse(out) as { blocks: Record<string, unknown>[]; totals: Record<string, unknown> };
    expect(doc.blocks).toHaveLength(1);
    for (const k of [
      "number",
      "txs",
      "gasUsed",
      "policy",
      "threads",
      "verified",
      "mismatches",
      "decodeMs",
      "executeMs",
      "mgasPerSec",
      "sequentialMs",
      "parallelMs",
      "speedup",
      "identical",
    ])
      expect(doc.blocks[0]).toHaveProperty(k);
    expect(doc.blocks[0]!["verified"]).toBe(true);
    expect(doc.blocks[0]!["policy"]).toBe("parallel");
    expect(doc.blocks[0]!["identical"]).toBe(true);
    expect(doc.totals["verified"]).toBe(1);
  });

  it("names where Block-STM lost work: conflict sites in the table and in --json", async () => {
    // 6196166: two pools' reserves, dozens of aborts and waits a run at 2 threads.
    const args = ["run", "--fixture", mainnet, "--block", "6196166", "--threads", "2"];
    const json = await runCli([...args, "--json"]);
    expect(json.status).toBe(0);
    const block = (JSON.parse(json.out) as { blocks: Record<string, unknown>[] }).blocks[0]!;
    const sites = block["conflicts"] as {
      kind: string;
      address: string;
      slot?: string;
      aborts: number;
      waits: number;
    }[];
    expect(sites.length).toBeLessThanOrEqual(10);
    let lost = 0;
    for (const c of sites) {
      expect(["account", "balance", "storage", "existence"]).toContain(c.kind);
      expect(c.address).toMatch(/^0x[0-9a-f]{40}$/);
      if (c.kind === "storage") expect(c.slot).toMatch(/^0x[0-9a-f]{64}$/);
      else expect(c.slot).toBeUndefined();
      expect(c.aborts + c.waits).toBeGreaterThan(0);
      lost += c.aborts + c.waits;
    }
    // Each abort and each wait on an ESTIMATE costs its transaction one more execution.
    expect(lost).toBeLessThanOrEqual(block["reexecutions"] as number);
    // The table's run is another run, with its own conflicts: each line it prints names a site.
    const text = await runCli(args);
    expect(text.status).toBe(0);
    const lines = text.out.split("\n");
    const at = lines.indexOf("conflicts (where Block-STM lost work):");
    if (at >= 0) {
      const listed = lines.slice(at + 1).filter((l) => l.startsWith("  "));
      expect(listed.length).toBeGreaterThan(0);
      for (const l of listed)
        expect(l).toMatch(
          /^ {2}(account|balance|storage|existence) 0x[0-9a-f]{40}( slot 0x[0-9a-f]{64})?: \d+ (aborts|waits)/,
        );
    }
  });

  it("runs only the sequential executor with --policy sequential", async () => {
    const { status, out } = await runCli([
      "run",
      "--fixture",
      mainnet,
      "--block",
      "4370000",
      "--policy",
      "sequential",
      "--json",
    ]);
    expect(status).toBe(0);
    const doc = JSON.parse(out) as { blocks: Record<string, unknown>[] };
    expect(doc.blocks[0]!["policy"]).toBe("sequential");
    expect(doc.blocks[0]!["parallelMs"]).toBeNull();
    expect(doc.blocks[0]!["identical"]).toBeNull();
  });

  it("exits 1 and names the mismatching field when a header does not match", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pevm-run-"));
    fs.mkdirSync(path.join(dir, "blocks", "4370000"), { recursive: true });
    for (const f of ["bytecodes.json", "block_hashes.json"])
      fs.copyFileSync(path.join(mainnet, f), path.join(dir, f));
    const src = path.join(mainnet, "blocks", "4370000");
    fs.copyFileSync(path.join(src, "pre_state.json"), path.join(dir, "blocks", "4370000", "pre_state.json"));
    const block = JSON.parse(fs.readFileSync(path.join(src, "block.json"), "utf8")) as Record<
      string,
      unknown
    >;
    block["gasUsed"] = "0x1";
    fs.writeFileSync(path.join(dir, "blocks", "4370000", "block.json"), JSON.stringify(block));
    const { status, out } = await runCli(["run", "--fixture", dir]);
    expect(status).toBe(1);
    expect(out).toMatch(/4370000 .* no \(gasUsed\)/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("executeBlock runs off the event loop", async () => {
    const fx = openMainnetFixture(mainnet);
    const { block, context } = loadMainnetBlock(fx, 13_217_637n);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await executeBlock(block, context);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe.skipIf(skip)("parallel-evm blocktest", () => {
  it("ends with N passed, M failed", async () => {
    const dest = process.env["PEVM_FIXTURES"] ?? path.join(os.tmpdir(), "parallel-evm-fixtures");
    const { execFileSync } = await import("node:child_process");
    execFileSync("bash", [path.join(sharedDataDir, "unpack.sh"), dest], { stdio: "ignore" });
    const dir = path.join(dest, "blockchain_tests", "prague", "eip7251_consolidations");
    const { status, out } = await runCli(["blocktest", dir]);
    expect(status).toBe(0);
    expect(out.trimEnd().split("\n").pop()).toMatch(/^\d+ passed, 0 failed$/);
  });
});

/** `bench blocks` on mainnet block 4370000 with `options`. */
function benchBlock4370000(options: string[]): Promise<{ status: number; out: string }> {
  return runCli(["bench", "blocks", "--fixture", mainnet, "--block", "4370000", ...options]);
}

describe.skipIf(skip)("parallel-evm bench blocks", () => {
  it("prints the documented JSON fields, and the machine's ceiling with --ceiling", async () => {
    const { status, out } = await benchBlock4370000([
      "--threads",
      "1,2",
      "--runs",
      "1",
      "--ceiling",
      "--json",
    ]);
    expect(status).toBe(0);
    const doc = JSON.parse(out) as { results: Record<string, unknown>[] };
    expect(doc.results.map((r) => r["threads"])).toEqual([1, 2]);
    for (const r of doc.results) {
      for (const k of [
        "workload",
        "threads",
        "txs",
        "gas",
        "sequentialMs",
        "parallelMs",
        "speedup",
        "identical",
        "reexecutions",
      ])
        expect(r).toHaveProperty(k);
      expect(r["workload"]).toBe("4370000");
      expect(r["identical"]).toBe(true);
      // threads x (one copy alone) / (the slowest of `threads` copies at once): positive, and
      // no more than the copies could give if each ran as fast as the one alone, with room for
      // timing noise between the two measurements.
      expect(r["ceiling"] as number).toBeGreaterThan(0);
      expect(r["ceiling"] as number).toBeLessThan(4 * (r["threads"] as number));
    }
  });

  it("--first-run analyses the block's codes again before every run", async () => {
    const { native } = await import("../../lib/binding");
    const fx = openMainnetFixture(mainnet);
    const { block, context } = loadMainnetBlock(fx, 4370000n);
    const made = (): number => native().codeAnalysesMade();
    // Once per code the block calls; then cached, until the cache is emptied.
    native().clearCodeAnalysisCache();
    let before = made();
    await executeBlock(block, context, { policy: "sequential" });
    const perRun = made() - before;
    expect(perRun).toBeGreaterThan(0);
    before = made();
    await executeBlock(block, context, { policy: "sequential" });
    expect(made() - before).toBe(0);
    native().clearCodeAnalysisCache();
    before = made();
    await executeBlock(block, context, { policy: "sequential" });
    expect(made() - before).toBe(perRun);
    // A warm-up round and two timed ones, each sequential and at 2 threads: every run analyses
    // (Block-STM's workers may both analyse a code they meet at once: at least perRun each).
    before = made();
    const { status, out } = await benchBlock4370000([
      "--threads",
      "2",
      "--runs",
      "2",
      "--first-run",
      "--json",
    ]);
    expect(status).toBe(0);
    expect(made() - before).toBeGreaterThanOrEqual(6 * perRun);
    const doc = JSON.parse(out) as { firstRun: boolean; results: Record<string, unknown>[] };
    expect(doc.firstRun).toBe(true);
    expect(doc.results[0]!["identical"]).toBe(true);
  });

  it("executeBlockCopies rejects a copy count out of range with a typed error", async () => {
    const { native } = await import("../../lib/binding");
    expect(() => native().executeBlockCopies(new Uint8Array(1), 0)).toThrow(
      /copies must be between 1 and 256/,
    );
    await expect(native().executeBlockCopies(new Uint8Array([99]), 2)).rejects.toThrow(
      /unknown encoding version/,
    );
  });
});
