/**
 * executeBlock leaves each receipt's logs in the result bytes until `logs` is read: it must then
 * behave as an ordinary property, and the receipts root and deposit requests computed from the
 * bytes must equal those computed from Log objects, for every RLP length class of the log data.
 */
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import { depositRequests, encodeReceipt, receiptsRoot } from "../../lib/block/receipts";
import type { Log, Receipt } from "../../lib/block/types";
import { account, block, context, CONTRACT, OTHER, preState, transfer } from "./helpers";

const DEPOSITS = "0x00000000219ab540356cbb839cbe05303d7705fa"; // the mainnet deposit contract
const DEPOSIT_TOPIC = new Uint8Array(
  Buffer.from("649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5", "hex"),
);

/** Runtime code: copies the calldata to memory and logs it `times` times with `topics`. */
function logger(topics: Uint8Array[], times: number): Uint8Array<ArrayBuffer> {
  const code = [0x36, 0x60, 0x00, 0x60, 0x00, 0x37]; // CALLDATACOPY(0, 0, CALLDATASIZE)
  for (let n = 0; n < times; n++) {
    for (let i = topics.length - 1; i >= 0; i--) code.push(0x7f, ...topics[i]!); // PUSH32
    code.push(0x36, 0x60, 0x00, 0xa0 + topics.length); // LOGn(0, CALLDATASIZE, topics...)
  }
  code.push(0x00);
  return Uint8Array.from(code);
}

const word = (v: number): Uint8Array => {
  const b = new Uint8Array(32);
  b[31] = v;
  b[0] = 0x80 + v;
  return b;
};

/** Deposit event data: five `bytes` fields at the deposit contract's ABI offsets. */
function depositData(bad = false): Uint8Array {
  const d = Buffer.alloc(576);
  const layout = [
    [160, 48],
    [256, 32],
    [320, 8],
    [384, 96],
    [512, 8],
  ] as const;
  layout.forEach(([offset, size], i) => {
    d.writeUInt32BE(offset, 32 * i + 28);
    d.writeUInt32BE(bad && i === 2 ? size + 1 : size, offset + 28);
    d.fill(i + 1, offset + 32, offset + 32 + size);
  });
  return new Uint8Array(d);
}

const copy = (logs: Log[]): Log[] =>
  logs.map((l) => ({ address: l.address, topics: l.topics.map((t) => t.slice()), data: l.data.slice() }));

/** The receipt as plain data, its logs decoded (copies, not views). */
function plain(r: Receipt): Receipt {
  const { logs, ...rest } = r;
  return { ...rest, logs: copy(logs) };
}

async function run(datas: Uint8Array[]) {
  const contracts: [string, Uint8Array<ArrayBuffer>][] = [];
  for (let t = 0; t <= 4; t++) {
    const topics = Array.from({ length: t }, (_, i) => word(i + t));
    contracts.push(["0x" + "3".padEnd(38, "0") + (0x10 + t).toString(16), logger(topics, 1 + (t % 2))]);
  }
  contracts.push([CONTRACT, logger([DEPOSIT_TOPIC], 1)]);
  const pre = preState(contracts.map(([a, code]) => [a, account(0n, code)]));
  const txs = [transfer(0n)];
  for (const data of datas)
    for (const [a] of contracts.slice(0, 5))
      txs.push(transfer(BigInt(txs.length), a, 0n, { data, gasLimit: 3_000_000n }));
  txs.push(transfer(BigInt(txs.length), OTHER));
  return { result: await executeBlock(block(txs), context(pre)), pre, txs };
}

const DATAS = [
  new Uint8Array(0),
  Uint8Array.of(0x05),
  Uint8Array.of(0x85),
  new Uint8Array(55).fill(7),
  new Uint8Array(56).fill(8),
  new Uint8Array(300).fill(9),
  new Uint8Array(70_000).fill(10),
];

