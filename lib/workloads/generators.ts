/**
 * The named synthetic workloads of `parallel-evm bench blocks --synthetic NAME` and the built-in
 * block of `parallel-evm run`. Each is a function of (transaction count, seed) only: the same
 * arguments give the same block, byte for byte.
 */
import { InvalidArgumentError } from "../errors";
import { ETHER, TOKEN, WorkloadBuilder, type PoolInfo, type Workload } from "./builder";
import type { Rng } from "./random";

export const workloadNames = [
  "transfers-independent",
  "transfers-one-recipient",
  "erc20-independent",
  "swaps-many-pools",
  "swaps-one-pool",
  "dependent-chain",
  "mix",
] as const;

export type WorkloadName = (typeof workloadNames)[number];

export interface WorkloadOptions {
  /** Number of transactions (default: DEFAULT_TXS[name]). With `gas`, an upper bound. */
  txs?: number;
  /** `mix` only: add transactions while the block's gas stays at or below this. */
  gas?: bigint;
  /** Any 32-bit integer (default 1). */
  seed?: number;
}

/** One line per workload, for listings (`bench blocks --synthetic`). */
export const workloadDescriptions: Readonly<Record<WorkloadName, string>> = {
  "transfers-independent": "ETH transfers, N senders to N new accounts",
  "transfers-one-recipient": "ETH transfers, N senders to one exchange account",
  "erc20-independent": "ERC-20 transfers of 4 tokens, N holders to N new holders",
  "swaps-many-pools": "constant-product swaps, one per pool",
  "swaps-one-pool": "constant-product swaps all on one pool (serial)",
  "dependent-chain": "one sender's nonce chain of ERC-20 transfers (serial)",
  mix: "45% ETH / 30% ERC-20 transfers / 25% swaps on 200 Zipf-popular pools",
};

/** Benchmark-sized defaults (roughly 200-500 Mgas each). */
export const DEFAULT_TXS: Readonly<Record<WorkloadName, number>> = {
  "transfers-independent": 10_000,
  "transfers-one-recipient": 10_000,
  "erc20-independent": 6_000,
  "swaps-many-pools": 4_000,
  "swaps-one-pool": 4_000,
  "dependent-chain": 6_000,
  mix: 8_000,
};

export const DEFAULT_SEED = 1;
/** The size of the built-in block. */
export const BUILTIN_GAS = 1_000_000_000n;
const MAX_TXS = 1_000_000;
/** The most gas one transaction of these workloads uses (a swap with large calldata). */
const MAX_TX_GAS = 110_000n;

/** `lo` to `hi` whole tokens plus a random fraction (realistic, mostly non-zero calldata). */
function tokens(rng: Rng, lo: bigint, hi: bigint): bigint {
  return rng.bigint(lo, hi) * TOKEN + rng.bigint(0n, TOKEN - 1n);
}

function ether(rng: Rng, loMilli: bigint, hiMilli: bigint): bigint {
  return rng.bigint(loMilli, hiMilli) * (ETHER / 1000n) + rng.bigint(0n, 10n ** 15n - 1n);
}

