/**
 * RLP blocks, as the blockchain tests carry them: the header (every field up to Prague's
 * requestsHash), the transactions of types 0 to 4 with their signing hashes (the native side
 * recovers the senders, in parallel), the ommer headers and the withdrawals. Malformed RLP, a
 * non-canonical integer, a wrong field count or length, an unknown transaction type or an
 * invalid signature shape throws DecodeError or InvalidTransactionError.
 */
import { DecodeError, InvalidTransactionError } from "../errors";
import type { Fork } from "../fork";
import { forkRevision } from "../fork";
import { keccak256 } from "../keccak";
import { bigintToBytes, bytesToBigint, rlpDecode, rlpEncode, type RlpItem } from "../rlp";
import type {
  AccessListEntry,
  Authorization,
  Block,
  BlockHeader,
  BlockTransaction,
  Ommer,
  TxSignature,
  Withdrawal,
} from "./types";

const SECP_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const SECP_HALF_N = SECP_N >> 1n;
const U64 = 1n << 64n;

function bytesOf(item: RlpItem | undefined, what: string, length?: number): Uint8Array {
  if (!(item instanceof Uint8Array)) throw new DecodeError(`${what} must be a byte string`);
  if (length !== undefined && item.length !== length)
    throw new DecodeError(`${what} must be ${length} bytes, got ${item.length}`);
  return item;
}

function listOf(item: RlpItem | undefined, what: string): RlpItem[] {
  if (!Array.isArray(item)) throw new DecodeError(`${what} must be a list`);
  return item;
}

/** A canonical RLP integer (no leading zero byte), below 2^(8*maxBytes). */
function int(item: RlpItem | undefined, what: string, maxBytes = 32): bigint {
  const b = bytesOf(item, what);
  if (b.length > 0 && b[0] === 0) throw new DecodeError(`${what} has a leading zero byte`);
  if (b.length > maxBytes) throw new DecodeError(`${what} is longer than ${maxBytes} bytes`);
  return bytesToBigint(b);
}

function addressHex(b: Uint8Array): string {
  return "0x" + Buffer.from(b).toString("hex");
}

function toField(item: RlpItem | undefined, what: string): string | null {
  const b = bytesOf(item, what);
  if (b.length === 0) return null;
  if (b.length !== 20) throw new DecodeError(`${what} must be empty or 20 bytes, got ${b.length}`);
  return addressHex(b);
}

export function decodeHeader(item: RlpItem, what = "header"): BlockHeader {
  const f = listOf(item, what);
  if (f.length < 15 || f.length > 21) throw new DecodeError(`${what} has ${f.length} fields`);
  const h: BlockHeader = {
    parentHash: bytesOf(f[0], `${what}.parentHash`, 32),
    ommersHash: bytesOf(f[1], `${what}.ommersHash`, 32),
    coinbase: addressHex(bytesOf(f[2], `${what}.coinbase`, 20)),
    stateRoot: bytesOf(f[3], `${what}.stateRoot`, 32),
    transactionsRoot: bytesOf(f[4], `${what}.transactionsRoot`, 32),
    receiptsRoot: bytesOf(f[5], `${what}.receiptsRoot`, 32),
    logsBloom: bytesOf(f[6], `${what}.logsBloom`, 256),
    difficulty: int(f[7], `${what}.difficulty`),
    number: int(f[8], `${what}.number`, 8),
    gasLimit: int(f[9], `${what}.gasLimit`, 8),
    gasUsed: int(f[10], `${what}.gasUsed`, 8),
    timestamp: int(f[11], `${what}.timestamp`, 8),
    extraData: bytesOf(f[12], `${what}.extraData`),
    mixHash: bytesOf(f[13], `${what}.mixHash`, 32),
    nonce: bytesOf(f[14], `${what}.nonce`, 8),
  };
  if (f.length > 15) h.baseFeePerGas = int(f[15], `${what}.baseFeePerGas`);
  if (f.length > 16) h.withdrawalsRoot = bytesOf(f[16], `${what}.withdrawalsRoot`, 32);
  if (f.length > 17) h.blobGasUsed = int(f[17], `${what}.blobGasUsed`, 8);
  if (f.length > 18) h.excessBlobGas = int(f[18], `${what}.excessBlobGas`, 8);
  if (f.length > 19) h.parentBeaconBlockRoot = bytesOf(f[19], `${what}.parentBeaconBlockRoot`, 32);
  if (f.length > 20) h.requestsHash = bytesOf(f[20], `${what}.requestsHash`, 32);
  h.hash = keccak256(rlpEncode(item));
  return h;
}

