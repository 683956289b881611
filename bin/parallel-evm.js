#!/usr/bin/env node
"use strict";
// The `parallel-evm` command. The CLI itself is TypeScript compiled to dist/ (npm run build:ts).
let cli;
try {
  cli = require("../dist/cjs/cli/main.js");
} catch (err) {
  if (err && err.code === "MODULE_NOT_FOUND" && String(err.message).includes("dist/cjs/cli/main.js")) {
    process.stderr.write("parallel-evm: the TypeScript build is missing; run `npm run build:ts` first\n");
    process.exit(1);
  }
  throw err;
}
cli.main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (err) => {
    process.stderr.write(`parallel-evm: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);
