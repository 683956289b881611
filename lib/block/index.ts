/** Whole blocks: decoding, sequential execution, receipts and verification. */
export { executeBlock, BlockTransactionError, BlockRuleError } from "./execute";
export {
  CodeTable,
  decodeBlockHashes,
  decodePreState,
  decodeRpcBlock,
  decodeRpcTransaction,
  mainnetFork,
} from "./json";
export { openMainnetFixture, loadMainnetBlock, type MainnetFixture } from "./fixture";
export { encodeReceipt, receiptsRoot, requestsHash, depositRequests } from "./receipts";
export { decodeRlpBlock, decodeHeader, decodeTransaction, signingHash } from "./rlp-block";
export { applyDiff, stateRoot, storageRoot } from "./state-root";
export { runBlockTest, type BlockTestOutcome } from "./blocktest";
export { trieRoot, orderedTrieRoot, EMPTY_TRIE_ROOT } from "./trie";
export { verifyBlock, type Verification } from "./verify";
export { firstDifference } from "./compare";
export type * from "./types";
export {
  blockThreads,
  blockSchedule,
  defaultThreads,
  AUTO_MIN_TXS,
  AUTO_MIN_GAS,
  AUTO_MIN_GAS_PER_TX,
} from "./policy";
export type { BlockSchedule } from "./policy";
export type { BlockStmMetrics, StmConflictSite } from "./stm-metrics";
export { formatConflictSite } from "./stm-metrics";