function accessList(item: RlpItem | undefined, what: string): AccessListEntry[] {
  return listOf(item, what).map((e, i) => {
    const pair = listOf(e, `${what}[${i}]`);
    if (pair.length !== 2) throw new DecodeError(`${what}[${i}] must have 2 fields`);
    return {
      address: addressHex(bytesOf(pair[0], `${what}[${i}].address`, 20)),
      storageKeys: listOf(pair[1], `${what}[${i}].storageKeys`).map((k, j) =>
        bytesToBigint(bytesOf(k, `${what}[${i}].storageKeys[${j}]`, 32)),
      ),
    };
  });
}

function authorizationList(item: RlpItem | undefined, what: string): Authorization[] {
  return listOf(item, what).map((e, i) => {
    const a = listOf(e, `${what}[${i}]`);
    if (a.length !== 6) throw new DecodeError(`${what}[${i}] must have 6 fields`);
    const w = `${what}[${i}]`;
    return {
      chainId: int(a[0], `${w}.chainId`),
      address: addressHex(bytesOf(a[1], `${w}.address`, 20)),
      nonce: int(a[2], `${w}.nonce`),
      yParity: int(a[3], `${w}.yParity`),
      r: int(a[4], `${w}.r`),
      s: int(a[5], `${w}.s`),
    };
  });
}

function signature(
  what: string,
  preimage: Uint8Array,
  yParity: bigint,
  r: bigint,
  s: bigint,
  homestead: boolean,
): TxSignature {
  if (yParity > 1n)
    throw new InvalidTransactionError(`${what}: y parity ${yParity} is not 0 or 1`, {
      details: "INVALID_SIGNATURE",
    });
  if (r === 0n || r >= SECP_N || s === 0n || s >= SECP_N || (homestead && s > SECP_HALF_N))
    throw new InvalidTransactionError(`${what}: signature r or s out of range`, {
      details: "INVALID_SIGNATURE",
    });
  return { signingHash: keccak256(preimage), r, s, yParity: Number(yParity) };
}

function typed(type: number, payload: RlpItem[]): Uint8Array {
  const body = rlpEncode(payload);
  const out = new Uint8Array(body.length + 1);
  out[0] = type;
  out.set(body, 1);
  return out;
}

