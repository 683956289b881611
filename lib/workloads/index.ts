/** Synthetic blocks for Block-STM tests and benchmarks, and the built-in block of `run`. */
export {
  buildWorkload,
  builtinBlock,
  randomWorkload,
  workloadNames,
  workloadDescriptions,
  DEFAULT_TXS,
  DEFAULT_SEED,
  BUILTIN_GAS,
  type WorkloadName,
  type WorkloadOptions,
  type RandomWorkloadOptions,
} from "./generators";
export {
  WorkloadBuilder,
  EXECUTION_GAS,
  TX_GAS_LIMIT,
  intrinsicGas,
  amountOut,
  type Workload,
  type PoolInfo,
} from "./builder";
export {
  workloadContracts,
  writeContractArtifacts,
  SOLC_VERSION,
  type Contracts,
  type CompiledContract,
} from "./contracts";
export { Rng } from "./random";
