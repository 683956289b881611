/**
 * Verification of an executed block against its header: gasUsed and logsBloom always,
 * receiptsRoot from Byzantium on (earlier receipts embed intermediate state roots), blobGasUsed
 * from Cancun on, and the EIP-7685 requestsHash from Prague on when the header has one.
 */
import { forkRevision } from "../fork";
import { depositRequests, receiptsRoot, requestsHash } from "./receipts";
import type { Block, BlockResult } from "./types";

const BYZANTIUM = forkRevision("Byzantium");
const CANCUN = forkRevision("Cancun");
const PRAGUE = forkRevision("Prague");

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

export interface Verification {
  /** The header fields that do not match, in a stable order. */
  mismatches: string[];
  /** The fields that were checked. */
  checked: string[];
  /** Computed values, for messages. */
  computed: { receiptsRoot?: Uint8Array; requestsHash?: Uint8Array };
}

/** Compares `result` with `block.header`. Throws InvalidBlockError for a malformed deposit event. */
export function verifyBlock(block: Block, result: BlockResult): Verification {
  const h = block.header;
  const rev = forkRevision(block.fork);
  const mismatches: string[] = [];
  const checked: string[] = ["gasUsed", "logsBloom"];
  const computed: Verification["computed"] = {};
  if (result.gasUsed !== h.gasUsed) mismatches.push("gasUsed");
  if (!same(result.logsBloom, h.logsBloom)) mismatches.push("logsBloom");
  if (rev >= BYZANTIUM) {
    checked.push("receiptsRoot");
    computed.receiptsRoot = receiptsRoot(result.receipts);
    if (!same(computed.receiptsRoot, h.receiptsRoot)) mismatches.push("receiptsRoot");
  }
  if (rev >= CANCUN && h.blobGasUsed !== undefined) {
    checked.push("blobGasUsed");
    if (result.blobGasUsed !== h.blobGasUsed) mismatches.push("blobGasUsed");
  }
  if (rev >= PRAGUE && result.requests && h.requestsHash !== undefined) {
    checked.push("requestsHash");
    computed.requestsHash = requestsHash([
      depositRequests(result.receipts),
      result.requests.withdrawals,
      result.requests.consolidations,
    ]);
    if (!same(computed.requestsHash, h.requestsHash)) mismatches.push("requestsHash");
  }
  return { mismatches, checked, computed };
}