/** One transaction: a list (legacy) or a typed envelope (a byte string starting with 1..4). */
export function decodeTransaction(
  item: RlpItem,
  what: string,
  fork: Fork,
  chainId: bigint,
): BlockTransaction {
  const homestead = forkRevision(fork) >= forkRevision("Homestead");
  if (Array.isArray(item)) {
    if (item.length !== 9)
      throw new DecodeError(`${what}: a legacy transaction has 9 fields, got ${item.length}`);
    const v = int(item[6], `${what}.v`);
    let preimage: Uint8Array;
    let yParity: bigint;
    let txChainId: bigint | undefined;
    if (v === 27n || v === 28n) {
      preimage = rlpEncode(item.slice(0, 6));
      yParity = v - 27n;
    } else if (v >= 35n) {
      txChainId = (v - 35n) / 2n;
      yParity = (v - 35n) % 2n;
      if (txChainId !== chainId)
        throw new InvalidTransactionError(`${what}: chain id ${txChainId}, expected ${chainId}`, {
          details: "INVALID_CHAINID",
        });
      preimage = rlpEncode([
        ...item.slice(0, 6),
        bigintToBytes(chainId),
        new Uint8Array(0),
        new Uint8Array(0),
      ]);
    } else {
      throw new InvalidTransactionError(`${what}: invalid v ${v}`, { details: "INVALID_SIGNATURE" });
    }
    const tx: BlockTransaction = {
      type: 0,
      nonce: int(item[0], `${what}.nonce`, 8),
      gasPrice: int(item[1], `${what}.gasPrice`),
      gasLimit: int(item[2], `${what}.gasLimit`, 8),
      to: toField(item[3], `${what}.to`),
      value: int(item[4], `${what}.value`),
      data: bytesOf(item[5], `${what}.data`),
    };
    tx.signature = signature(
      what,
      preimage,
      yParity,
      int(item[7], `${what}.r`),
      int(item[8], `${what}.s`),
      homestead,
    );
    if (txChainId !== undefined) tx.chainId = txChainId;
    return tx;
  }
  const env = bytesOf(item, what);
  if (env.length === 0) throw new DecodeError(`${what}: empty transaction`);
  const type = env[0]!;
  if (type < 1 || type > 4) throw new DecodeError(`${what}: unknown transaction type ${type}`);
  const f = listOf(rlpDecode(env.subarray(1)), what);
  const counts = [0, 11, 12, 14, 13];
  if (f.length !== counts[type])
    throw new DecodeError(`${what}: a type-${type} transaction has ${counts[type]} fields, got ${f.length}`);
  const txChainId = int(f[0], `${what}.chainId`);
  if (txChainId !== chainId)
    throw new InvalidTransactionError(`${what}: chain id ${txChainId}, expected ${chainId}`, {
      details: "INVALID_CHAINID",
    });
  const tx: BlockTransaction = {
    type: type as BlockTransaction["type"],
    chainId: txChainId,
    nonce: int(f[1], `${what}.nonce`, 8),
    to: null,
    value: 0n,
    gasLimit: 0n,
    data: new Uint8Array(0),
  };
  let i: number;
  if (type === 1) {
    tx.gasPrice = int(f[2], `${what}.gasPrice`);
    i = 3;
  } else {
    tx.maxPriorityFeePerGas = int(f[2], `${what}.maxPriorityFeePerGas`);
    tx.maxFeePerGas = int(f[3], `${what}.maxFeePerGas`);
    i = 4;
  }
  tx.gasLimit = int(f[i], `${what}.gasLimit`, 8);
  tx.to = toField(f[i + 1], `${what}.to`);
  tx.value = int(f[i + 2], `${what}.value`);
  tx.data = bytesOf(f[i + 3], `${what}.data`);
  tx.accessList = accessList(f[i + 4], `${what}.accessList`);
  i += 5;
  if (type === 3) {
    if (tx.to === null)
      throw new InvalidTransactionError(`${what}: a blob transaction cannot create`, {
        details: "BLOB_TX_CREATE",
      });
    tx.maxFeePerBlobGas = int(f[i], `${what}.maxFeePerBlobGas`);
    tx.blobVersionedHashes = listOf(f[i + 1], `${what}.blobVersionedHashes`).map((h, j) =>
      bytesOf(h, `${what}.blobVersionedHashes[${j}]`, 32),
    );
    i += 2;
  } else if (type === 4) {
    if (tx.to === null)
      throw new InvalidTransactionError(`${what}: a set-code transaction cannot create`, {
        details: "SET_CODE_TX_CREATE",
      });
    tx.authorizationList = authorizationList(f[i], `${what}.authorizationList`);
    i += 1;
  }
  tx.signature = signature(
    what,
    typed(type, f.slice(0, i)),
    int(f[i], `${what}.yParity`),
    int(f[i + 1], `${what}.r`),
    int(f[i + 2], `${what}.s`),
    true,
  );
  if (tx.gasLimit >= U64) throw new DecodeError(`${what}.gasLimit too large`);
  return tx;
}

function word32(v: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(64, "0"), "hex"));
}

function addrBytes(a: string): Uint8Array {
  return Uint8Array.from(Buffer.from(a.slice(2), "hex"));
}

