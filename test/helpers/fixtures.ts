/**
 * Locating the public test data in ../shared/data (never copied into the repo). Tests that need
 * it fail with a clear message when it is missing, unless PEVM_SKIP_SHARED_DATA=1 is set: then
 * they are skipped with a visible notice.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const repoRoot = path.resolve(__dirname, "..", "..");

/** ../shared/data relative to the repository root (or PEVM_SHARED_DATA). */
export const sharedDataDir: string =
  process.env["PEVM_SHARED_DATA"] ?? path.resolve(repoRoot, "..", "shared", "data");

/** True when the shared data is present. */
export function haveSharedData(): boolean {
  return fs.existsSync(path.join(sharedDataDir, "ethtests", "eest-state-tests.tar.xz"));
}

/** True when tests needing the shared data should be skipped (data missing and the switch set). */
export function skipSharedData(what: string): boolean {
  if (haveSharedData()) return false;
  if (process.env["PEVM_SKIP_SHARED_DATA"] === "1") {
    console.warn(`SKIPPED: ${what}: ${sharedDataDir} is missing and PEVM_SKIP_SHARED_DATA=1 is set`);
    return true;
  }
  return false;
}

/** Throws the clear error used when the data is needed but missing. */
export function requireSharedData(): void {
  if (!haveSharedData())
    throw new Error(
      `the public test data is missing: expected ${sharedDataDir}/ethtests/eest-state-tests.tar.xz ` +
        "(set PEVM_SHARED_DATA to its location, or PEVM_SKIP_SHARED_DATA=1 to skip these tests)",
    );
}

/**
 * The unpacked state tests (DEST/state_tests). DEST is PEVM_FIXTURES or .cache/fixtures in the
 * repository (where CI unpacks them; git-ignored); unpack.sh is idempotent (a stamp file), so
 * this is cheap after the first call.
 */
export function stateTestsDir(): string {
  requireSharedData();
  const dest = process.env["PEVM_FIXTURES"] ?? path.join(repoRoot, ".cache", "fixtures");
  execFileSync("bash", [path.join(sharedDataDir, "unpack.sh"), dest], { stdio: "ignore" });
  return path.join(dest, "state_tests");
}
