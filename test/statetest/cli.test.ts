/** The `statetest` and `vm-path` commands end to end (in this thread; workers need the JS build). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../lib/cli/main";
import { skipSharedData, stateTestsDir } from "../helpers/fixtures";

async function runCli(args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  const status = await main(args);
  vi.restoreAllMocks();
  return { status, out, err };
}

afterEach(() => {
  vi.restoreAllMocks();
});

const skip = skipSharedData("statetest CLI");

describe.skipIf(skip)("parallel-evm statetest", () => {
  const root = skip ? "" : stateTestsDir();
  const file = path.join(root, "cancun/eip5656_mcopy/test_mcopy_on_empty_memory.json");

  it("prints a table per fork and ends with the summary line; exit 0 when all pass", async () => {
    const { status, out } = await runCli(["statetest", file, "--jobs", "1"]);
    expect(status).toBe(0);
    expect(out).toMatch(/^Cancun$/m);
    expect(out).toMatch(/^Osaka$/m);
    expect(out.trimEnd().split("\n").pop()).toBe("24 passed, 0 failed");
  });

  it("--fork and --json", async () => {
    const { status, out } = await runCli(["statetest", file, "--fork", "Prague", "--json", "--jobs", "1"]);
    expect(status).toBe(0);
    const json = JSON.parse(out) as { passed: number; failed: number; forks: { fork: string }[] };
    expect([json.passed, json.failed]).toEqual([8, 0]);
    expect(json.forks.map((f) => f.fork)).toEqual(["Prague"]);
  });

  it("exit 1 and a FAIL line with the first difference when a case fails", async () => {
    const json = JSON.parse(fs.readFileSync(file, "utf8")) as Record<
      string,
      { post: Record<string, { state: Record<string, { nonce: string }> }[]> }
    >;
    const [id, test] = Object.entries(json)[0]!;
    const entry = Object.values(test.post)[0]![0]!;
    const [address, account] = Object.entries(entry.state)[0]!;
    account.nonce = "0x63";
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pevm-cli-"));
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ [id]: test }));
    const { status, out } = await runCli(["statetest", bad, "--jobs", "1"]);
    expect(status).toBe(1);
    expect(out).toContain(`FAIL ${bad} ${id}`);
    expect(out).toContain(`${address} nonce: expected 0x63`);
    expect(out.trimEnd().split("\n").pop()).toMatch(/^\d+ passed, 1 failed$/);
  });
});

describe("CLI argument errors", () => {
  it("statetest without paths, with an unknown fork or a missing file: exit 2", async () => {
    expect((await runCli(["statetest"])).status).toBe(2);
    expect((await runCli(["statetest", ".", "--fork", "Nope"])).status).toBe(2);
    expect((await runCli(["statetest", "/no/such/file.json"])).status).toBe(2);
    expect((await runCli(["bench", "nothing"])).status).toBe(2);
  });

  it("vm-path prints an existing .so path or explains that it is missing", async () => {
    const { status, out, err } = await runCli(["vm-path"]);
    if (status === 0) expect(fs.existsSync(out.trim())).toBe(true);
    else expect(err).toMatch(/missing/);
  });
});
