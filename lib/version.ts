import * as fs from "node:fs";
import * as path from "node:path";
import { packageRoot } from "./binding";

/** The package version, from package.json. */
export const version: string = (
  JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string }
).version;
