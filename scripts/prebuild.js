// Makes the linux-x64 prebuild that `npm pack` ships: prebuildify builds the addon (N-API, so one
// binary serves every Node >= 20) and strips it. It also copies the shared libraries it finds in
// build/Release, so the EVMC VM library (parallel_evm.so, for `parallel-evm vm-path`) lands beside
// the addon; that one is stripped here.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const env = { ...process.env };
// Build against the local Node headers when npm is configured with them (no header download).
if (!env.npm_config_nodedir) {
  try {
    const dir = execFileSync("npm", ["config", "get", "nodedir"], { encoding: "utf8" }).trim();
    if (dir && dir !== "undefined" && dir !== "null") env.npm_config_nodedir = dir;
  } catch {}
}
delete env.PEVM_SANITIZE;

const prebuildify = require.resolve("prebuildify/bin.js");
execFileSync(process.execPath, [prebuildify, "--napi", "--strip", "--tag-libc", "--target", "node@20.0.0"], {
  cwd: root,
  env,
  stdio: "inherit",
});

const outDir = path.join(root, "prebuilds", `${process.platform}-${process.arch}`);
const vm = path.join(outDir, "parallel_evm.so");
if (!fs.existsSync(vm)) throw new Error(`the EVMC VM library is missing from the prebuild: ${vm}`);
execFileSync("strip", ["--strip-unneeded", vm]);
for (const f of fs.readdirSync(outDir)) {
  console.log(
    `prebuild: ${path.join("prebuilds", path.basename(outDir), f)} (${fs.statSync(path.join(outDir, f)).size} bytes)`,
  );
}
