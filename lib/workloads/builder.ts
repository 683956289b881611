/**
 * `WorkloadBuilder`: assembles a synthetic Cancun block and the pre-state it runs on, without
 * executing anything. Contracts are not deployed by transactions: their runtime code and storage
 * (balances, allowances, reserves) are written straight into the pre-state, following the
 * storage layout stated at the top of contracts/Token.sol and contracts/Pool.sol.
 *
 * The builder keeps a small model of what the block does to token balances and pool reserves
 * (exact integer arithmetic, as the contracts compute it), so that it can
 *  - pick amounts that never fail (a sender never runs out, a balance never returns to zero),
 *  - quote each swap's output (a realistic 1% slippage bound),
 *  - predict every transaction's gas exactly: intrinsic gas of its calldata plus an execution
 *    cost that depends only on the path taken (for example whether an ERC-20 recipient's
 *    balance was zero), measured once for the pinned compiler and checked by the tests,
 *  - state the expected token/pool storage after the block.
 */
import { keccak256 } from "../keccak";
import type { Account, State } from "../state";
import type { Block, BlockContext, BlockTransaction, Withdrawal } from "../block/types";
import { workloadContracts, type Contracts } from "./contracts";
import { Rng } from "./random";

export const GWEI = 10n ** 9n;
export const ETHER = 10n ** 18n;
/** One whole token (all workload tokens have 18 decimals). */
export const TOKEN = 10n ** 18n;

/**
 * Execution gas beyond the intrinsic 21,000 + calldata, per path (Cancun, solc 0.8.30 with the
 * optimizer at 200 runs). The tests assert each receipt's gas against these.
 */
export const EXECUTION_GAS = {
  /** Token.transfer to an account whose balance was zero (a new slot: 20,000 + cold 2,100). */
  erc20TransferToNew: 29_754n,
  /** Token.transfer to an account that already holds the token. */
  erc20TransferToHolder: 12_654n,
  /** Pool.swapExactIn of token0 for token1 (sender holds both tokens, infinite approval). */
  swapZeroForOne: 53_023n,
  /** Pool.swapExactIn of token1 for token0. */
  swapOneForZero: 53_161n,
} as const;

export const TX_GAS_LIMIT = { eth: 21_000n, erc20: 90_000n, swap: 160_000n } as const;

export interface PoolInfo {
  address: string;
  token0: string;
  token1: string;
}

interface PoolModel extends PoolInfo {
  reserve0: bigint;
  reserve1: bigint;
  swapped: boolean;
}

/** A synthetic block with everything needed to execute and check it. */
export interface Workload {
  name: string;
  seed: number;
  block: Block;
  context: BlockContext;
  /** The gas each receipt shows when the block executes (every transaction succeeds). */
  expectedGas: bigint[];
  /** Their sum (also the header's gasUsed). */
  expectedGasUsed: bigint;
  /**
   * The gas of the longest chain of dependent transactions, with ETH credits and the coinbase's
   * fees counted as lazy deltas: gasUsed / criticalPathGas bounds the parallel speedup.
   */
  criticalPathGas: bigint;
  /** Token and pool storage slots (balances, reserves) with their values after the block. */
  expectedStorage: Map<string, Map<bigint, bigint>>;
  tokens: string[];
  pools: PoolInfo[];
  coinbase: string;
}

export interface BuilderOptions {
  /** Share of type-0 (legacy) transactions; the rest are EIP-1559 (type 2). */
  legacyShare?: number;
}

const BASE_FEE = 4n * GWEI;
const BLOCK_NUMBER = 20_000_000n;
const TIMESTAMP = 1_720_000_000n; // Cancun (July 2024)
const MAX_U256 = (1n << 256n) - 1n;
const EMPTY = new Uint8Array(0);

function word(v: bigint): string {
  return v.toString(16).padStart(64, "0");
}

function wordOfAddress(a: string): string {
  return a.slice(2).padStart(64, "0");
}

