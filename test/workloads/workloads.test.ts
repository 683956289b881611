/**
 * The synthetic workloads execute sequentially as their builder predicts: every transaction
 * succeeds with the exact gas expected, token balances are conserved, pools keep their reserves
 * equal to their balances and k never decreases, the coinbase earns every priority fee, and a
 * seed names one block byte for byte. Small sizes by default; PEVM_WORKLOADS_FULL=1 also
 * executes the ~1 Ggas built-in block.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { describe, expect, it } from "vitest";
import { executeBlock } from "../../lib/block/execute";
import type { AccountDiff, BlockResult } from "../../lib/block/types";
import { encodeBlockRequest } from "../../lib/block/wire";
import {
  buildWorkload,
  builtinBlock,
  randomWorkload,
  BUILTIN_GAS,
  DEFAULT_TXS,
  EXECUTION_GAS,
  intrinsicGas,
  workloadContracts,
  workloadNames,
  writeContractArtifacts,
  type Workload,
  type WorkloadName,
} from "../../lib/workloads";
import { InvalidArgumentError } from "../../lib/errors";
import { account, block, context, ETHER, SENDER } from "../blocks/helpers";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const SMALL: Record<WorkloadName, number> = {
  "transfers-independent": 60,
  "transfers-one-recipient": 60,
  "erc20-independent": 60,
  "swaps-many-pools": 60,
  "swaps-one-pool": 60,
  "dependent-chain": 60,
  mix: 600,
};
const MASK112 = (1n << 112n) - 1n;

/** The value of `slot` of `address` after the block (the diff over the pre-state). */
function storageAfter(w: Workload, diff: Map<string, AccountDiff>, address: string, slot: bigint): bigint {
  const d = diff.get(address);
  if (d?.storage.has(slot)) return d.storage.get(slot)!;
  if (d?.storageReset) return 0n;
  return w.context.pre.get(address)?.storage.get(slot) ?? 0n;
}

function balanceAfter(w: Workload, diff: Map<string, AccountDiff>, address: string): bigint {
  return diff.get(address)?.balance ?? w.context.pre.get(address)?.balance ?? 0n;
}

/** Everything a workload promises about its sequential execution. */
function checkResult(w: Workload, r: BlockResult): void {
  const txs = w.block.transactions;
  expect(r.receipts).toHaveLength(txs.length);
  const failed = r.receipts.findIndex((x) => x.status !== 1);
  expect(failed, `transaction ${failed} failed`).toBe(-1);
  const gas = r.receipts.map((x) => x.gasUsed);
  expect(gas).toEqual(w.expectedGas);
  expect(r.gasUsed).toBe(w.expectedGasUsed);
  expect(r.gasUsed).toBe(w.block.header.gasUsed);
  expect(r.gasUsed).toBeLessThanOrEqual(w.block.header.gasLimit);

  const diff = new Map(r.diff.map((d) => [d.address, d]));
  // Token and pool storage, slot by slot, as the builder's model computed it.
  for (const [address, slots] of w.expectedStorage) {
    for (const [slot, value] of slots) expect(storageAfter(w, diff, address, slot)).toBe(value);
  }
  // Conservation: a token's balances (all its holders are in expectedStorage) sum to its supply.
  for (const token of w.tokens) {
    const supply = w.context.pre.get(token)!.storage.get(2n)!;
    let sum = 0n;
    for (const [slot] of w.expectedStorage.get(token)!) {
      if (slot !== 2n) sum += storageAfter(w, diff, token, slot);
    }
    expect(sum).toBe(supply);
    expect(storageAfter(w, diff, token, 2n)).toBe(supply);
  }
  // Pools: reserves equal the pool's token balances, and k = reserve0 * reserve1 never decreases.
  const balanceSlot = (holder: string): bigint =>
    BigInt(
      "0x" +
        Buffer.from(
          keccak_256(Buffer.from(holder.slice(2).padStart(64, "0") + "0".repeat(64), "hex")),
        ).toString("hex"),
    );
  for (const p of w.pools) {
    const before = w.context.pre.get(p.address)!.storage.get(2n)!;
    const after = storageAfter(w, diff, p.address, 2n);
    const [r0, r1] = [after & MASK112, (after >> 112n) & MASK112];
    expect((before & MASK112) * ((before >> 112n) & MASK112)).toBeLessThanOrEqual(r0 * r1);
    expect(storageAfter(w, diff, p.token0, balanceSlot(p.address))).toBe(r0);
    expect(storageAfter(w, diff, p.token1, balanceSlot(p.address))).toBe(r1);
  }
  // Ether: every account ends with pre + received - sent - gas x price (+ the coinbase's
  // priority fees, + withdrawals); the rest of each fee is burnt.
  const baseFee = w.block.header.baseFeePerGas!;
  const eth = new Map<string, bigint>();
  const add = (a: string, v: bigint): void => void eth.set(a, (eth.get(a) ?? 0n) + v);
  txs.forEach((tx, i) => {
    const price =
      tx.type === 0
        ? tx.gasPrice!
        : baseFee +
          (tx.maxPriorityFeePerGas! < tx.maxFeePerGas! - baseFee
            ? tx.maxPriorityFeePerGas!
            : tx.maxFeePerGas! - baseFee);
    add(tx.sender!, -tx.value - gas[i]! * price);
    add(tx.to!, tx.value);
    add(w.coinbase, gas[i]! * (price - baseFee));
  });
  for (const wd of w.block.withdrawals ?? []) add(wd.address, wd.amount * 10n ** 9n);
  for (const [a, delta] of eth) {
    expect(balanceAfter(w, diff, a) - (w.context.pre.get(a)?.balance ?? 0n), a).toBe(delta);
  }
  // Every sender's nonce advanced by its transaction count.
  const sent = new Map<string, bigint>();
  for (const tx of txs) sent.set(tx.sender!, (sent.get(tx.sender!) ?? 0n) + 1n);
  for (const [s, n] of sent) expect(diff.get(s)!.nonce).toBe((w.context.pre.get(s)?.nonce ?? 0n) + n);
}