describe("lazily decoded logs", () => {
  it("encode the receipts exactly as Log objects do", async () => {
    const { result } = await run(DATAS);
    const fromBytes = result.receipts.map((r) => Buffer.from(encodeReceipt(r)).toString("hex"));
    const root = receiptsRoot(result.receipts);
    const plainReceipts = result.receipts.map(plain);
    expect(result.receipts.map((r) => Buffer.from(encodeReceipt(r)).toString("hex"))).toEqual(fromBytes); // now Log objects
    expect(plainReceipts.map((r) => Buffer.from(encodeReceipt(r)).toString("hex"))).toEqual(fromBytes);
    expect(receiptsRoot(plainReceipts)).toEqual(root);
    const logs = result.receipts.flatMap((r) => r.logs);
    expect(logs.length).toBe(DATAS.length * (1 + 2 + 1 + 2 + 1));
    expect(new Set(logs.map((l) => l.topics.length))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(logs.map((l) => l.data.length).sort((a, b) => a - b)[logs.length - 1]).toBe(70_000);
  });

  it("read, spread, compare and assign like an ordinary property", async () => {
    const { result } = await run([Uint8Array.of(1, 2, 3)]);
    const r = result.receipts[2]!; // two logs with one topic
    const keys = ["type", "status", "gasUsed", "cumulativeGasUsed", "sender", "logsBloom", "logs"];
    expect(Object.keys(r)).toEqual(keys);
    expect(Object.keys(result.receipts[0]!)).toEqual(keys); // no logs
    const spread = { ...r };
    expect(spread.logs).toHaveLength(2);
    expect(r.logs).toBe(spread.logs); // decoded once
    expect(Object.keys(r)).toEqual(keys);
    expect(r.logs[0]!.address).toBe("0x3000000000000000000000000000000000000011");
    expect(r.logs[1]!.address).toBe(r.logs[0]!.address);
    expect(r.logs[0]!.topics).toEqual([word(1)]);
    expect(r.logs[0]!.data).toEqual(Uint8Array.of(1, 2, 3));
    expect(plain(r)).toEqual(r);

    // Assigned before any read: the receipt encodes (and reads) what was assigned.
    const { result: again } = await run([Uint8Array.of(1, 2, 3)]);
    const s = again.receipts[2]!;
    const before = Buffer.from(encodeReceipt(s));
    s.logs = [];
    expect(s.logs).toEqual([]);
    expect(Buffer.from(encodeReceipt(s))).not.toEqual(before);
    expect(Buffer.from(encodeReceipt(s))).toEqual(Buffer.from(encodeReceipt({ ...plain(r), logs: [] })));

    // Changed after a read: the receipt encodes the change.
    const { result: third } = await run([Uint8Array.of(1, 2, 3)]);
    const u = third.receipts[2]!;
    u.logs[0]!.data = Uint8Array.of(4);
    expect(Buffer.from(encodeReceipt(u))).toEqual(Buffer.from(encodeReceipt(plain(u))));
    expect(Buffer.from(encodeReceipt(u))).not.toEqual(before);

    // Frozen before a read: still readable.
    const { result: fourth } = await run([Uint8Array.of(1, 2, 3)]);
    const f = Object.freeze(fourth.receipts[2]!);
    expect(f.logs).toEqual(r.logs);
    expect(Buffer.from(encodeReceipt(f))).toEqual(before);
  });

  it("give the same deposit requests, and the same error for a malformed one", async () => {
    const deposit = async (data: Uint8Array) => {
      const pre = preState([[DEPOSITS, account(0n, logger([DEPOSIT_TOPIC], 1))]]);
      const txs = [0, 1, 2].map((n) => transfer(BigInt(n), DEPOSITS, 0n, { data, gasLimit: 1_000_000n }));
      return (await executeBlock(block(txs), context(pre))).receipts;
    };
    const good = await deposit(depositData());
    const fromBytes = depositRequests(good);
    expect(fromBytes.length).toBe(3 * (48 + 32 + 8 + 96 + 8));
    expect(depositRequests(good.map(plain))).toEqual(fromBytes);
    // Another contract, or this one spelt with capitals, matches no log.
    const again = await deposit(depositData());
    expect(depositRequests(again, CONTRACT)).toEqual(new Uint8Array(0));
    expect(depositRequests(again, "0x" + DEPOSITS.slice(2).toUpperCase())).toEqual(new Uint8Array(0));
    expect(depositRequests(again.map(plain), "0x" + DEPOSITS.slice(2).toUpperCase())).toEqual(
      new Uint8Array(0),
    );
    const bad = await deposit(depositData(true));
    expect(() => depositRequests(bad)).toThrow(/INVALID_DEPOSIT_EVENT_LAYOUT/);
    expect(() => depositRequests(bad.map(plain))).toThrow(/INVALID_DEPOSIT_EVENT_LAYOUT/);
  });

  it("report each sender in lowercase, however the request spelt it", async () => {
    const lower = "0xabcdef0000000000000000000000000000000001";
    const mixed = "0xABCDEF0000000000000000000000000000000002";
    const pre = preState([
      [lower, account(10n ** 18n)],
      [mixed.toLowerCase(), account(10n ** 18n)],
    ]);
    const txs = [
      transfer(0n, OTHER, 1n, { sender: lower }),
      transfer(0n, OTHER, 1n, { sender: mixed }),
      transfer(0n),
      transfer(1n, OTHER, 1n, { sender: mixed }),
    ];
    const r = await executeBlock(block(txs), context(pre));
    expect(r.receipts.map((x) => x.sender)).toEqual([
      lower,
      mixed.toLowerCase(),
      txs[2]!.sender,
      mixed.toLowerCase(),
    ]);
    expect(r.receipts.map((x) => x.status)).toEqual([1, 1, 1, 1]);
  });
});
