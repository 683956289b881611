/** parallel-evm: execute Ethereum blocks in parallel, identical to sequential execution. */
export * from "./errors";
export { bytesToHex, hexToBytes } from "./bytes";
export { keccak256, keccak256Async } from "./keccak";
export { addonPath, evmcVmPath } from "./binding";
export {
  clearCodeAnalysisCache,
  codeAnalysisCacheStats,
  setCodeAnalysisCacheLimit,
  type CodeAnalysisCacheStats,
} from "./analysis-cache";
export { version } from "./version";
export { forks, parseFork, forkRevision, type Fork } from "./fork";
export {
  executeTransaction,
  type Account,
  type BlockEnv,
  type ExecuteOptions,
  type TxRequest,
  type TxResult,
} from "./state";
export * from "./block/index";
export {
  buildWorkload,
  builtinBlock,
  workloadNames,
  type Workload,
  type WorkloadName,
  type WorkloadOptions,
} from "./workloads/index";