describe("workloads", () => {
  for (const name of workloadNames) {
    it(`${name}: executes sequentially as predicted`, async () => {
      const w = buildWorkload(name, { txs: SMALL[name], seed: 11 });
      expect(w.block.transactions).toHaveLength(SMALL[name]);
      expect(w.block.fork).toBe("Cancun");
      checkResult(w, await executeBlock(w.block, w.context, { missingState: "empty" }));
    });
  }

  it("random blocks over 10- and 1,000-account universes execute as predicted", async () => {
    for (const universe of [10, 1000]) {
      for (let seed = 1; seed <= 5; seed++) {
        const w = randomWorkload({ seed, txs: 80, universe });
        const r = await executeBlock(w.block, w.context);
        try {
          checkResult(w, r);
        } catch (err) {
          console.error(`randomWorkload({ seed: ${seed}, txs: 80, universe: ${universe} }) failed`);
          throw err;
        }
      }
    }
  });

  it("gives each workload the shape its name promises", () => {
    const n = 40;
    const get = (name: WorkloadName): Workload => buildWorkload(name, { txs: n, seed: 3 });
    const senders = (w: Workload): Set<string> => new Set(w.block.transactions.map((t) => t.sender!));
    const targets = (w: Workload): Set<string | null> => new Set(w.block.transactions.map((t) => t.to));

    const ti = get("transfers-independent");
    expect(senders(ti).size).toBe(n);
    expect(targets(ti).size).toBe(n);
    expect(ti.block.header.gasUsed).toBe(21_000n * BigInt(n));
    const t1 = get("transfers-one-recipient");
    expect(senders(t1).size).toBe(n);
    expect(targets(t1).size).toBe(1);
    const erc = get("erc20-independent");
    expect(senders(erc).size).toBe(n);
    expect(erc.tokens).toHaveLength(4);
    erc.block.transactions.forEach((tx, i) =>
      expect(erc.expectedGas[i]).toBe(intrinsicGas(tx.data) + EXECUTION_GAS.erc20TransferToNew),
    );
    const many = get("swaps-many-pools");
    expect(targets(many).size).toBe(n);
    expect(many.pools).toHaveLength(n);
    const one = get("swaps-one-pool");
    expect(one.pools).toHaveLength(1);
    expect(targets(one)).toEqual(new Set([one.pools[0]!.address]));
    const chain = get("dependent-chain");
    expect(senders(chain).size).toBe(1);
    expect(chain.block.transactions.map((t) => t.nonce)).toEqual(
      Array.from({ length: n }, (_, i) => BigInt(i)),
    );
    // Dependencies: independent workloads' longest chain is one transaction, serial ones' all.
    const maxGas = (w: Workload): bigint => w.expectedGas.reduce((a, b) => (a > b ? a : b));
    for (const w of [ti, t1, erc, many]) expect(w.criticalPathGas, w.name).toBe(maxGas(w));
    for (const w of [one, chain]) expect(w.criticalPathGas, w.name).toBe(w.expectedGasUsed);
    // The mix really mixes: ETH transfers, token transfers, swaps, legacy txs, repeat senders.
    const mix = buildWorkload("mix", { txs: 1000, seed: 3 });
    const kinds = new Set(
      mix.block.transactions.map((t) =>
        t.data.length === 0 ? "eth" : mix.pools.some((p) => p.address === t.to) ? "swap" : "erc20",
      ),
    );
    expect(kinds).toEqual(new Set(["eth", "erc20", "swap"]));
    expect(mix.block.transactions.some((t) => t.type === 0)).toBe(true);
    expect(senders(mix).size).toBeLessThan(1000);
    expect(mix.block.withdrawals).toHaveLength(16);
    expect(mix.criticalPathGas).toBeGreaterThan(maxGas(mix));
    expect(mix.criticalPathGas * 4n).toBeLessThan(mix.expectedGasUsed);
  });

  it("is deterministic: the same seed gives the same block bytes, another seed another block", () => {
    for (const name of workloadNames) {
      const bytes = (seed: number): Buffer => {
        const w = buildWorkload(name, { txs: 30, seed });
        return Buffer.from(encodeBlockRequest(w.block, w.context, {}));
      };
      const a = bytes(5);
      expect(a.equals(bytes(5)), name).toBe(true);
      expect(a.equals(bytes(6)), name).toBe(false);
    }
  });

  it("rejects unknown names and bad options", () => {
    expect(() => buildWorkload("nope" as WorkloadName)).toThrow(InvalidArgumentError);
    expect(() => buildWorkload("mix", { txs: 0 })).toThrow(InvalidArgumentError);
    expect(() => buildWorkload("mix", { txs: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => buildWorkload("mix", { seed: 2 ** 40 })).toThrow(InvalidArgumentError);
    expect(() => buildWorkload("swaps-one-pool", { gas: 10n ** 9n })).toThrow(InvalidArgumentError);
    expect(Object.keys(DEFAULT_TXS).sort()).toEqual([...workloadNames].sort());
  });

  it("fills a mix block to a gas target (the built-in block at small scale)", async () => {
    const w = builtinBlock({ gas: 20_000_000n, seed: 2 });
    expect(w.expectedGasUsed).toBeLessThanOrEqual(20_000_000n);
    expect(w.expectedGasUsed).toBeGreaterThan(19_800_000n);
    checkResult(w, await executeBlock(w.block, w.context));
  });

  it("builds the ~1 Ggas built-in block in a few seconds", async () => {
    const t0 = performance.now();
    const w = builtinBlock();
    const ms = performance.now() - t0;
    console.log(
      `builtinBlock(): ${w.block.transactions.length} txs, ${w.expectedGasUsed} gas, built in ${ms.toFixed(0)} ms`,
    );
    expect(w.expectedGasUsed).toBeLessThanOrEqual(BUILTIN_GAS);
    expect(w.expectedGasUsed).toBeGreaterThan((BUILTIN_GAS * 99n) / 100n);
    expect(ms).toBeLessThan(15_000);
    if (process.env["PEVM_WORKLOADS_FULL"] === "1") {
      const r = await executeBlock(w.block, w.context);
      console.log(`builtinBlock(): executed in ${r.timings.executeMs.toFixed(0)} ms`);
      checkResult(w, r);
    }
  });
});

describe("workload contracts", () => {
  /** ABI encoding of (string, string, uint256) constructor arguments (strings under 32 bytes). */
  function tokenArgs(name: string, symbol: string, supply: bigint): Buffer {
    const w = (v: bigint): string => v.toString(16).padStart(64, "0");
    const str = (s: string): string => w(BigInt(s.length)) + Buffer.from(s).toString("hex").padEnd(64, "0");
    return Buffer.from(w(96n) + w(160n) + w(supply) + str(name) + str(symbol), "hex");
  }

  it("deploying Token and Pool gives the code and storage layout the builder writes", async () => {
    const { token, pool } = workloadContracts();
    const supply = 123_456n * 10n ** 18n;
    const data = new Uint8Array(Buffer.concat([token.initCode, tokenArgs("Token 0", "TK0", supply)]));
    const b = block([], "Cancun");
    b.header.parentBeaconBlockRoot = new Uint8Array(32);
    b.header.gasLimit = 60_000_000n;
    const tx = {
      type: 2 as const,
      sender: SENDER,
      to: null,
      nonce: 0n,
      value: 0n,
      gasLimit: 3_000_000n,
      data,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
      accessList: [],
    };
    b.transactions = [tx];
    const pre = new Map([[SENDER, account(10n * ETHER)]]);
    const r = await executeBlock(b, context(pre));
    expect(r.receipts[0]!.status).toBe(1);
    const created = r.diff.find((d) => d.code !== undefined && d.code.length > 0)!;
    expect(Buffer.from(created.code!).equals(Buffer.from(token.runtimeCode))).toBe(true);

    // The builder's pre-state for "Token 0" with the same holder and supply.
    const w = buildWorkload("erc20-independent", { txs: 1, seed: 1 });
    const built = w.context.pre.get(w.tokens[0]!)!.storage;
    expect(created.storage.get(3n)).toBe(built.get(3n)); // name
    expect(created.storage.get(4n)).toBe(built.get(4n)); // symbol
    expect(created.storage.get(2n)).toBe(supply);
    const slot = BigInt(
      "0x" +
        Buffer.from(
          keccak_256(Buffer.from(SENDER.slice(2).padStart(64, "0") + "0".repeat(64), "hex")),
        ).toString("hex"),
    );
    expect(created.storage.get(slot)).toBe(supply);

    // Pool: token0/token1 sorted into slots 0 and 1.
    const [a, c] = [
      "0x00000000000000000000000000000000000000bb",
      "0x00000000000000000000000000000000000000aa",
    ];
    const poolData = new Uint8Array(
      Buffer.concat([
        pool.initCode,
        Buffer.from(a.slice(2).padStart(64, "0") + c.slice(2).padStart(64, "0"), "hex"),
      ]),
    );
    b.transactions = [{ ...tx, data: poolData }];
    const rp = await executeBlock(b, context(pre));
    expect(rp.receipts[0]!.status).toBe(1);
    const p = rp.diff.find((d) => d.code !== undefined && d.code.length > 0)!;
    expect(Buffer.from(p.code!).equals(Buffer.from(pool.runtimeCode))).toBe(true);
    expect(p.storage.get(0n)).toBe(0xaan);
    expect(p.storage.get(1n)).toBe(0xbbn);
  });

  // Compiling takes 2-10 s: the build step (npm run build:ts) exercises it; here on request.
  it.skipIf(process.env["PEVM_WORKLOADS_FULL"] !== "1")(
    "the build step's artifact is the same compilation",
    () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pevm-contracts-")), "contracts.json");
      writeContractArtifacts(file);
      const a = JSON.parse(fs.readFileSync(file, "utf8")) as {
        compiler: string;
        contracts: Record<string, { deployedBytecode: string }>;
      };
      const c = workloadContracts();
      expect(a.compiler).toBe(c.compiler);
      expect(a.compiler.startsWith("0.8.30+")).toBe(true);
      expect(a.contracts["Token"]!.deployedBytecode).toBe(Buffer.from(c.token.runtimeCode).toString("hex"));
      expect(a.contracts["Pool"]!.deployedBytecode).toBe(Buffer.from(c.pool.runtimeCode).toString("hex"));
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    },
  );
});
