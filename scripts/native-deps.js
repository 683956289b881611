// The C libraries we compile into the addon come from packages (their sources only): blst and
// c-kzg-4844 from the `c-kzg` npm package, libsecp256k1 from Debian's source package (its release
// 0.2.0, 1.5 times faster at ecrecover than the older copy the `secp256k1` npm package ships, with
// its tables precomputed instead of built at run time). In a checkout, c-kzg is read from
// node_modules (a devDependency) and Debian's tarball is downloaded once, checked against its
// pinned SHA-256 and unpacked under node_modules/.cache; `npm pack` copies the files we compile
// into deps/<name> (same layout as their sources), so an installed package builds from source
// without network access, without those packages and without running their install scripts.
//   node scripts/native-deps.js dir NAME   prints the source folder of NAME, relative to the cwd
//   node scripts/native-deps.js vendor     copies the sources into deps/ (prepack)
//   node scripts/native-deps.js clean      removes deps/ (postpack)
"use strict";
const crypto = require("crypto");
const { execFileSync } = require("child_process");
const fs = require("fs");
const http = require("http");
const https = require("https");
const path = require("path");

const root = path.join(__dirname, "..");

// npm packages: what each contributes (the paths we compile or include, and its licence files).
const packages = {
  "c-kzg": [
    "LICENSE",
    "deps/blst/LICENSE",
    "deps/blst/src",
    "deps/blst/build/assembly.S",
    "deps/blst/build/elf",
    "deps/blst/build/mach-o",
    "deps/blst/build/coff",
    "deps/blst/build/win64",
    "deps/blst/bindings/blst.h",
    "deps/blst/bindings/blst_aux.h",
    "deps/c-kzg",
  ],
};

// Debian source packages: the upstream tarball (pinned by its checksum, which the package's .dsc
// lists) and what we take from it.
const debian = {
  libsecp256k1: {
    url: "http://deb.debian.org/debian/pool/main/libs/libsecp256k1/libsecp256k1_0.2.0.orig.tar.xz",
    sha256: "07c1d76fc485936138c6572e94374df22ba41df06617926572b8a690fe8bc34b",
    top: "libsecp256k1-0.2.0",
    entries: ["COPYING", "src", "include"],
  },
};

const names = [...Object.keys(packages), ...Object.keys(debian)];

/** deps/NAME in a published package (npm pack copies the sources there), else undefined. */
function vendoredDir(name) {
  const dir = path.join(root, "deps", name);
  return fs.existsSync(dir) ? dir : undefined;
}

function packageDir(name) {
  const vendored = vendoredDir(name);
  if (vendored) return vendored;
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [root] }));
  } catch {
    throw new Error(
      `parallel-evm: building from source needs the C sources of the ${name} package: ` +
        `run npm install in a checkout (it is a devDependency), or use the published package (it ships them in deps/)`,
    );
  }
}

/** The bytes at `url`, following redirects. */
function download(url, redirects = 5) {
  return new Promise((resolve, reject) => {
    const get = url.startsWith("https:") ? https.get : http.get;
    const req = get(url, { timeout: 60_000 }, (res) => {
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location && redirects > 0) {
        res.resume();
        resolve(download(new URL(res.headers.location, url).toString(), redirects - 1));
        return;
      }
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`HTTP ${res.statusCode}`));
        return;
      }
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks)));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
  });
}

/** The unpacked source folder of Debian source `name`: vendored, cached, or fetched now. */
async function debianDir(name) {
  const vendored = vendoredDir(name);
  if (vendored) return vendored;
  const src = debian[name];
  const cache = path.join(root, "node_modules", ".cache", "parallel-evm-deps");
  const dir = path.join(cache, src.top);
  if (fs.existsSync(path.join(dir, ".complete"))) return dir;
  let tarball;
  try {
    tarball = await download(src.url);
  } catch (err) {
    throw new Error(
      `parallel-evm: building from source in a checkout needs ${name}'s sources from Debian ` +
        `(${src.url}): ${err.message}. The published package ships them in deps/.`,
    );
  }
  const sum = crypto.createHash("sha256").update(tarball).digest("hex");
  if (sum !== src.sha256)
    throw new Error(`parallel-evm: ${src.url} has SHA-256 ${sum}, expected ${src.sha256}`);
  // Unpacked beside its final place and renamed into it: a concurrent build never sees half.
  fs.mkdirSync(cache, { recursive: true });
  const work = fs.mkdtempSync(path.join(cache, `${src.top}.tmp-`));
  try {
    const file = path.join(work, path.basename(new URL(src.url).pathname));
    fs.writeFileSync(file, tarball);
    execFileSync("tar", ["-xJf", file, "-C", work], { stdio: ["ignore", "ignore", "inherit"] });
    const unpacked = path.join(work, src.top);
    for (const entry of src.entries)
      if (!fs.existsSync(path.join(unpacked, entry)))
        throw new Error(`native-deps: ${src.url} lacks ${entry}`);
    fs.writeFileSync(path.join(unpacked, ".complete"), src.sha256 + "\n");
    try {
      fs.renameSync(unpacked, dir);
    } catch (err) {
      if (!fs.existsSync(path.join(dir, ".complete"))) throw err; // else another build won the race
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.stderr.write(`native-deps: fetched ${name} from ${src.url}\n`);
  return dir;
}

async function main() {
  const [command, name] = process.argv.slice(2);
  if (command === "dir" && name && name in packages) {
    process.stdout.write(path.relative(process.cwd(), packageDir(name)) + "\n");
  } else if (command === "dir" && name && name in debian) {
    process.stdout.write(path.relative(process.cwd(), await debianDir(name)) + "\n");
  } else if (command === "vendor") {
    fs.rmSync(path.join(root, "deps"), { recursive: true, force: true });
    const copy = (from, entries, to) => {
      for (const entry of entries) {
        const src = path.join(from, entry);
        if (!fs.existsSync(src)) {
          if (path.basename(entry) === "LICENSE") continue; // not every package has one at its root
          throw new Error(`native-deps: ${from} lacks ${entry}`);
        }
        fs.cpSync(src, path.join(root, "deps", to, entry), { recursive: true });
      }
    };
    for (const [pkg, entries] of Object.entries(packages))
      copy(path.dirname(require.resolve(`${pkg}/package.json`, { paths: [root] })), entries, pkg);
    for (const [src, { entries }] of Object.entries(debian)) copy(await debianDir(src), entries, src);
    console.error("native-deps: copied the C sources of " + names.join(", ") + " into deps/");
  } else if (command === "clean") {
    fs.rmSync(path.join(root, "deps"), { recursive: true, force: true });
  } else {
    console.error(`usage: node scripts/native-deps.js dir ${names.join("|")} | vendor | clean`);
    process.exit(2);
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
