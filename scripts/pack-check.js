// Proves the published package works on a machine with no compiler: packs the package (with its
// prebuild), installs the tarball into an empty temporary project with a PATH that holds only node
// node, npm and sh (no cc, c++, make or python), lets the package's install script run, and checks that
// both `require` and `import` load the prebuilt addon and compute a keccak; then builds the
// installed package from source with the C sources it ships.
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.join(__dirname, "..");
const prebuildDir = path.join(root, "prebuilds", `${process.platform}-${process.arch}`);
if (!fs.existsSync(prebuildDir)) {
  console.error(`pack-check: no prebuild in ${prebuildDir}; run \`npm run prebuild\` first`);
  process.exit(1);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "pevm-pack-"));
const keep = process.env.PEVM_KEEP_PACK_CHECK === "1";
try {
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, encoding: "utf8" }),
  );
  const tarball = path.join(work, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  for (const must of [
    "dist/cjs/index.js",
    "dist/esm/index.mjs",
    "bin/parallel-evm.js",
    "dist/cjs/workloads/contracts.json", // the compiled contracts of the built-in workload
  ]) {
    if (!files.includes(must)) throw new Error(`the package lacks ${must}`);
  }
  if (!files.some((f) => f.startsWith("prebuilds/") && f.endsWith(".node")))
    throw new Error("the package lacks a prebuilt addon");
  console.log(`pack-check: packed ${packed[0].filename} (${files.length} files, ${packed[0].size} bytes)`);

  // A PATH with node and npm only: any attempt to compile fails loudly.
  const bin = path.join(work, "bin");
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, "node"));
  const npmCli = fs.realpathSync(execFileSync("which", ["npm"], { encoding: "utf8" }).trim());
  fs.writeFileSync(path.join(bin, "npm"), `#!${process.execPath}\nrequire(${JSON.stringify(npmCli)});\n`, {
    mode: 0o755,
  });
  fs.symlinkSync("/bin/sh", path.join(bin, "sh")); // npm runs lifecycle scripts with sh
  for (const tool of ["cc", "gcc", "c++", "g++", "clang", "make", "python3", "node-gyp"]) {
    if (fs.existsSync(path.join(bin, tool))) throw new Error(`${tool} is reachable on the test PATH`);
  }
  const env = { HOME: process.env.HOME, PATH: bin, CC: "/nonexistent/cc", CXX: "/nonexistent/c++" };
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;

  const app = path.join(work, "app");
  fs.mkdirSync(app);
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify(
      { name: "pack-check-app", private: true, allowScripts: { "parallel-evm": true } },
      null,
      2,
    ),
  );
  execFileSync(process.execPath, [npmCli, "install", "--no-audit", "--no-fund", tarball], {
    cwd: app,
    env,
    stdio: "inherit",
  });
  // npm 11 skips dependency install scripts until the user approves them; run ours as npm would
  // for a user who did: it must find the prebuild and compile nothing.
  const installed = path.join(app, "node_modules", "parallel-evm");
  const installScript = require(path.join(installed, "package.json")).scripts.install;
  if (installScript !== "node-gyp-build") throw new Error(`unexpected install script: ${installScript}`);
  execFileSync(process.execPath, [path.join(app, "node_modules", "node-gyp-build", "bin.js")], {
    cwd: installed,
    env: { ...env, PATH: `${path.join(app, "node_modules", ".bin")}:${bin}` }, // as npm sets it
    stdio: "inherit",
  });
  if (fs.existsSync(path.join(installed, "build")))
    throw new Error("the install compiled the addon instead of using the prebuild");

  const abc = "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45";
  const cjs = `
    const pevm = require("parallel-evm");
    const got = pevm.bytesToHex(pevm.keccak256(Buffer.from("abc")));
    if (got !== "${abc}") throw new Error("require: wrong keccak " + got);
    if (!pevm.addonPath().includes("/prebuilds/")) throw new Error("require: loaded " + pevm.addonPath());
    console.log("pack-check: require() loaded " + pevm.addonPath() + " and computed keccak('abc')");`;
  const esm = `
    import pevm, { keccak256, bytesToHex, addonPath, evmcVmPath } from "parallel-evm";
    const got = bytesToHex(keccak256(new TextEncoder().encode("abc")));
    if (got !== "${abc}" || typeof pevm.keccak256 !== "function") throw new Error("import: wrong keccak " + got);
    if (!addonPath().includes("/prebuilds/")) throw new Error("import: loaded " + addonPath());
    if (!evmcVmPath()) throw new Error("import: the EVMC VM library is missing from the package");
    console.log("pack-check: import loaded " + addonPath() + " and computed keccak('abc')");`;
  execFileSync(process.execPath, ["-e", cjs], { cwd: app, env, stdio: "inherit" });
  execFileSync(process.execPath, ["--input-type=module", "-e", esm], { cwd: app, env, stdio: "inherit" });
  const version = execFileSync(path.join(app, "node_modules", ".bin", "parallel-evm"), ["--version"], {
    cwd: app,
    env,
    encoding: "utf8",
  }).trim();
  console.log(`pack-check: the parallel-evm command runs (version ${version})`);
  const vmPath = execFileSync(path.join(app, "node_modules", ".bin", "parallel-evm"), ["vm-path"], {
    cwd: app,
    env,
    encoding: "utf8",
  }).trim();
  if (!vmPath.includes("/prebuilds/") || !fs.existsSync(vmPath)) throw new Error(`vm-path printed ${vmPath}`);
  console.log(`pack-check: vm-path finds the EVMC VM library in the prebuild (${path.basename(vmPath)})`);

  // From source: the same tarball on a machine with a compiler, where no prebuild is used. The C
  // sources of libsecp256k1, blst and c-kzg come from the package's own deps/ folder (the npm
  // packages are not installed, Debian's tarball not fetched), so this proves the published
  // package builds by itself.
  if (
    !files.some((f) => f.startsWith("deps/c-kzg/")) ||
    !files.some((f) => f.startsWith("deps/libsecp256k1/src/"))
  )
    throw new Error("the package lacks the vendored C sources in deps/");
  for (const pkg of ["c-kzg", "secp256k1"]) {
    if (fs.existsSync(path.join(app, "node_modules", pkg))) throw new Error(`${pkg} was installed for users`);
  }
  const gyp = path.join(path.dirname(npmCli), "..", "node_modules", "node-gyp", "bin", "node-gyp.js");
  console.log("pack-check: building the installed package from source (no prebuild)...");
  execFileSync(process.execPath, [gyp, "rebuild", "-j", "max"], {
    cwd: installed,
    env: { ...process.env, PEVM_SANITIZE: "" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const built = path.join(installed, "build", "Release", "parallel_evm.node");
  const sourceCheck = `
    const pevm = require("parallel-evm");
    if (pevm.addonPath() !== ${JSON.stringify(built)}) throw new Error("loaded " + pevm.addonPath());
    if (pevm.bytesToHex(pevm.keccak256(Buffer.from("abc"))) !== "${abc}") throw new Error("wrong keccak");
    const native = require(${JSON.stringify(built)});
    // BLS12-381 G1ADD of two points at infinity (blst) and an ecrecover (libsecp256k1).
    const add = native.runPrecompile(0x0b, 13, new Uint8Array(256), 1000);
    if (add.status !== 0 || add.output.length !== 128 || add.output.some((b) => b !== 0)) throw new Error("bls g1add failed");
    const rec = native.runPrecompile(0x01, 13, new Uint8Array(128), 5000);
    if (rec.status !== 0) throw new Error("ecrecover failed");
    console.log("pack-check: the source build loads, hashes and runs the BLS and ecrecover precompiles");`;
  execFileSync(process.execPath, ["-e", sourceCheck], {
    cwd: app,
    env: { ...env, PEVM_ADDON_PATH: built },
    stdio: "inherit",
  });
  console.log("pack-check: ok");
} finally {
  if (keep) console.log(`pack-check: kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}
