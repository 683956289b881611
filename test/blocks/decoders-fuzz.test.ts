/**
 * The TypeScript decoders against damaged input, with seeded random changes (a failure prints
 * the seed; replay it with PEVM_SEED):
 * - the pre-state scanner (encodePreStateBytes) on damaged pre_state.json text: whatever it
 *   accepts, JSON.parse and encodePreStateJson must accept and encode identically; whatever it
 *   gives up on is parsed; every failure is one of our typed errors;
 * - the JSON-RPC block decoder on blocks with fields replaced, removed or of the wrong type,
 *   and the RLP block decoder on damaged bytes: typed errors only, and a block that decodes
 *   runs (sequentially and on Block-STM) to a result or a typed error.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import { CodeTable, decodePreStateBytes, decodeRpcBlock } from "../../lib/block/json";
import { encodePreStateBytes, encodePreStateJson, type PreSections } from "../../lib/block/prestate-wire";
import { decodeRlpBlock } from "../../lib/block/rlp-block";
import type { Block } from "../../lib/block/types";
import { ParallelEvmError } from "../../lib/errors";
import { bigintToBytes, rlpEncode, type RlpItem } from "../../lib/rlp";
import { Random } from "../helpers/random";
import { RPC_BLOCK, RPC_TX } from "./helpers";
import { addressOf, privateKey, signDigest } from "../helpers/sign";

const A = "0x1000000000000000000000000000000000000001";
const B = "0x2000000000000000000000000000000000000002";
const C = "0x3000000000000000000000000000000000000003";
const MINER = "0x4000000000000000000000000000000000000004";
const CODE_HASH = "0x" + "ab".repeat(32);
const codes = new CodeTable({ [CODE_HASH]: "0x6001600055" });
const lookup = (h: string): Uint8Array | undefined => codes.find(h);

/** Calls `f`; an error that is not one of ours fails the test, with the input that caused it. */
function typed<T>(f: () => T, input: string, seed: bigint): { value?: T; error?: ParallelEvmError } {
  try {
    return { value: f() };
  } catch (e) {
    if (e instanceof ParallelEvmError) return { error: e };
    throw new Error(`seed ${seed}: untyped ${String(e)} for input ${JSON.stringify(input).slice(0, 400)}`);
  }
}

function same(a: PreSections, b: PreSections): boolean {
  return (
    Buffer.from(a.accounts).equals(Buffer.from(b.accounts)) &&
    a.count === b.count &&
    JSON.stringify(a.codes) === JSON.stringify(b.codes) &&
    a.hashes.length === b.hashes.length &&
    a.hashes.every((h, i) => Buffer.from(h).equals(Buffer.from(b.hashes[i]!)))
  );
}

const PRE_TEXTS = [
  `{"${A}":{"balance":"0x10","nonce":3,"code_hash":"${CODE_HASH}","storage":{"0x1":"0xff","0x0":"0x0"}},"${B}":{"balance":"0xde0b6b3a7640000","nonce":"0x2"},"${C}":{}}`,
  JSON.stringify(
    {
      [A]: { balance: "0x0", nonce: 0, storage: { "0x2": "0x1", "0x1f": "0xffffffffffffffff" } },
      [C]: { codeHash: CODE_HASH, balance: "0x1" },
    },
    null,
    2,
  ),
];
// Characters that matter to a JSON scanner, besides random bytes.
const ALPHABET = ' \t\r\n"{}[]:,\\0123456789abcdefABCDEFxXg-+.eEnulltrufs';

function damage(text: string, rng: Random): string {
  let s = text;
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const at = rng.int(s.length + 1);
    const ch = rng.int(4) === 0 ? String.fromCharCode(rng.int(256)) : ALPHABET[rng.int(ALPHABET.length)]!;
    const op = rng.int(3);
    if (op === 0)
      s = s.slice(0, at) + ch + s.slice(at); // insert
    else if (op === 1)
      s = s.slice(0, at) + s.slice(at + 1); // delete
    else s = s.slice(0, at) + ch + s.slice(at + 1); // replace
  }
  return s;
}

