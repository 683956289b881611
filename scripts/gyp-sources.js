// Prints the C/C++ sources of one native library for binding.gyp, so that adding a file to a
// folder under native/ needs no edit of the build file. Usage: node scripts/gyp-sources.js DIR...
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const out = [];
for (const dir of process.argv.slice(2)) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) continue;
  for (const name of fs.readdirSync(abs).sort()) {
    if (/\.(cpp|cc|c)$/.test(name)) out.push(path.posix.join(dir, name));
  }
}
process.stdout.write(out.join("\n") + "\n");
