/**
 * EIP-4844 point evaluation (0x0a) through the precompile table: the execution-spec-tests cases
 * whose entry contract forwards its calldata to 0x0a, then the input rules one by one, each with
 * the exact gas (50000, all of it consumed on failure).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { skipSharedData, stateTestsDir } from "../helpers/fixtures";
import { Rev, Status, expectCost, fromHex, run, toHex, word } from "./run";

const POINT_EVALUATION = 0x0a;
const GAS = 50000;
const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
const SUCCESS_OUTPUT = word(4096n) + word(BLS_MODULUS);
const G1_INFINITY = "c0" + "00".repeat(47); // compressed point at infinity
// The compressed G1 generator, a valid commitment of the constant polynomial 1.
const G1_GENERATOR =
  "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";

function versionedHash(commitmentHex: string): string {
  const h = createHash("sha256").update(Buffer.from(commitmentHex, "hex")).digest("hex");
  return "01" + h.slice(2);
}

function input(z: bigint, y: bigint, commitment: string, proof: string, hash = versionedHash(commitment)) {
  return fromHex(hash + word(z) + word(y) + commitment + proof);
}

// ---- fixture cases ----------------------------------------------------------------------------

interface Case {
  name: string;
  rev: number;
  gas: number;
  input: string;
  success: boolean;
}

const FORK_REV: Record<string, number> = { Cancun: Rev.Cancun, Prague: Rev.Prague, Osaka: Rev.Osaka };
// CALLDATACOPY of all calldata, then a call to PUSH1 <address> with PUSH2/PUSH3 <gas>, whose
// success flag goes to slot 0.
const FORWARDER =
  /^366000600037((?:[0-9a-f]{2})*?)60([0-9a-f]{2})(61[0-9a-f]{4}|62[0-9a-f]{6})(f1|f2|f4|fa)600055/;

function forwardedCases(dir: string, address: number): Case[] {
  const out: Case[] = [];
  const seen = new Set<string>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const tests = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    for (const [name, t] of Object.entries<any>(tests)) {
      const to: string | undefined = t.transaction.to;
      const code: string | undefined = to ? t.pre[to]?.code : undefined;
      const m = code ? FORWARDER.exec(code.slice(2)) : null;
      if (!m || parseInt(m[2]!, 16) !== address) continue;
      const gas = parseInt(m[3]!.slice(2), 16);
      for (const [fork, posts] of Object.entries<any[]>(t.post)) {
        const rev = FORK_REV[fork];
        if (rev === undefined) continue;
        for (const post of posts) {
          if (post.expectException) continue;
          const data: string = t.transaction.data[post.indexes.data].slice(2);
          const key = `${rev}:${gas}:${data}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const slot0 = post.state[to!]?.storage?.["0x00"] ?? "0x00";
          out.push({ name, rev, gas, input: data, success: BigInt(slot0) === 1n });
        }
      }
    }
  }
  return out;
}

const skip = skipSharedData("point evaluation fixture cases");

describe.skipIf(skip)("point evaluation: execution-spec-tests cases", () => {
  it("matches every case that forwards calldata to 0x0a", () => {
    const cases = forwardedCases(path.join(stateTestsDir(), "cancun", "eip4844_blobs"), POINT_EVALUATION);
    expect(cases.length).toBeGreaterThan(100);
    expect(cases.filter((c) => c.success).length).toBeGreaterThan(20);
    for (const c of cases) {
      const r = run(POINT_EVALUATION, c.rev, c.input, c.gas);
      expect(r.status === Status.Success, c.name).toBe(c.success);
      if (c.success) expect(toHex(r.output), c.name).toBe(SUCCESS_OUTPUT);
      else expect(r.gasLeft, c.name).toBe(0);
    }
  });
});

// ---- input rules ------------------------------------------------------------------------------

describe("point evaluation input rules (50000 gas each)", () => {
  it("accepts the zero polynomial opened anywhere to y = 0 and returns 4096 and BLS_MODULUS", () => {
    for (const z of [0n, 1n, 12345n, BLS_MODULUS - 1n]) {
      const r = expectCost(POINT_EVALUATION, Rev.Cancun, input(z, 0n, G1_INFINITY, G1_INFINITY), GAS);
      expect(r.status).toBe(Status.Success);
      expect(toHex(r.output)).toBe(SUCCESS_OUTPUT);
    }
  });

  it("accepts the constant polynomial 1 (commitment [1]G1, proof at infinity) with y = 1", () => {
    const ok = expectCost(POINT_EVALUATION, Rev.Cancun, input(7n, 1n, G1_GENERATOR, G1_INFINITY), GAS);
    expect(ok.status).toBe(Status.Success);
    const bad = expectCost(POINT_EVALUATION, Rev.Cancun, input(7n, 2n, G1_GENERATOR, G1_INFINITY), GAS);
    expect(bad.status).toBe(Status.Failure);
  });

  it("fails when the proof does not open the commitment to y", () => {
    for (const y of [1n, BLS_MODULUS - 1n]) {
      expect(
        expectCost(POINT_EVALUATION, Rev.Cancun, input(5n, y, G1_INFINITY, G1_INFINITY), GAS).status,
      ).toBe(Status.Failure);
    }
    // a non-trivial proof for the zero commitment
    expect(
      expectCost(POINT_EVALUATION, Rev.Cancun, input(5n, 0n, G1_INFINITY, G1_GENERATOR), GAS).status,
    ).toBe(Status.Failure);
  });

  it("fails for z or y not below BLS_MODULUS", () => {
    for (const [z, y] of [
      [BLS_MODULUS, 0n],
      [0n, BLS_MODULUS],
      [(1n << 256n) - 1n, 0n],
      [0n, (1n << 256n) - 1n],
    ] as const) {
      expect(
        expectCost(POINT_EVALUATION, Rev.Cancun, input(z, y, G1_INFINITY, G1_INFINITY), GAS).status,
      ).toBe(Status.Failure);
    }
  });

  it("fails when the versioned hash is not 0x01 ++ sha256(commitment)[1:]", () => {
    const good = versionedHash(G1_INFINITY);
    const badVersion = "02" + good.slice(2);
    const badHash = good.slice(0, 62) + (good.slice(62) === "00" ? "01" : "00");
    const otherCommitment = versionedHash(G1_GENERATOR);
    for (const hash of [badVersion, badHash, otherCommitment, "00".repeat(32)]) {
      expect(
        expectCost(POINT_EVALUATION, Rev.Cancun, input(0n, 0n, G1_INFINITY, G1_INFINITY, hash), GAS).status,
      ).toBe(Status.Failure);
    }
  });

  it("fails for commitments or proofs that are not compressed G1 subgroup points", () => {
    const notCompressed = "00".repeat(48); // compression flag missing
    const badInfinity = "c0" + "00".repeat(46) + "01"; // infinity flag with a non-zero x
    const x5 = "a0" + "00".repeat(46) + "05"; // x = 5: off y^2 = x^3 + 4 or outside the subgroup
    const xTooBig =
      "9a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab";
    for (const bad of [notCompressed, badInfinity, x5, xTooBig]) {
      expect(expectCost(POINT_EVALUATION, Rev.Cancun, input(0n, 0n, bad, G1_INFINITY), GAS).status).toBe(
        Status.Failure,
      );
      expect(expectCost(POINT_EVALUATION, Rev.Cancun, input(0n, 0n, G1_INFINITY, bad), GAS).status).toBe(
        Status.Failure,
      );
    }
  });

  it("fails for any length but 192", () => {
    const good = input(0n, 0n, G1_INFINITY, G1_INFINITY);
    for (const bytes of [new Uint8Array(0), good.subarray(0, 191), Uint8Array.from([...good, 0])]) {
      expect(expectCost(POINT_EVALUATION, Rev.Cancun, bytes, GAS).status).toBe(Status.Failure);
    }
  });

  it("gives the same answers when called from several threads at once (setup loaded once)", async () => {
    const { Worker } = await import("node:worker_threads");
    const good = toHex(input(3n, 0n, G1_INFINITY, G1_INFINITY));
    const bad = toHex(input(3n, 1n, G1_INFINITY, G1_INFINITY));
    const script = `
      const { parentPort, workerData } = require("node:worker_threads");
      const addon = require(workerData.addon);
      const statuses = [];
      for (let i = 0; i < 20; i++)
        for (const hex of [workerData.good, workerData.bad])
          statuses.push(addon.runPrecompile(0x0a, ${Rev.Cancun}, Buffer.from(hex, "hex"), ${GAS}).status);
      parentPort.postMessage(statuses);`;
    const { addonPath } = await import("../../lib/binding");
    const runs = await Promise.all(
      [0, 1, 2, 3].map(
        () =>
          new Promise<number[]>((resolve, reject) => {
            const w = new Worker(script, { eval: true, workerData: { addon: addonPath(), good, bad } });
            w.once("message", resolve);
            w.once("error", reject);
          }),
      ),
    );
    for (const statuses of runs) {
      expect(statuses).toEqual(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? Status.Success : Status.Failure)),
      );
    }
  });
});
