/**
 * Receipts as consensus encodes them, the receipts root, the logs bloom, and the EIP-7685
 * requests hash (deposit requests parsed from the deposit contract's logs, EIP-6110, plus the
 * EIP-7002/7251 system-contract outputs).
 */
import { createHash } from "node:crypto";
import { InvalidBlockError } from "../errors";
import { bigintToBytes, rlpEncode, rlpHeaderLength, type RlpItem, writeRlpHeader } from "../rlp";
import { orderedTrieRoot } from "./trie";
import type { Log, Receipt } from "./types";
import { type RawLogs, rawLogsOf } from "./wire";

function addressBytes(a: string): Uint8Array {
  return Uint8Array.from(Buffer.from(a.slice(2), "hex"));
}

/** The consensus encoding of a receipt (Byzantium+: status; typed receipts are prefixed). */
export function encodeReceipt(r: Receipt): Uint8Array {
  const raw = rawLogsOf(r);
  if (raw !== undefined && r.logsBloom.length === 256) return encodeRawReceipt(r, raw);
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

/** encodeReceipt for a receipt whose logs are still the executor's bytes (no Log objects). */
function encodeRawReceipt(r: Receipt, raw: RawLogs): Uint8Array {
  const gas = bigintToBytes(r.cumulativeGasUsed);
  const gasByte = gas.length === 1 && gas[0]! < 0x80; // a byte below 0x80 is its own encoding
  const gasLength = gasByte ? 1 : 1 + gas.length;
  const payload = 1 + gasLength + 3 + 256 + raw.rlp(undefined, 0);
  const prefix = r.type === 0 ? 0 : 1;
  const out = new Uint8Array(prefix + rlpHeaderLength(payload) + payload);
  if (prefix) out[0] = r.type;
  let q = writeRlpHeader(out, prefix, payload, 0xc0);
  out[q++] = r.status === 1 ? 1 : 0x80;
  if (gasByte) out[q++] = gas[0]!;
  else {
    out[q++] = 0x80 + gas.length;
    out.set(gas, q);
    q += gas.length;
  }
  out[q++] = 0xb9; // a 256-byte string
  out[q++] = 1;
  out[q++] = 0;
  out.set(r.logsBloom, q);
  q += 256;
  q += raw.rlp(out, q);
  if (q !== out.length) throw new Error("receipt encoding: length mismatch (bug)");
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
  // Logs' addresses are lowercase: a contract given otherwise matches none (as with Log objects).
  const contract = /^0x[0-9a-f]{40}$/.test(depositContract) ? addressBytes(depositContract) : undefined;
  const topic = Buffer.from(DEPOSIT_EVENT_TOPIC, "hex");
  for (const r of receipts) {
    // Undecoded logs are searched in place: no Log object for the others.
    const raw = rawLogsOf(r);
    if (raw !== undefined) {
      if (contract !== undefined) for (const data of raw.dataOf(contract, topic)) depositParts(data, parts);
      continue;
    }
    for (const log of r.logs) {
      if (log.address !== depositContract) continue;
      const t0 = log.topics[0];
      if (t0 === undefined || Buffer.from(t0).toString("hex") !== DEPOSIT_EVENT_TOPIC) continue;
      depositParts(log.data, parts);
    }
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** The five fields of one deposit event's data, appended to `parts`. */
function depositParts(data: Uint8Array, parts: Buffer[]): void {
  const d = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
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
