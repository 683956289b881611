/**
 * The interpreter's code-analysis cache. Each contract's code is analysed once per process and
 * fork (translated into the interpreter's instruction array, about 80 KB for a 9 KB contract)
 * and cached by code hash; a block's first run in a process spends most of its time on this
 * (bench/README.md). The cache is bounded in bytes (default 256 MiB; each worker thread keeps a
 * quarter of that at most alive in its own front on top), dropping analyses to make room;
 * an embedder can lower the bound, or empty the cache under memory pressure.
 */
import { native } from "./binding";
import { callNative } from "./errors";

export interface CodeAnalysisCacheStats {
  /** Analyses in the shared cache. */
  entries: number;
  /** The memory they hold. */
  bytes: number;
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
