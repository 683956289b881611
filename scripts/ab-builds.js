#!/usr/bin/env node
"use strict";
// Paired timing of two addon builds in one process, for a change too small to see through this
// machine's drift (bench/README.md): both .node files are loaded, one request is encoded once,
// and the two builds run it in turn (the order flips every pair), so that both sides of each
// ratio see the same minute of the machine.
//
//   node scripts/ab-builds.js A.node B.node (--synthetic NAME | --block N [--fixture DIR])
//                             [--threads N] [--runs N]
//
// --threads 0 runs sequentially (default 2); --runs pairs (default 31, after 2 untimed). Prints
// each build's median native execution time (and Block-STM's summed execution time) and the
// median and quartiles of the per-pair ratio B/A: below 1, B is faster. Build a variant with
// scripts/dev-build.sh NAME; needs the TypeScript build (npm run build:ts).
const path = require("node:path");
const { parseArgs } = require("node:util");

const dist = path.join(__dirname, "..", "dist", "cjs");
const { encodeBlockRequest, decodeBlockResult } = require(path.join(dist, "block", "wire.js"));
const { splitStmMetrics } = require(path.join(dist, "block", "stm-metrics.js"));

const usage =
  "usage: node scripts/ab-builds.js A.node B.node (--synthetic NAME | --block N [--fixture DIR]) [--threads N] [--runs N]";
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    synthetic: { type: "string" },
    block: { type: "string" },
    fixture: { type: "string", default: path.join(__dirname, "..", "..", "shared", "data", "mainnet") },
    threads: { type: "string", default: "2" },
    runs: { type: "string", default: "31" },
  },
});
if (positionals.length !== 2 || (values.synthetic === undefined) === (values.block === undefined)) {
  process.stderr.write(usage + "\n");
  process.exit(2);
}
const threads = Number(values.threads);
const runs = Number(values.runs);
if (!Number.isInteger(threads) || threads < 0 || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write(usage + "\n");
  process.exit(2);
}

function loadAddon(file) {
  const m = { exports: {} };
  process.dlopen(m, path.resolve(file));
  return m.exports;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function quartiles(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor((s.length - 1) / 4)], s[Math.ceil((3 * (s.length - 1)) / 4)]];
}

async function main() {
  const addons = positionals.map(loadAddon);
  let block;
  let context;
  const options = {};
  if (values.synthetic !== undefined) {
    const { buildWorkload } = require(path.join(dist, "workloads", "index.js"));
    ({ block, context } = buildWorkload(values.synthetic, {}));
  } else {
    const { openMainnetFixture, loadMainnetBlock } = require(path.join(dist, "block", "fixture.js"));
    ({ block, context } = loadMainnetBlock(openMainnetFixture(values.fixture), BigInt(values.block)));
    options.missingState = "empty";
  }
  // A copy: each build's executeBlock copies it again before running.
  const request = Uint8Array.from(encodeBlockRequest(block, context, options));
  const run = async (addon) => {
    let raw = await addon.executeBlock(request, threads, false);
    let metrics;
    if (threads > 0) ({ result: raw, metrics } = splitStmMetrics(raw));
    const out = decodeBlockResult(raw, []);
    if ("kind" in out) throw new Error(`the block failed: ${out.message}`);
    return { ms: Number(out.ns[0]) / 1e6, executionMs: metrics ? metrics.executionMs : 0 };
  };
  const ms = [[], []];
  const exec = [[], []];
  const ratios = [];
  for (let i = -2; i < runs; i++) {
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    const r = [];
    for (const k of order) r[k] = await run(addons[k]);
    if (i < 0) continue; // warm-up: caches, pool threads
    for (const k of [0, 1]) {
      ms[k].push(r[k].ms);
      exec[k].push(r[k].executionMs);
    }
    ratios.push(r[1].ms / r[0].ms);
  }
  const what = values.synthetic ?? `block ${values.block}`;
  const side = (k) =>
    `${median(ms[k]).toFixed(2)} ms` +
    (threads > 0 ? ` (Block-STM execution ${median(exec[k]).toFixed(2)} ms)` : "");
  const [q1, q3] = quartiles(ratios);
  process.stdout.write(
    `${what}, ${threads > 0 ? `${threads} threads` : "sequential"}, ${runs} pairs\n` +
      `  A ${side(0)}\n  B ${side(1)}\n` +
      `  B/A per pair: median ${median(ratios).toFixed(3)}, quartiles ${q1.toFixed(3)}-${q3.toFixed(3)}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`ab-builds: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});