/**
 * The signing hash of a decoded transaction (what its sender signed), for sources that give the
 * signature but not the sender. `v` is the legacy v (27/28, or EIP-155 35 + 2 chainId + parity).
 */
export function signingHash(tx: BlockTransaction, chainId: bigint, v?: bigint): Uint8Array {
  const b = bigintToBytes;
  const to = tx.to === null ? new Uint8Array(0) : addrBytes(tx.to);
  const al: RlpItem = (tx.accessList ?? []).map((e) => [addrBytes(e.address), e.storageKeys.map(word32)]);
  if (tx.type === 0) {
    const fields: RlpItem[] = [b(tx.nonce), b(tx.gasPrice ?? 0n), b(tx.gasLimit), to, b(tx.value), tx.data];
    if (v !== undefined && v >= 35n) fields.push(b(chainId), new Uint8Array(0), new Uint8Array(0));
    return keccak256(rlpEncode(fields));
  }
  const fees: RlpItem[] =
    tx.type === 1 ? [b(tx.gasPrice ?? 0n)] : [b(tx.maxPriorityFeePerGas ?? 0n), b(tx.maxFeePerGas ?? 0n)];
  const fields: RlpItem[] = [b(chainId), b(tx.nonce), ...fees, b(tx.gasLimit), to, b(tx.value), tx.data, al];
  if (tx.type === 3) fields.push(b(tx.maxFeePerBlobGas ?? 0n), tx.blobVersionedHashes ?? []);
  if (tx.type === 4)
    fields.push(
      (tx.authorizationList ?? []).map((a) => [
        b(a.chainId),
        addrBytes(a.address),
        b(a.nonce),
        b(a.yParity),
        b(a.r),
        b(a.s),
      ]),
    );
  return keccak256(typed(tx.type, fields));
}

/** The encoding of each transaction as the transactions trie stores it. */
export function transactionTrieValue(item: RlpItem): Uint8Array {
  return item instanceof Uint8Array ? item : rlpEncode(item);
}

export interface DecodedRlpBlock {
  block: Block;
  /** Trie values of the transactions and withdrawals, for their roots. */
  txValues: Uint8Array[];
  withdrawalValues: Uint8Array[] | undefined;
  ommerCount: number;
}

/** A whole RLP block: [header, transactions, ommers, withdrawals?]. */
export function decodeRlpBlock(
  data: Uint8Array,
  forkOf: (h: BlockHeader) => Fork,
  chainId: bigint,
): DecodedRlpBlock {
  const top = listOf(rlpDecode(data), "block");
  if (top.length < 3 || top.length > 4) throw new DecodeError(`block has ${top.length} parts`);
  const header = decodeHeader(top[0]!);
  const fork = forkOf(header);
  const txItems = listOf(top[1], "block.transactions");
  const transactions = txItems.map((t, i) => decodeTransaction(t, `transaction ${i}`, fork, chainId));
  const ommers: Ommer[] = listOf(top[2], "block.ommers").map((o, i) => {
    const oh = decodeHeader(o, `ommer ${i}`);
    return { coinbase: oh.coinbase, number: oh.number };
  });
  const block: Block = { fork, header, transactions, ommers, unknownOmmers: 0 };
  let withdrawalValues: Uint8Array[] | undefined;
  if (top.length === 4) {
    const ws = listOf(top[3], "block.withdrawals");
    withdrawalValues = ws.map((w) => rlpEncode(w));
    block.withdrawals = ws.map((w, i): Withdrawal => {
      const f = listOf(w, `withdrawal ${i}`);
      if (f.length !== 4) throw new DecodeError(`withdrawal ${i} has ${f.length} fields`);
      return {
        index: int(f[0], `withdrawal ${i}.index`, 8),
        validatorIndex: int(f[1], `withdrawal ${i}.validatorIndex`, 8),
        address: addressHex(bytesOf(f[2], `withdrawal ${i}.address`, 20)),
        amount: int(f[3], `withdrawal ${i}.amount`, 8),
      };
    });
  }
  return { block, txValues: txItems.map(transactionTrieValue), withdrawalValues, ommerCount: ommers.length };
}