function hexToBig(b: Uint8Array): bigint {
  return BigInt("0x" + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex"));
}

/** keccak256(pad32(key) ++ pad32(slot)): where Solidity keeps mapping[key]. */
function mappingSlot(keyWord: string, slot: bigint): bigint {
  return hexToBig(keccak256(Buffer.from(keyWord + word(slot), "hex")));
}

/** A Solidity string of at most 31 bytes, as stored in its own slot. */
function shortString(s: string): bigint {
  const bytes = Buffer.from(s, "utf8");
  if (bytes.length > 31) throw new Error("short strings only");
  const buf = Buffer.alloc(32);
  bytes.copy(buf);
  buf[31] = bytes.length * 2;
  return BigInt("0x" + buf.toString("hex"));
}

/** The intrinsic gas of a call with `data` (Cancun: 21,000 + 4 per zero byte + 16 per other). */
export function intrinsicGas(data: Uint8Array): bigint {
  let gas = 21_000;
  for (let i = 0; i < data.length; i++) gas += data[i] === 0 ? 4 : 16;
  return BigInt(gas);
}

/** The output of a 0.3%-fee constant-product swap, as Pool.getAmountOut computes it. */
export function amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const withFee = amountIn * 997n;
  return (withFee * reserveOut) / (reserveIn * 1000n + withFee);
}

export class WorkloadBuilder {
  readonly rng: Rng;
  readonly contracts: Contracts;
  readonly coinbase: string;
  readonly tokens: string[] = [];
  readonly pools: PoolModel[] = [];
  private readonly poolByAddress = new Map<string, PoolModel>();
  private readonly legacyShare: number;
  private readonly used = new Set<string>();
  private readonly eoas = new Map<string, bigint>();
  private readonly nonces = new Map<string, bigint>();
  /** token -> holder -> balance before the block / now. */
  private readonly preBalance = new Map<string, Map<string, bigint>>();
  private readonly balance = new Map<string, Map<string, bigint>>();
  /** token -> holders in order of first balance, for picking existing holders. */
  private readonly holderList = new Map<string, string[]>();
  /** `token holder` pairs a transaction has already touched (their pre-state is fixed). */
  private readonly touched = new Set<string>();
  private readonly approvals = new Map<string, Set<string>>();
  private readonly slotCache = new Map<string, bigint>();
  private readonly txs: BlockTransaction[] = [];
  private readonly gas: bigint[] = [];
  private gasTotal = 0n;
  /** Per location: where the dependency chain ends after its last full write / its credits. */
  private readonly locations = new Map<string, { written: bigint; credits: bigint }>();
  private criticalPath = 0n;
  private maxGasLimit = 21_000n;
  private withdrawals: Withdrawal[] = [];

  constructor(seed: number, options: BuilderOptions = {}) {
    this.rng = new Rng(seed);
    this.contracts = workloadContracts();
    this.legacyShare = options.legacyShare ?? 0;
    this.coinbase = this.newAddress();
  }

  get txCount(): number {
    return this.txs.length;
  }

  get gasUsed(): bigint {
    return this.gasTotal;
  }

  /** A fresh address never used in this block (not a precompile: 20 random bytes). */
  newAddress(): string {
    for (;;) {
      let a = "0x";
      for (let i = 0; i < 5; i++) a += this.rng.u32().toString(16).padStart(8, "0");
      if (!this.used.has(a) && !a.startsWith("0x000000000000000000000000000000000")) {
        this.used.add(a);
        return a;
      }
    }
  }

  /** A new externally owned account with `balance` wei in the pre-state. */
  fundedAccount(balance: bigint = 10n * ETHER): string {
    const a = this.newAddress();
    this.eoas.set(a, balance);
    return a;
  }

  /** Gives the coinbase `balance` wei in the pre-state (so that it can send transactions). */
  fundCoinbase(balance: bigint): void {
    this.eoas.set(this.coinbase, balance);
  }

  /** A new token contract (the pre-state gets its code, name and symbol). */
  addToken(): string {
    const t = this.newAddress();
    this.tokens.push(t);
    this.preBalance.set(t, new Map());
    this.balance.set(t, new Map());
    this.holderList.set(t, []);
    return t;
  }

  /** A new pool of two distinct tokens holding the given reserves (tokens sorted as its
   *  constructor sorts them: token0 has the lower address). */
  addPool(tokenA: string, tokenB: string, reserveA: bigint, reserveB: bigint): PoolInfo {
    const [token0, token1, reserve0, reserve1] =
      tokenA < tokenB ? [tokenA, tokenB, reserveA, reserveB] : [tokenB, tokenA, reserveB, reserveA];
    const pool: PoolModel = {
      address: this.newAddress(),
      token0,
      token1,
      reserve0,
      reserve1,
      swapped: false,
    };
    this.allot(token0, pool.address, reserve0);
    this.allot(token1, pool.address, reserve1);
    this.pools.push(pool);
    this.poolByAddress.set(pool.address, pool);
    return pool;
  }

