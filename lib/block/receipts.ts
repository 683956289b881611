/**
 * Receipts as consensus encodes them, the receipts root, the logs bloom, and the EIP-7685
 * requests hash (deposit requests parsed from the deposit contract's logs, EIP-6110, plus the
 * EIP-7002/7251 system-contract outputs).
 */
import { createHash } from "node:crypto";
import { InvalidBlockError } from "../errors";
import { bigintToBytes, rlpEncode, type RlpItem } from "../rlp";
import { orderedTrieRoot } from "./trie";
import type { Log, Receipt } from "./types";

function addressBytes(a: string): Uint8Array {
  return Uint8Array.from(Buffer.from(a.slice(2), "hex"));
}

/** The consensus encoding of a receipt (Byzantium+: status; typed receipts are prefixed). */
export function encodeReceipt(r: Receipt): Uint8Array {
  const logs: RlpItem = r.logs.map((l: Log) => [addressBytes(l.address), l.topics, l.data]);
  const body = rlpEncode([
    r.status === 1 ? Uint8Array.of(1) : new Uint8Array(0),
    bigintToBytes(r.cumulativeGasUsed),
    r.logsBloom,
    logs,
  ]);
  if (r.type === 0) return body;
  const out = new Uint8Array(body.length + 1);
  out[0] = r.type;
  out.set(body, 1);
  return out;
}

/** The receipts root (meaningful from Byzantium on, where receipts carry a status). */
export function receiptsRoot(receipts: Receipt[]): Uint8Array {
  return orderedTrieRoot(receipts.map(encodeReceipt));
}

const DEPOSIT_CONTRACT = "0x00000000219ab540356cbb839cbe05303d7705fa";
const DEPOSIT_EVENT_TOPIC = "649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5";

/** EIP-6110 deposit requests from the receipts' logs; a malformed event invalidates the block. */
export function depositRequests(receipts: Receipt[], depositContract = DEPOSIT_CONTRACT): Uint8Array {
  const parts: Buffer[] = [];
  for (const r of receipts) {
    for (const log of r.logs) {
      if (log.address !== depositContract) continue;
      const t0 = log.topics[0];
      if (t0 === undefined || Buffer.from(t0).toString("hex") !== DEPOSIT_EVENT_TOPIC) continue;
      const d = Buffer.from(log.data.buffer, log.data.byteOffset, log.data.byteLength);
      // Five dynamic `bytes` fields: pubkey 48, withdrawal credentials 32, amount 8,
      // signature 96, index 8, at the fixed offsets and sizes of the deposit contract's ABI.
      const layout: [number, number][] = [
        [160, 48],
        [256, 32],
        [320, 8],
        [384, 96],
        [512, 8],
      ];
      if (d.length !== 576)
        throw new InvalidBlockError("INVALID_DEPOSIT_EVENT_LAYOUT: deposit event data is not 576 bytes");
      for (let i = 0; i < 5; i++) {
        const [offset, size] = layout[i]!;
        const at = (p: number): bigint => BigInt("0x" + d.toString("hex", p, p + 32));
        if (at(32 * i) !== BigInt(offset) || at(offset) !== BigInt(size))
          throw new InvalidBlockError(
            "INVALID_DEPOSIT_EVENT_LAYOUT: deposit event fields are not at the expected offsets",
          );
        parts.push(d.subarray(offset + 32, offset + 32 + size));
      }
    }
  }
  return new Uint8Array(Buffer.concat(parts));
}

function sha256(...chunks: Uint8Array[]): Buffer {
  const h = createHash("sha256");
  for (const c of chunks) h.update(c);
  return h.digest();
}

/** EIP-7685: sha256 over sha256(type ++ data) of every non-empty request list. */
export function requestsHash(lists: Uint8Array[]): Uint8Array {
  const outer = createHash("sha256");
  lists.forEach((data, type) => {
    if (data.length !== 0) outer.update(sha256(Uint8Array.of(type), data));
  });
  return new Uint8Array(outer.digest());
}