/** Samples indices 0..n-1 with weight 1/(i+1)^s: a few hot pools or tokens, a long tail. */
function zipf(rng: Rng, n: number, s: number): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) cumulative.push((total += 1 / Math.pow(i + 1, s)));
  return () => {
    const x = rng.unit() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/** A pool of two distinct random tokens with 100k-10M tokens of each. */
function randomPool(b: WorkloadBuilder, tokenList: readonly string[]): PoolInfo {
  const i = b.rng.int(tokenList.length);
  let j = b.rng.int(tokenList.length - 1);
  if (j >= i) j++;
  return b.addPool(
    tokenList[i]!,
    tokenList[j]!,
    tokens(b.rng, 100_000n, 10_000_000n),
    tokens(b.rng, 100_000n, 10_000_000n),
  );
}

function addTokens(b: WorkloadBuilder, n: number): string[] {
  return Array.from({ length: n }, () => b.addToken());
}

/** A new swapper funded with the pool's input token (and a little of the output token). */
function swapper(b: WorkloadBuilder, pool: PoolInfo, zeroForOne: boolean): string {
  const s = b.fundedAccount();
  const [tokenIn, tokenOut] = zeroForOne ? [pool.token0, pool.token1] : [pool.token1, pool.token0];
  b.allot(tokenIn, s, tokens(b.rng, 1_000n, 10_000n));
  b.allot(tokenOut, s, tokens(b.rng, 1n, 10n));
  return s;
}

const generators: Record<WorkloadName, (b: WorkloadBuilder, txs: number, gas?: bigint) => void> = {
  /** N senders each pay a distinct new account: no two transactions share state (but the
   *  coinbase's fee). */
  "transfers-independent": (b, n) => {
    for (let i = 0; i < n; i++) b.ethTransfer(b.fundedAccount(), b.newAddress(), ether(b.rng, 1n, 1000n));
  },

  /** N senders all pay one account (an exchange's deposit address): a conflict on one balance
   *  unless balance increments are kept as deltas. */
  "transfers-one-recipient": (b, n) => {
    const exchange = b.fundedAccount(1000n * ETHER);
    for (let i = 0; i < n; i++) b.ethTransfer(b.fundedAccount(), exchange, ether(b.rng, 1n, 1000n));
  },

  /** N holders each send one of 4 tokens to a distinct new holder. */
  "erc20-independent": (b, n) => {
    const list = addTokens(b, 4);
    for (let i = 0; i < n; i++) {
      const token = list[i % list.length]!;
      const s = b.fundedAccount();
      b.allot(token, s, tokens(b.rng, 100n, 10_000n));
      b.erc20Transfer(s, token, b.newAddress(), tokens(b.rng, 1n, 50n));
    }
  },

  /** One swap per pool, N pools over 16 tokens: independent (pools sharing a token contract
   *  touch different balance slots). */
  "swaps-many-pools": (b, n) => {
    const list = addTokens(b, 16);
    for (let i = 0; i < n; i++) {
      const pool = randomPool(b, list);
      const zeroForOne = b.rng.int(2) === 0;
      b.swap(swapper(b, pool, zeroForOne), pool, zeroForOne, tokens(b.rng, 1n, 100n));
    }
  },

  /** N swaps on one pool, in random directions: every swap reads the reserves the previous one
   *  wrote, inherently serial. */
  "swaps-one-pool": (b, n) => {
    const list = addTokens(b, 2);
    const pool = b.addPool(
      list[0]!,
      list[1]!,
      tokens(b.rng, 10_000_000n, 20_000_000n),
      tokens(b.rng, 10_000_000n, 20_000_000n),
    );
    for (let i = 0; i < n; i++) {
      const zeroForOne = b.rng.int(2) === 0;
      b.swap(swapper(b, pool, zeroForOne), pool, zeroForOne, tokens(b.rng, 1n, 100n));
    }
  },

  /** One sender's nonce chain of N token transfers to new holders: each transaction reads the
   *  nonce, ether balance and token balance the previous one wrote. */
  "dependent-chain": (b, n) => {
    const [token] = addTokens(b, 1) as [string];
    const s = b.fundedAccount(100_000n * ETHER);
    b.allot(token, s, tokens(b.rng, 1_000_000_000n, 2_000_000_000n));
    for (let i = 0; i < n; i++) b.erc20Transfer(s, token, b.newAddress(), tokens(b.rng, 1n, 100n));
  },

  /**
   * A mainnet-like mix by count: 45% ETH transfers (a fifth of them to 8 exchange addresses),
   * 30% transfers of 24 tokens (Zipf-popular; 30% to existing holders) and 25% swaps on 200
   * pools (Zipf s=0.8: the hottest pool has about a tenth of the swaps); 10% of transactions
   * come from a sender already in the block (short nonce chains), 10% are legacy (type 0);
   * 16 withdrawals.
   */
  mix: (b, n, gas) => {
    const rng = b.rng;
    const list = addTokens(b, 24);
    const pools = Array.from({ length: 200 }, () => randomPool(b, list));
    const poolSet = new Set(pools.map((p) => p.address));
    const exchanges = Array.from({ length: 8 }, () => b.fundedAccount(1000n * ETHER));
    const pickPool = zipf(rng, pools.length, 0.8);
    const pickToken = zipf(rng, list.length, 1.0);
    const senders: string[] = [];
    const newSender = (): string => {
      const s = b.fundedAccount(ether(rng, 20_000n, 100_000n));
      senders.push(s);
      return s;
    };
    const pickSender = (): string =>
      senders.length > 0 && rng.unit() < 0.1 ? senders[rng.int(senders.length)]! : newSender();
    /** `s` if it has (or can be given) more than twice `amount` of `token`, else a new sender. */
    const funded = (s: string, token: string, amount: bigint): string => {
      if (b.tokenBalance(token, s) > 2n * amount) return s;
      const holder = b.canAllot(token, s) ? s : newSender();
      b.allot(token, holder, tokens(rng, 1_000n, 100_000n));
      return holder;
    };

    const limit = gas ?? 1n << 62n;
    for (let i = 0; i < n && b.gasUsed + MAX_TX_GAS <= limit; i++) {
      const kind = rng.unit();
      if (kind < 0.45) {
        const to = rng.unit() < 0.2 ? exchanges[rng.int(exchanges.length)]! : b.newAddress();
        b.ethTransfer(pickSender(), to, ether(rng, 1n, 1000n));
      } else if (kind < 0.75) {
        const token = list[pickToken()]!;
        const amount = tokens(rng, 1n, 200n);
        const s = funded(pickSender(), token, amount);
        let to = b.newAddress();
        if (rng.unit() < 0.3) {
          const holders = b.holders(token);
          const h = holders[rng.int(holders.length)]!;
          if (h !== s && !poolSet.has(h)) to = h;
        }
        b.erc20Transfer(s, token, to, amount);
      } else {
        const pool = pools[pickPool()]!;
        const zeroForOne = rng.int(2) === 0;
        const [tokenIn, tokenOut] = zeroForOne ? [pool.token0, pool.token1] : [pool.token1, pool.token0];
        const amountIn = tokens(rng, 1n, 100n);
        let s = funded(pickSender(), tokenIn, amountIn);
        if (b.tokenBalance(tokenOut, s) === 0n) {
          if (!b.canAllot(tokenOut, s)) s = funded(newSender(), tokenIn, amountIn);
          b.allot(tokenOut, s, tokens(rng, 1n, 10n));
        }
        b.swap(s, pool, zeroForOne, amountIn);
      }
    }
    b.addWithdrawals(16);
  },
};

function checkOptions(name: string, options: WorkloadOptions): { txs: number; seed: number } {
  if (!(workloadNames as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(
      `unknown workload ${JSON.stringify(name)}; expected one of ${workloadNames.join(", ")}`,
    );
  }
  const txs = options.txs ?? (options.gas !== undefined ? MAX_TXS : DEFAULT_TXS[name as WorkloadName]);
  if (!Number.isInteger(txs) || txs < 1 || txs > MAX_TXS) {
    throw new InvalidArgumentError(`txs must be an integer from 1 to ${MAX_TXS}: ${txs}`);
  }
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed) || seed < -0x8000_0000 || seed > 0xffff_ffff) {
    throw new InvalidArgumentError(`seed must be a 32-bit integer: ${seed}`);
  }
  if (options.gas !== undefined) {
    if (name !== "mix") throw new InvalidArgumentError("the gas option applies to the mix workload only");
    if (typeof options.gas !== "bigint" || options.gas < MAX_TX_GAS) {
      throw new InvalidArgumentError(`gas must be a bigint of at least ${MAX_TX_GAS}`);
    }
  }
  return { txs, seed };
}