  tokenBalance(token: string, holder: string): bigint {
    return this.balance.get(token)?.get(holder) ?? 0n;
  }

  /** Whether `holder`'s balance of `token` can still be set in the pre-state. */
  canAllot(token: string, holder: string): boolean {
    return !this.touched.has(token + holder);
  }

  /** Adds `amount` of `token` to `holder` in the pre-state (before any transaction used it). */
  allot(token: string, holder: string, amount: bigint): void {
    if (!this.canAllot(token, holder)) throw new Error(`${holder} already used ${token} in the block`);
    const pre = this.preBalance.get(token)!;
    const now = this.balance.get(token)!;
    if ((now.get(holder) ?? 0n) === 0n) this.holderList.get(token)!.push(holder);
    pre.set(holder, (pre.get(holder) ?? 0n) + amount);
    now.set(holder, (now.get(holder) ?? 0n) + amount);
  }

  /** Holders of `token` with a balance now, in order of first balance. */
  holders(token: string): readonly string[] {
    return this.holderList.get(token)!;
  }

  private approveMax(token: string, owner: string, spender: string): void {
    let set = this.approvals.get(token);
    if (set === undefined) this.approvals.set(token, (set = new Set()));
    set.add(owner + spender);
  }

  private move(token: string, from: string, to: string, amount: bigint): void {
    const bal = this.balance.get(token)!;
    const f = bal.get(from) ?? 0n;
    if (f <= amount) throw new Error(`model: ${from} would empty its ${token} balance`);
    bal.set(from, f - amount);
    const t = bal.get(to) ?? 0n;
    if (t === 0n) this.holderList.get(token)!.push(to);
    bal.set(to, t + amount);
    this.touched.add(token + from);
    this.touched.add(token + to);
  }

  /** Fee fields: a priority fee of 1-3 gwei (plus some wei) that the coinbase earns. */
  /**
   * A transaction of type 0 (a `legacyShare` of them) or 2. Each type is one object literal with
   * its fields in a fixed order, so that all transactions of a type share one hidden class: built
   * with an object spread, every transaction got a class of its own, and reading their fields in
   * encodeBlockRequest went megamorphic (3 µs a transaction; the built-in block's 23,600 took
   * longer to marshal than to execute).
   */
  private tx(
    sender: string,
    to: string,
    nonce: bigint,
    value: bigint,
    gasLimit: bigint,
    data: Uint8Array,
  ): BlockTransaction {
    const tip = GWEI + this.rng.bigint(0n, 2n * GWEI);
    if (this.legacyShare > 0 && this.rng.unit() < this.legacyShare) {
      return { type: 0, gasPrice: BASE_FEE + tip, sender, to, nonce, value, gasLimit, data, chainId: 1n };
    }
    return {
      type: 2,
      maxFeePerGas: 2n * BASE_FEE + tip,
      maxPriorityFeePerGas: tip,
      accessList: [],
      sender,
      to,
      nonce,
      value,
      gasLimit,
      data,
      chainId: 1n,
    };
  }

  private push(
    sender: string,
    to: string,
    value: bigint,
    data: Uint8Array,
    gasLimit: bigint,
    executionGas: bigint,
    locations: string[] = [],
    credited?: string,
  ): void {
    const nonce = this.nonces.get(sender) ?? 0n;
    this.nonces.set(sender, nonce + 1n);
    this.txs.push(this.tx(sender, to, nonce, value, gasLimit, data));
    const gas = intrinsicGas(data) + executionGas;
    if (gas > gasLimit) throw new Error(`model: gas ${gas} above the limit ${gasLimit}`);
    this.gas.push(gas);
    this.gasTotal += gas;
    if (gasLimit > this.maxGasLimit) this.maxGasLimit = gasLimit;
    this.trackDependencies(gas, [sender, ...locations], credited);
  }

