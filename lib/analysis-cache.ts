/**
 * The interpreter's code-analysis cache. Each contract's code is analysed once per process and
 * fork and cached by code hash: its jump destinations found when it is first called, its code
 * translated into the interpreter's instructions part by part as execution first reaches each
 * part (fully translated, about 80 KB for a 9 KB contract; a block's first run reaches about a
 * sixth of the code it calls). The cache is bounded in bytes, counting each analysis at its fully
 * translated size (default 256 MiB; each worker thread keeps a quarter of that at most alive in
 * its own front on top), dropping analyses to make room; an embedder can lower the bound, or
 * empty the cache under memory pressure.
 */
import { native } from "./binding";
import { callNative } from "./errors";

export interface CodeAnalysisCacheStats {
  /** Analyses in the shared cache. */
  entries: number;
  /** The bytes counted against the limit: each analysis at its fully translated size. */
  bytes: number;
  /** The memory they hold now: the code translated so far (at most `bytes`). */
  translatedBytes: number;
}

/** What the shared cache holds now. */
export function codeAnalysisCacheStats(): CodeAnalysisCacheStats {
  return callNative(() => native().codeAnalysisCacheStats());
}

/**
 * The most bytes of analyses the shared cache keeps (0: only the newest per shard). Anything but a
 * whole number from 0 to 2^53 - 1 is an InvalidArgumentError (the addon checks it).
 */
export function setCodeAnalysisCacheLimit(bytes: number): void {
  callNative(() => native().setCodeAnalysisCacheLimit(bytes));
}

/** Empties the cache: the next block analyses every code it runs again. */
export function clearCodeAnalysisCache(): void {
  callNative(() => native().clearCodeAnalysisCache());
}
