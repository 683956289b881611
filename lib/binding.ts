/**
 * Finds and loads the native addon, and declares its surface with types. Resolution:
 * `PEVM_ADDON_PATH` (an explicit .node file, for sanitizer and private builds), else
 * node-gyp-build from the package root: a local build in build/Release if one exists (a source
 * checkout), else the matching prebuild in prebuilds/<platform>-<arch>/ (an installed package).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AddonLoadError } from "./errors";

/** The functions the addon exports. Each throws an Error with a `code` on failure. */
export interface NativeBinding {
  readonly abiVersion: number;
  keccak256(data: Uint8Array): Uint8Array;
  keccak256Async(data: Uint8Array): Promise<Uint8Array>;
  /** One state transition: an encoded request in, an encoded outcome out (lib/state.ts). */
  executeTransaction(request: Uint8Array, repeat?: number): Uint8Array;
  /** One precompile through the table (tests): status is the evmc_status_code, -2 = not active. */
  runPrecompile(
    address: number,
    rev: number,
    input: Uint8Array,
    gas: number | bigint,
  ): { status: number; gasLeft: number | bigint; output: Uint8Array };
  /** The same precompile call `calls` times in a native loop; time per call in ns. */
  benchPrecompile(
    address: number,
    rev: number,
    input: Uint8Array,
    gas: number,
    calls: number,
  ): { wallNs: number; cpuNs: number };
  /** One whole block, off the event loop: an encoded request in, an encoded result out (lib/block/wire.ts). */
  executeBlock(
    request: Uint8Array,
    threads?: number,
    adaptive?: boolean,
    groupsOnly?: boolean,
  ): Promise<Uint8Array>;
  /**
   * The same request executed sequentially `copies` times at once, one copy per pool thread (the
   * machine's ceiling for the block, `bench blocks --ceiling`); each copy's execution time in ms.
   */
  executeBlockCopies(request: Uint8Array, copies: number): Promise<number[]>;
  /**
   * Empties the code-analysis cache (codes are analysed once per process and fork, then cached),
   * so that the next block runs as a first run would (`bench blocks --first-run`).
   */
  clearCodeAnalysisCache(): void;
  /** How many code analyses this process has made so far. */
  codeAnalysesMade(): number;
  /** The shared code-analysis cache's analyses and their bytes (lib/analysis-cache.ts). */
  codeAnalysisCacheStats(): { entries: number; bytes: number; translatedBytes: number };
  /** The most bytes of analyses the shared cache keeps (lib/analysis-cache.ts). */
  setCodeAnalysisCacheLimit(bytes: number): void;
}

/** The package root: the folder holding package.json, from dist/cjs or from lib/. */
export const packageRoot: string = (() => {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "binding.gyp"))) {
      return dir;
    }
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, "..", "..");
})();

let cached: { binding: NativeBinding; file: string } | undefined;

function resolveAddonFile(): string {
  const explicit = process.env["PEVM_ADDON_PATH"];
  if (explicit) return path.resolve(explicit);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gypBuild = require("node-gyp-build") as { resolve(dir: string): string };
  return gypBuild.resolve(packageRoot);
}

function load(): { binding: NativeBinding; file: string } {
  if (cached) return cached;
  let file: string;
  try {
    file = resolveAddonFile();
  } catch (err) {
    throw new AddonLoadError(
      "no native build of parallel-evm was found for this platform; build it from source with " +
        "`npm run build:native` (needs python3, make and a C++20 compiler)",
      { cause: err },
    );
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const binding = require(file) as NativeBinding;
    cached = { binding, file };
    return cached;
  } catch (err) {
    throw new AddonLoadError(`the native addon at ${file} could not be loaded`, { cause: err });
  }
}

/** The loaded addon (loaded on first use). */
export function native(): NativeBinding {
  return load().binding;
}

/** The path of the .node file that was loaded. */
export function addonPath(): string {
  return load().file;
}

/**
 * The EVMC VM shared library built from our interpreter: `parallel_evm.so` beside the addon, in
 * build/Release or in the prebuild folder. Undefined when it is missing.
 */
export function evmcVmPath(): string | undefined {
  const dir = path.dirname(addonPath());
  for (const name of ["parallel_evm.so"]) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}