  /**
   * The longest chain of gas through read-after-write dependencies: `full` locations (the
   * sender's account, token balance slots, pool reserves) are read and written; a credit (an
   * ETH recipient, the coinbase's fee) is a lazy delta that depends on nothing, but a later
   * full read of that account depends on every credit since its last full write.
   */
  private trackDependencies(gas: bigint, full: string[], credited: string | undefined): void {
    let start = 0n;
    for (const loc of full) {
      const l = this.locations.get(loc);
      if (l !== undefined) start = [start, l.written, l.credits].reduce((a, b) => (a > b ? a : b));
    }
    const end = start + gas;
    for (const loc of full) this.locations.set(loc, { written: end, credits: 0n });
    for (const loc of credited === undefined ? [this.coinbase] : [credited, this.coinbase]) {
      const l = this.locations.get(loc);
      if (l === undefined) this.locations.set(loc, { written: 0n, credits: end });
      else if (end > l.credits) l.credits = end;
    }
    if (end > this.criticalPath) this.criticalPath = end;
  }

  private call(selector: string, words: string[]): Uint8Array {
    const sel = this.contracts.token.selectors.get(selector) ?? this.contracts.pool.selectors.get(selector);
    if (sel === undefined) throw new Error(`no function ${selector}`);
    return new Uint8Array(Buffer.concat([sel, Buffer.from(words.join(""), "hex")]));
  }

  /** A plain ETH transfer (21,000 gas). */
  ethTransfer(from: string, to: string, value: bigint): void {
    this.push(from, to, value, EMPTY, TX_GAS_LIMIT.eth, 0n, [], to);
  }

  /** Token.transfer(to, amount) sent by `from`, who must hold more than `amount`. */
  erc20Transfer(from: string, token: string, to: string, amount: bigint): void {
    const fresh = this.tokenBalance(token, to) === 0n;
    this.move(token, from, to, amount);
    const data = this.call("transfer(address,uint256)", [wordOfAddress(to), word(amount)]);
    const exec = fresh ? EXECUTION_GAS.erc20TransferToNew : EXECUTION_GAS.erc20TransferToHolder;
    this.push(from, token, 0n, data, TX_GAS_LIMIT.erc20, exec, [token + from, token + to]);
  }

  /**
   * Pool.swapExactIn(tokenIn, amountIn, quote * 99%, from) sent by `from`, who must hold more
   * than `amountIn` of the input token and some of the output token; the pool's infinite
   * approval is added to the pre-state. Returns the output amount.
   */
  swap(from: string, pool: PoolInfo, zeroForOne: boolean, amountIn: bigint): bigint {
    const p = this.poolByAddress.get(pool.address);
    if (p === undefined) throw new Error("unknown pool");
    const [tokenIn, tokenOut] = zeroForOne ? [p.token0, p.token1] : [p.token1, p.token0];
    if (this.tokenBalance(tokenOut, from) === 0n) throw new Error("model: the swapper holds no output token");
    const out = zeroForOne
      ? amountOut(amountIn, p.reserve0, p.reserve1)
      : amountOut(amountIn, p.reserve1, p.reserve0);
    if (out === 0n) throw new Error("model: a swap with no output");
    this.approveMax(tokenIn, from, p.address);
    this.move(tokenIn, from, p.address, amountIn);
    this.move(tokenOut, p.address, from, out);
    if (zeroForOne) {
      p.reserve0 += amountIn;
      p.reserve1 -= out;
    } else {
      p.reserve1 += amountIn;
      p.reserve0 -= out;
    }
    p.swapped = true;
    const data = this.call("swapExactIn(address,uint256,uint256,address)", [
      wordOfAddress(tokenIn),
      word(amountIn),
      word((out * 99n) / 100n),
      wordOfAddress(from),
    ]);
    const exec = zeroForOne ? EXECUTION_GAS.swapZeroForOne : EXECUTION_GAS.swapOneForZero;
    this.push(from, p.address, 0n, data, TX_GAS_LIMIT.swap, exec, [
      p.address,
      tokenIn + from,
      tokenIn + p.address,
      tokenOut + from,
      tokenOut + p.address,
    ]);
    return out;
  }

  /** `count` validator withdrawals (applied after the transactions), to new accounts unless
   *  `recipient` picks them. */
  addWithdrawals(count: number, recipient: () => string = () => this.newAddress()): void {
    for (let i = 0; i < count; i++) {
      this.withdrawals.push({
        index: 40_000_000n + BigInt(this.withdrawals.length),
        validatorIndex: BigInt(this.rng.int(1_000_000)),
        address: recipient(),
        amount: this.rng.bigint(10_000_000n, 20_000_000n),
      });
    }
  }