/** Builds the named workload: a Cancun block, its pre-state and what executing it must give. */
export function buildWorkload(name: WorkloadName, options: WorkloadOptions = {}): Workload {
  const { txs, seed } = checkOptions(name, options);
  const b = new WorkloadBuilder(seed, { legacyShare: name === "mix" ? 0.1 : 0 });
  generators[name](b, txs, options.gas);
  return b.finish(name, seed);
}

export interface RandomWorkloadOptions {
  /** Any 32-bit integer: print it on failure to replay the block. */
  seed: number;
  /** Transactions (default 50). */
  txs?: number;
  /** How many accounts the transactions draw senders and recipients from (default 10): 10
   *  makes nearly every transaction conflict with an earlier one, 1,000 few of them. */
  universe?: number;
  /**
   * Only plain ETH transfers (see `randomTransfers`): blocks that the parallel executor plans
   * as groups of dependent transactions instead of running Block-STM.
   */
  transfersOnly?: boolean;
}

/**
 * A random conflict-heavy block for differential tests (parallel == sequential over many
 * seeds): every transaction's sender is drawn from a universe of `universe` accounts that all
 * hold every token, so nonce chains, balance reads after writes, shared recipients and hot
 * pools arise at random. 35% ETH transfers (to a member, a new account or the coinbase), 35%
 * token transfers (to a member or a new holder), 30% swaps on a few pools; the coinbase itself
 * sends some transactions (it reads the balance every fee payment adds to). The predictions of
 * `Workload` (gas per transaction, token and pool storage) hold as for the named workloads.
 */