describe("damaged pre-state JSON", () => {
  it("the scanner accepts only what JSON.parse accepts, and encodes it the same", () => {
    const rng = new Random();
    let accepted = 0;
    for (let round = 0; round < 6000; round++) {
      const text = damage(PRE_TEXTS[round % PRE_TEXTS.length]!, rng);
      const scanned = typed(() => encodePreStateBytes(Buffer.from(text), lookup), text, rng.seed);
      if (scanned.value !== undefined) {
        accepted++;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          expect.fail(`seed ${rng.seed}: the scanner accepted invalid JSON ${JSON.stringify(text)}`);
        }
        const viaParse = typed(
          () => encodePreStateJson(parsed as Record<string, unknown>, lookup),
          text,
          rng.seed,
        );
        if (viaParse.value === undefined || !same(scanned.value, viaParse.value))
          expect.fail(`seed ${rng.seed}: the scanner and JSON.parse differ on ${JSON.stringify(text)}`);
      }
      typed(() => decodePreStateBytes(Buffer.from(text), codes, "pre_state.json"), text, rng.seed);
    }
    expect(accepted).toBeGreaterThan(0); // some damage leaves valid JSON of the plain shape
  });
});

const TX = { ...RPC_TX, accessList: [{ address: C, storageKeys: ["0x" + "00".repeat(31) + "01"] }] };
const LEGACY = {
  type: "0x0",
  from: A,
  to: C,
  nonce: "0x1",
  value: "0x0",
  gas: "0x186a0",
  gasPrice: "0x3b9aca00",
  input: "0x01",
  v: "0x25",
  r: "0x" + "11".repeat(32),
  s: "0x" + "22".repeat(32),
};
const BLOCK = {
  ...RPC_BLOCK,
  withdrawals: [{ index: "0x0", validatorIndex: "0x1", address: B, amount: "0x2" }],
  transactions: [TX, LEGACY],
};
const KEY = privateKey(7);
const SIGNER = addressOf(KEY);
const PRE = decodePreStateBytes(
  Buffer.from(
    `{"${A}":{"balance":"0xde0b6b3a7640000"},"${C}":{"code_hash":"${CODE_HASH}"},"${SIGNER}":{"balance":"0xde0b6b3a7640000"}}`,
  ),
  codes,
  "pre",
);
const ODD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  2 ** 64,
  "",
  "0x",
  "0xzz",
  "0x0g",
  "0x" + "f".repeat(70),
  "0x" + "1".repeat(41),
  "-0x1",
  "1",
  [],
  [null],
  {},
  { a: 1 },
  true,
  A,
  "0x" + "00".repeat(32),
];

/** Runs a decoded block on both executors; anything but a result or a typed error fails. */
async function runBoth(block: Block, input: string, seed: bigint): Promise<void> {
  for (const policy of ["sequential", "parallel"] as const) {
    try {
      await executeBlock(block, { pre: PRE, blockHashes: new Map(), chainId: 1n }, { policy, threads: 2 });
    } catch (e) {
      if (!(e instanceof ParallelEvmError))
        throw new Error(`seed ${seed}: ${policy}: untyped ${String(e)} for ${input.slice(0, 400)}`);
    }
  }
}

/** Every path to a leaf or container of `v`. */
function paths(
  v: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  if (prefix.length > 0) out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) paths(x, [...prefix, k], out);
  return out;
}

function mutate(root: unknown, path: (string | number)[], value: unknown, remove: boolean): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) {
    if (Array.isArray(at)) at.splice(Number(last), 1);
    else delete at[last];
  } else at[last] = structuredClone(value);
  return copy;
}