  private balanceSlot(holder: string): bigint {
    const key = "b" + holder;
    let s = this.slotCache.get(key);
    if (s === undefined) this.slotCache.set(key, (s = mappingSlot(wordOfAddress(holder), 0n)));
    return s;
  }

  private allowanceSlot(owner: string, spender: string): bigint {
    const inner = mappingSlot(wordOfAddress(owner), 1n);
    return mappingSlot(wordOfAddress(spender), inner);
  }

  private reservesWord(p: { reserve0: bigint; reserve1: bigint }, timestamp: bigint): bigint {
    return p.reserve0 | (p.reserve1 << 112n) | (timestamp << 224n);
  }

  /** The block, its pre-state and the expectations. */
  finish(name: string, seed: number): Workload {
    const { token, pool } = this.contracts;
    const pre: State = new Map<string, Account>();
    for (const [a, balance] of this.eoas) pre.set(a, { balance, nonce: 0n, code: EMPTY, storage: new Map() });

    const expectedStorage = new Map<string, Map<bigint, bigint>>();
    for (const [i, t] of this.tokens.entries()) {
      const storage = new Map<bigint, bigint>();
      let supply = 0n;
      for (const [holder, amount] of this.preBalance.get(t)!) {
        storage.set(this.balanceSlot(holder), amount);
        supply += amount;
      }
      for (const pair of this.approvals.get(t) ?? []) {
        storage.set(this.allowanceSlot(pair.slice(0, 42), pair.slice(42)), MAX_U256);
      }
      storage.set(2n, supply);
      storage.set(3n, shortString(`Token ${i}`));
      storage.set(4n, shortString(`TK${i}`));
      pre.set(t, { balance: 0n, nonce: 1n, code: token.runtimeCode, storage });
      const after = new Map<bigint, bigint>();
      for (const [holder, amount] of this.balance.get(t)!) after.set(this.balanceSlot(holder), amount);
      after.set(2n, supply);
      expectedStorage.set(t, after);
    }
    const preTimestamp = TIMESTAMP - 12n;
    for (const p of this.pools) {
      const start = {
        reserve0: this.preBalance.get(p.token0)!.get(p.address)!,
        reserve1: this.preBalance.get(p.token1)!.get(p.address)!,
      };
      const storage = new Map<bigint, bigint>([
        [0n, BigInt(p.token0)],
        [1n, BigInt(p.token1)],
        [2n, this.reservesWord(start, preTimestamp)],
      ]);
      pre.set(p.address, { balance: 0n, nonce: 1n, code: pool.runtimeCode, storage });
      expectedStorage.set(
        p.address,
        new Map([[2n, this.reservesWord(p, p.swapped ? TIMESTAMP : preTimestamp)]]),
      );
    }

    // Room for every transaction's gas limit, rounded up to a whole million.
    const needed = this.gasTotal + this.maxGasLimit;
    let gasLimit = ((needed + 999_999n) / 1_000_000n) * 1_000_000n;
    if (gasLimit < 30_000_000n) gasLimit = 30_000_000n;
    const parentHash = this.rng.bytes(32);
    const block: Block = {
      fork: "Cancun",
      header: {
        parentHash,
        coinbase: this.coinbase,
        stateRoot: new Uint8Array(32),
        receiptsRoot: new Uint8Array(32),
        logsBloom: new Uint8Array(256),
        difficulty: 0n,
        number: BLOCK_NUMBER,
        gasLimit,
        gasUsed: this.gasTotal,
        timestamp: TIMESTAMP,
        extraData: new Uint8Array(Buffer.from(`parallel-evm ${name}`, "utf8").subarray(0, 32)),
        mixHash: this.rng.bytes(32),
        baseFeePerGas: BASE_FEE,
        blobGasUsed: 0n,
        excessBlobGas: 0n,
        parentBeaconBlockRoot: this.rng.bytes(32),
      },
      transactions: this.txs,
      withdrawals: this.withdrawals,
      ommers: [],
      unknownOmmers: 0,
    };
    return {
      name,
      seed,
      block,
      context: { pre, blockHashes: new Map([[BLOCK_NUMBER - 1n, parentHash]]), chainId: 1n },
      expectedGas: this.gas,
      expectedGasUsed: this.gasTotal,
      expectedStorage,
      criticalPathGas: this.criticalPath,
      tokens: [...this.tokens],
      pools: this.pools.map(({ address, token0, token1 }) => ({ address, token0, token1 })),
      coinbase: this.coinbase,
    };
  }
}