export function randomWorkload(options: RandomWorkloadOptions): Workload {
  const { seed } = options;
  const txs = options.txs ?? 50;
  const universe = options.universe ?? 10;
  if (!Number.isInteger(seed) || seed < -0x8000_0000 || seed > 0xffff_ffff) {
    throw new InvalidArgumentError(`seed must be a 32-bit integer: ${seed}`);
  }
  if (!Number.isInteger(txs) || txs < 1 || txs > MAX_TXS) {
    throw new InvalidArgumentError(`txs must be an integer from 1 to ${MAX_TXS}: ${txs}`);
  }
  if (!Number.isInteger(universe) || universe < 2 || universe > 100_000) {
    throw new InvalidArgumentError(`universe must be an integer from 2 to 100000: ${universe}`);
  }
  const b = new WorkloadBuilder(seed, { legacyShare: 0.2 });
  if (options.transfersOnly === true) return randomTransfers(b, seed, txs, universe);
  const rng = b.rng;
  const list = addTokens(b, universe >= 100 ? 6 : 3);
  const pools = Array.from({ length: universe >= 100 ? 20 : 2 }, () => randomPool(b, list));
  const members = Array.from({ length: universe }, () => b.fundedAccount(1000n * ETHER));
  for (const m of members) for (const t of list) b.allot(t, m, tokens(rng, 1_000n, 100_000n));
  b.fundCoinbase(1000n * ETHER);
  const other = (s: string): string => {
    const m = members[rng.int(members.length)]!;
    return m !== s ? m : b.newAddress();
  };
  for (let i = 0; i < txs; i++) {
    const s = rng.unit() < 0.02 ? b.coinbase : members[rng.int(members.length)]!;
    const kind = s === b.coinbase ? 0 : rng.unit();
    if (kind >= 0.35 && kind < 0.7) {
      const token = list[rng.int(list.length)]!;
      const amount = tokens(rng, 1n, 200n);
      if (b.tokenBalance(token, s) > 2n * amount) {
        b.erc20Transfer(s, token, rng.unit() < 0.2 ? b.newAddress() : other(s), amount);
        continue;
      }
    } else if (kind >= 0.7) {
      const pool = pools[rng.int(pools.length)]!;
      const zeroForOne = rng.int(2) === 0;
      const amountIn = tokens(rng, 1n, 100n);
      if (b.tokenBalance(zeroForOne ? pool.token0 : pool.token1, s) > 2n * amountIn) {
        b.swap(s, pool, zeroForOne, amountIn);
        continue;
      }
    }
    const r = rng.unit();
    const to = r < 0.05 && s !== b.coinbase ? b.coinbase : r < 0.25 ? b.newAddress() : other(s);
    b.ethTransfer(s, to, ether(rng, 1n, 1000n));
  }
  if (rng.int(2) === 0) b.addWithdrawals(1 + rng.int(4), () => members[rng.int(members.length)]!);
  return b.finish(`random-${universe}`, seed);
}

/**
 * Random plain ETH transfers over a universe of funded senders, with what makes the planning of
 * such a block delicate: senders that receive (nonce chains joined by credits), one recipient
 * that many groups credit, the coinbase as a recipient, zero-value transfers to accounts that are
 * empty in the pre-state (EIP-161 removes them unless something credited them first) and to new
 * ones, and in a quarter of the blocks the coinbase sending too (then no plan: every transaction
 * pays it a fee).
 */
function randomTransfers(b: WorkloadBuilder, seed: number, txs: number, universe: number): Workload {
  const rng = b.rng;
  const members = Array.from({ length: universe }, () => b.fundedAccount(1000n * ETHER));
  const empties = Array.from({ length: Math.max(2, universe >> 3) }, () => b.fundedAccount(0n));
  const sink = b.newAddress();
  const coinbaseSends = rng.int(4) === 0;
  if (coinbaseSends) b.fundCoinbase(1000n * ETHER);
  for (let i = 0; i < txs; i++) {
    const s = coinbaseSends && rng.unit() < 0.05 ? b.coinbase : members[rng.int(members.length)]!;
    const r = rng.unit();
    const to =
      r < 0.05
        ? b.coinbase
        : r < 0.2
          ? empties[rng.int(empties.length)]!
          : r < 0.35
            ? b.newAddress()
            : r < 0.5
              ? sink
              : members[rng.int(members.length)]!;
    b.ethTransfer(s, to === s ? b.newAddress() : to, rng.unit() < 0.2 ? 0n : ether(rng, 1n, 1000n));
  }
  if (rng.int(2) === 0) b.addWithdrawals(1 + rng.int(4), () => members[rng.int(members.length)]!);
  return b.finish(`random-transfers-${universe}`, seed);
}

/** The built-in block of `parallel-evm run`: the `mix` workload filled to about 1 Ggas. */
export function builtinBlock(options: { gas?: bigint; seed?: number } = {}): Workload {
  return buildWorkload("mix", { gas: options.gas ?? BUILTIN_GAS, seed: options.seed ?? DEFAULT_SEED });
}