describe("damaged JSON-RPC blocks", () => {
  it("decode to a block or a typed error, and a block runs to a result or a typed error", async () => {
    const rng = new Random();
    const all = paths(BLOCK);
    let decoded = 0;
    let failed = 0;
    for (let round = 0; round < 1500; round++) {
      let v: unknown = BLOCK;
      for (let n = 1 + rng.int(2); n > 0; n--) {
        const p = all[rng.int(all.length)]!;
        try {
          v = mutate(v, p, ODD_VALUES[rng.int(ODD_VALUES.length)], rng.int(5) === 0);
        } catch {
          // the path is gone after an earlier change in this round
        }
      }
      const input = JSON.stringify(v);
      const r = typed(() => decodeRpcBlock(v, "Shanghai"), input, rng.seed);
      if (r.value === undefined) {
        failed++;
        continue;
      }
      decoded++;
      await runBoth(r.value, input, rng.seed);
    }
    expect(decoded).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
  });
});

const n = (v: bigint): Uint8Array => bigintToBytes(v);
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.slice(2), "hex"));

/** A signed EIP-1559 transaction as its typed envelope. */
function signed(nonce: bigint, to: string, value: bigint, data: Uint8Array): Uint8Array {
  const fields: RlpItem[] = [n(1n), n(nonce), n(1n), n(10n ** 10n), n(100_000n), hex(to), n(value), data, []];
  const unsigned = rlpEncode(fields);
  const msg = keccak_256(Uint8Array.from([2, ...unsigned]));
  const { yParity, r, s } = signDigest(KEY, msg);
  return Uint8Array.from([2, ...rlpEncode([...fields, n(yParity), n(r), n(s)])]);
}

function rlpBlock(): Uint8Array {
  const header: RlpItem[] = [
    new Uint8Array(32),
    new Uint8Array(32),
    hex(MINER),
    new Uint8Array(32),
    new Uint8Array(32),
    new Uint8Array(32),
    new Uint8Array(256),
    n(0n),
    n(1n),
    n(30_000_000n),
    n(0n),
    n(1_700_000_000n),
    new Uint8Array(0),
    new Uint8Array(32),
    new Uint8Array(8),
    n(7n),
    new Uint8Array(32),
  ];
  const txs = [signed(0n, B, 5n, new Uint8Array(0)), signed(1n, C, 0n, Uint8Array.of(1, 2))];
  const withdrawals: RlpItem[] = [[n(0n), n(1n), hex(B), n(2n)]];
  return rlpEncode([header, txs, [], withdrawals]);
}

describe("damaged RLP blocks", () => {
  it("decode to a block or a typed error, and a block runs to a result or a typed error", async () => {
    const good = rlpBlock();
    const forkOf = (): "Shanghai" => "Shanghai";
    const undamaged = decodeRlpBlock(good, forkOf, 1n).block;
    expect(undamaged.transactions).toHaveLength(2);
    const ok = await executeBlock(undamaged, { pre: PRE, blockHashes: new Map(), chainId: 1n });
    expect(ok.receipts.map((r) => r.status)).toEqual([1, 1]);

    const rng = new Random();
    let decoded = 0;
    for (let round = 0; round < 3000; round++) {
      let bad: Uint8Array;
      if (round < good.length) {
        bad = good.slice(0, round); // every truncation
      } else {
        bad = good.slice();
        for (let c = 1 + rng.int(3); c > 0; c--)
          bad[rng.int(bad.length)] =
            rng.int(2) === 0
              ? [0x00, 0x7f, 0x80, 0xb7, 0xb8, 0xc0, 0xf7, 0xf8, 0xff][rng.int(9)]!
              : rng.int(256);
      }
      const input = Buffer.from(bad).toString("hex");
      const r = typed(() => decodeRlpBlock(bad, forkOf, 1n), input, rng.seed);
      if (r.value === undefined) continue;
      decoded++;
      await runBoth(r.value.block, input, rng.seed);
    }
    expect(decoded).toBeGreaterThan(0);
  });
});
