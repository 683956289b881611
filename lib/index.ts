/** parallel-evm: execute Ethereum blocks in parallel, identical to sequential execution. */
export * from "./errors";
export { bytesToHex, hexToBytes } from "./bytes";
export { keccak256, keccak256Async } from "./keccak";
export { addonPath, evmcVmPath } from "./binding";
export { version } from "./version";
export * from "./block/index";
export {
  buildWorkload,
  builtinBlock,
  workloadNames,
  type Workload,
  type WorkloadName,
  type WorkloadOptions,
} from "./workloads/index";
