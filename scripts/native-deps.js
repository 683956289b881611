// The C libraries we compile into the addon come from npm packages (their sources only):
// libsecp256k1 from `secp256k1`, blst and c-kzg-4844 from `c-kzg`. In a checkout they are read
// from node_modules (devDependencies); `npm pack` copies the files we compile into deps/<package>
// (same layout as the package), so an installed package can build from source without installing
// those packages or running their own install scripts.
//   node scripts/native-deps.js dir NAME   prints the source folder of NAME, relative to the cwd
//   node scripts/native-deps.js vendor     copies the sources into deps/ (prepack)
//   node scripts/native-deps.js clean      removes deps/ (postpack)
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");

// What each package contributes: the paths we compile or include, and its licence files.
const packages = {
  secp256k1: ["LICENSE", "src/secp256k1/COPYING", "src/secp256k1/src", "src/secp256k1/include"],
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

function packageDir(name) {
  const vendored = path.join(root, "deps", name);
  if (fs.existsSync(vendored)) return vendored;
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [root] }));
  } catch {
    throw new Error(
      `parallel-evm: building from source needs the C sources of the ${name} package: ` +
        `run npm install in a checkout (it is a devDependency), or use the published package (it ships them in deps/)`,
    );
  }
}

const [command, name] = process.argv.slice(2);
if (command === "dir" && name && name in packages) {
  process.stdout.write(path.relative(process.cwd(), packageDir(name)) + "\n");
} else if (command === "vendor") {
  fs.rmSync(path.join(root, "deps"), { recursive: true, force: true });
  for (const [pkg, entries] of Object.entries(packages)) {
    const from = path.dirname(require.resolve(`${pkg}/package.json`, { paths: [root] }));
    for (const entry of entries) {
      const src = path.join(from, entry);
      if (!fs.existsSync(src)) {
        if (path.basename(entry) === "LICENSE") continue; // not every package has one at its root
        throw new Error(`native-deps: ${pkg} lacks ${entry}`);
      }
      fs.cpSync(src, path.join(root, "deps", pkg, entry), { recursive: true });
    }
  }
  console.error("native-deps: copied the C sources of " + Object.keys(packages).join(", ") + " into deps/");
} else if (command === "clean") {
  fs.rmSync(path.join(root, "deps"), { recursive: true, force: true });
} else {
  console.error("usage: node scripts/native-deps.js dir secp256k1|c-kzg | vendor | clean");
  process.exit(2);
}
