/** The addon loaded twice into one process and environment, as module-reloading test runners do. */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { addonPath } from "../../lib/binding";

describe("the native addon", () => {
  it("can be loaded twice into one environment and both copies work", () => {
    // A child process: before the fix, the second load aborted the whole process.
    const script = `
      const path = process.argv[1];
      const load = () => { const m = { exports: {} }; process.dlopen(m, path); return m.exports; };
      const a = load(), b = load();
      const hex = (u) => Buffer.from(u).toString("hex");
      const ha = hex(a.keccak256(new Uint8Array([1, 2, 3])));
      const hb = hex(b.keccak256(new Uint8Array([1, 2, 3])));
      if (ha !== hb) throw new Error("the copies disagree");
      process.stdout.write(ha);
    `;
    const r = spawnSync(process.execPath, ["-e", script, addonPath()], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{64}$/);
  });
});
