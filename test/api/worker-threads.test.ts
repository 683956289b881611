/**
 * Worker threads that use the addon and are terminated while a native call runs: the process and
 * the other threads carry on (it used to abort the whole process: the promise of a call that
 * completed during the worker's teardown could not be settled, and node-addon-api rethrew from a
 * C callback).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { addonPath } from "../../lib/binding";
import { encodeBlockRequest } from "../../lib/block/wire";
import { buildWorkload } from "../../lib/workloads/index";

describe("worker threads", () => {
  it("survive being terminated in the middle of executeBlock and keccak256Async", () => {
    const w = buildWorkload("erc20-independent", { txs: 300 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pevm-wt-"));
    const requestFile = path.join(dir, "request.bin");
    fs.writeFileSync(requestFile, encodeBlockRequest(w.block, w.context, {}));
    // The child loads the addon on its main thread and in each worker; each worker runs blocks on
    // Block-STM (and hashes) in a loop until the main thread terminates it, after a delay that
    // grows round by round so that the termination lands at different points of a call.
    const script = `
      const { Worker } = require("node:worker_threads");
      const fs = require("node:fs");
      const [addon, requestFile] = process.argv.slice(1);
      const load = () => { const m = { exports: {} }; process.dlopen(m, addon); return m.exports; };
      const worker = \`
        const { parentPort, workerData } = require("node:worker_threads");
        const m = { exports: {} }; process.dlopen(m, workerData.addon);
        const request = require("node:fs").readFileSync(workerData.requestFile);
        parentPort.postMessage("ready");
        (async () => { for (;;) {
          await Promise.all([m.exports.executeBlock(request, 2, false), m.exports.keccak256Async(request)]);
        } })();
      \`;
      (async () => {
        const native = load();
        const request = fs.readFileSync(requestFile);
        // The result without its Block-STM metrics trailer, whose conflict sites vary from run
        // to run (lib/block/stm-metrics.ts).
        const result = (raw) => {
          const b = Buffer.from(raw);
          return b.subarray(0, b.length - 8 - b.readUInt32LE(b.length - 8));
        };
        const first = result(await native.executeBlock(request, 2, false));
        for (let round = 0; round < 12; round++) {
          const t = new Worker(worker, { eval: true, workerData: { addon, requestFile } });
          await new Promise((resolve) => t.once("message", () => setTimeout(resolve, round)));
          const [mine] = await Promise.all([native.executeBlock(request, 2, false), t.terminate()]);
          if (result(mine).length !== first.length) throw new Error("a different result");
        }
        process.stdout.write("ok");
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const r = spawnSync(process.execPath, ["-e", script, addonPath(), requestFile], {
      encoding: "utf8",
      timeout: 120_000,
    });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("ok");
  }, 150_000);
});
