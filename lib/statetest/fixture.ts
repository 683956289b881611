/**
 * Loading state-test fixtures (the execution-spec-tests `state_tests` format): finding the JSON
 * files under the given paths and turning each post entry of the wanted forks into a ready-to-run
 * case (pre-state, block env, one concrete transaction picked by `indexes`, expectations).
 *
 * A file is parsed once; the pre-state and env of a test are decoded once and shared by all of its
 * cases (executeTransaction does not mutate its inputs). The expected post state is decoded
 * lazily, only when a case is compared.
 *
 * Env mapping: currentNumber/Timestamp/GasLimit/Coinbase/Difficulty map one to one;
 * currentRandom is PREVRANDAO (when absent, the difficulty as 32 bytes); currentBaseFee and
 * currentExcessBlobGas default to 0 when absent (pre-London / pre-Cancun tests); the chain id is
 * config.chainid (1 when absent). State tests carry no block hashes: BLOCKHASH returns zero for
 * every number (fixtures that are filled by a t8n tool cannot depend on them).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { hexToBytes } from "../bytes";
import { DecodeError } from "../errors";
import { parseFork, type Fork } from "../fork";
import type { AccessListEntry, Account, Authorization, BlockEnv, State, TxRequest } from "../state";

/** The JSON shape of one account in `pre` or in a post `state`. */
export interface JsonAccount {
  balance: string;
  nonce: string;
  code: string;
  storage: Record<string, string>;
}

export interface JsonEnv {
  currentCoinbase: string;
  currentGasLimit: string;
  currentNumber: string;
  currentTimestamp: string;
  currentDifficulty?: string;
  currentRandom?: string;
  currentBaseFee?: string;
  currentExcessBlobGas?: string;
}

export interface JsonAccessListEntry {
  address: string;
  storageKeys: string[];
}

export interface JsonAuthorization {
  chainId: string;
  address: string;
  nonce: string;
  v?: string;
  yParity?: string;
  r: string;
  s: string;
  signer?: string;
}

export interface JsonTransaction {
  nonce: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  gasLimit: string[];
  to: string;
  value: string[];
  data: string[];
  sender: string;
  secretKey?: string;
  accessLists?: (JsonAccessListEntry[] | null)[];
  maxFeePerBlobGas?: string;
  blobVersionedHashes?: string[];
  authorizationList?: JsonAuthorization[];
}

export interface JsonIndexes {
  data: number;
  gas: number;
  value: number;
}

export interface JsonPostEntry {
  hash: string;
  logs: string;
  txbytes?: string;
  indexes: JsonIndexes;
  expectException?: string;
  state?: Record<string, JsonAccount>;
}

export interface JsonStateTest {
  env: JsonEnv;
  pre: Record<string, JsonAccount>;
  transaction: JsonTransaction;
  post: Record<string, JsonPostEntry[]>;
  config?: { chainid?: string };
}

/** One post entry of one test for one fork: everything needed to run and check it. */
export interface StateTestCase {
  /** The fixture file. */
  readonly file: string;
  /** The test id (the key in the file). */
  readonly id: string;
  /** The fork as the fixture spells it (e.g. "Cancun"). */
  readonly forkName: string;
  readonly fork: Fork;
  readonly indexes: JsonIndexes;
  readonly pre: State;
  readonly env: BlockEnv;
  readonly tx: TxRequest;
  /** The expected exception name(s), `A|B`, when the transaction must be rejected. */
  readonly expectException: string | undefined;
  /** keccak(rlp(logs)) as lowercase 0x hex. */
  readonly expectedLogsHash: string;
  /** The expected post state (decoded on first use); undefined when the fixture has none. */
  expectedState(): State | undefined;
}

/** Every `.json` file under `paths` (files as given, folders recursively), sorted. */
export function findStateTestFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (p: string, explicit: boolean): void => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) {
        if (name.startsWith(".")) continue;
        visit(path.join(p, name), false);
      }
    } else if (explicit || p.endsWith(".json")) {
      out.push(p);
    }
  };
  for (const p of paths) visit(p, true);
  return out;
}

/** Parses a quantity: `0x` hex (empty `0x` is zero) or decimal. */
export function parseQuantity(value: string | number | undefined, what: string): bigint {
  if (typeof value === "number") return BigInt(value);
  if (typeof value !== "string") throw new DecodeError(`${what} is missing`);
  try {
    if (value === "0x" || value === "0X") return 0n;
    return BigInt(value);
  } catch (err) {
    throw new DecodeError(`${what} is not a quantity: ${JSON.stringify(value)}`, { cause: err });
  }
}

/** Normalises an address to lowercase 0x + 40 hex digits. */
export function parseAddress(value: string, what: string): string {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value))
    throw new DecodeError(`${what} is not an address: ${JSON.stringify(value)}`);
  return value.toLowerCase();
}

function parseBytes32(value: string, what: string): Uint8Array {
  const bytes = hexToBytes(value, what);
  if (bytes.length > 32) throw new DecodeError(`${what} is longer than 32 bytes`);
  if (bytes.length === 32) return bytes;
  const out = new Uint8Array(32);
  out.set(bytes, 32 - bytes.length);
  return out;
}

function bigintToBytes32(value: bigint): Uint8Array {
  return parseBytes32("0x" + value.toString(16).padStart(64, "0"), "quantity");
}

/** Decodes one JSON account. */
export function parseAccount(json: JsonAccount, what: string): Account {
  const storage = new Map<bigint, bigint>();
  for (const [key, value] of Object.entries(json.storage ?? {})) {
    const v = parseQuantity(value, `${what} storage value`);
    if (v !== 0n) storage.set(parseQuantity(key, `${what} storage key`), v);
  }
  return {
    balance: parseQuantity(json.balance, `${what} balance`),
    nonce: parseQuantity(json.nonce, `${what} nonce`),
    code: hexToBytes(json.code ?? "0x", `${what} code`),
    storage,
  };
}

/** Decodes a JSON state (pre or expected post). */
export function parseState(json: Record<string, JsonAccount>): State {
  const state: State = new Map();
  for (const [address, account] of Object.entries(json)) {
    const addr = parseAddress(address, "account address");
    state.set(addr, parseAccount(account, addr));
  }
  return state;
}

/** Decodes the block env of a test (see the module comment for the mapping). */
export function parseEnv(env: JsonEnv, chainId: string | undefined): BlockEnv {
  const difficulty = parseQuantity(env.currentDifficulty ?? "0x0", "env.currentDifficulty");
  return {
    number: parseQuantity(env.currentNumber, "env.currentNumber"),
    timestamp: parseQuantity(env.currentTimestamp, "env.currentTimestamp"),
    gasLimit: parseQuantity(env.currentGasLimit, "env.currentGasLimit"),
    coinbase: parseAddress(env.currentCoinbase, "env.currentCoinbase"),
    difficulty,
    prevRandao:
      env.currentRandom !== undefined
        ? parseBytes32(env.currentRandom, "env.currentRandom")
        : bigintToBytes32(difficulty),
    baseFee: parseQuantity(env.currentBaseFee ?? "0x0", "env.currentBaseFee"),
    excessBlobGas: parseQuantity(env.currentExcessBlobGas ?? "0x0", "env.currentExcessBlobGas"),
    chainId: parseQuantity(chainId ?? "0x1", "config.chainid"),
    blockHashes: new Map(),
  };
}

function pick<T>(values: readonly T[] | undefined, index: number, what: string): T {
  const v = values?.[index];
  if (v === undefined) throw new DecodeError(`transaction.${what}[${index}] is missing`);
  return v;
}

function parseAccessList(list: JsonAccessListEntry[]): AccessListEntry[] {
  return list.map((e) => ({
    address: parseAddress(e.address, "access list address"),
    storageKeys: e.storageKeys.map((k) => parseQuantity(k, "access list storage key")),
  }));
}

function parseAuthorization(a: JsonAuthorization): Authorization {
  return {
    chainId: parseQuantity(a.chainId, "authorization chainId"),
    address: parseAddress(a.address, "authorization address"),
    nonce: parseQuantity(a.nonce, "authorization nonce"),
    yParity: parseQuantity(a.yParity ?? a.v, "authorization yParity"),
    r: parseQuantity(a.r, "authorization r"),
    s: parseQuantity(a.s, "authorization s"),
  };
}

/** Builds the concrete transaction of a post entry: data, gas and value picked by `indexes`. */
export function buildTransaction(
  tx: JsonTransaction,
  indexes: JsonIndexes,
  dataCache?: Map<number, Uint8Array>,
): TxRequest {
  let data = dataCache?.get(indexes.data);
  if (data === undefined) {
    data = hexToBytes(pick(tx.data, indexes.data, "data"), "transaction data");
    dataCache?.set(indexes.data, data);
  }
  const accessListJson = tx.accessLists?.[indexes.data] ?? undefined;
  let type: TxRequest["type"];
  if (tx.authorizationList !== undefined) type = 4;
  else if (tx.blobVersionedHashes !== undefined || tx.maxFeePerBlobGas !== undefined) type = 3;
  else if (tx.maxFeePerGas !== undefined) type = 2;
  else if (accessListJson !== undefined) type = 1;
  else type = 0;

  const req: TxRequest = {
    type,
    sender: parseAddress(tx.sender, "transaction.sender"),
    to: tx.to === "" || tx.to === undefined || tx.to === null ? null : parseAddress(tx.to, "transaction.to"),
    nonce: parseQuantity(tx.nonce, "transaction.nonce"),
    value: parseQuantity(pick(tx.value, indexes.value, "value"), "transaction.value"),
    gasLimit: parseQuantity(pick(tx.gasLimit, indexes.gas, "gasLimit"), "transaction.gasLimit"),
    data,
  };
  if (tx.gasPrice !== undefined) req.gasPrice = parseQuantity(tx.gasPrice, "transaction.gasPrice");
  if (tx.maxFeePerGas !== undefined)
    req.maxFeePerGas = parseQuantity(tx.maxFeePerGas, "transaction.maxFeePerGas");
  if (tx.maxPriorityFeePerGas !== undefined)
    req.maxPriorityFeePerGas = parseQuantity(tx.maxPriorityFeePerGas, "transaction.maxPriorityFeePerGas");
  if (type !== 0) req.accessList = accessListJson ? parseAccessList(accessListJson) : [];
  if (tx.maxFeePerBlobGas !== undefined)
    req.maxFeePerBlobGas = parseQuantity(tx.maxFeePerBlobGas, "transaction.maxFeePerBlobGas");
  if (tx.blobVersionedHashes !== undefined)
    req.blobVersionedHashes = tx.blobVersionedHashes.map((h) => hexToBytes(h, "blob versioned hash"));
  if (tx.authorizationList !== undefined)
    req.authorizationList = tx.authorizationList.map(parseAuthorization);
  return req;
}

/**
 * Reads one fixture file and returns its cases for `forks` (fork names as fixtures spell them
 * map through parseFork), in file order. Forks the package does not know are ignored.
 */
export function loadStateTestFile(file: string, forks: ReadonlySet<Fork>): StateTestCase[] {
  let json: Record<string, JsonStateTest>;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, JsonStateTest>;
  } catch (err) {
    throw new DecodeError(`${file}: not valid JSON`, { cause: err });
  }
  return casesOf(file, json, forks);
}

/** The cases of an already parsed fixture document. */
export function casesOf(
  file: string,
  json: Record<string, JsonStateTest>,
  forks: ReadonlySet<Fork>,
): StateTestCase[] {
  const cases: StateTestCase[] = [];
  for (const [id, test] of Object.entries(json)) {
    if (!test || typeof test !== "object" || !test.post || !test.transaction) continue;
    const wanted: [string, Fork, JsonPostEntry[]][] = [];
    for (const [forkName, entries] of Object.entries(test.post)) {
      let fork: Fork;
      try {
        fork = parseFork(forkName);
      } catch {
        continue; // transition forks and future forks
      }
      if (forks.has(fork)) wanted.push([forkName, fork, entries]);
    }
    if (wanted.length === 0) continue;
    let pre: State;
    let env: BlockEnv;
    try {
      pre = parseState(test.pre);
      env = parseEnv(test.env, test.config?.chainid);
    } catch (err) {
      throw new DecodeError(`${file}: test ${id}: ${(err as Error).message}`, { cause: err });
    }
    const dataCache = new Map<number, Uint8Array>();
    for (const [forkName, fork, entries] of wanted) {
      for (const entry of entries) {
        let tx: TxRequest;
        try {
          tx = buildTransaction(test.transaction, entry.indexes, dataCache);
        } catch (err) {
          throw new DecodeError(`${file}: test ${id} (${forkName}): ${(err as Error).message}`, {
            cause: err,
          });
        }
        let expected: State | undefined | null = null;
        cases.push({
          file,
          id,
          forkName,
          fork,
          indexes: entry.indexes,
          pre,
          env,
          tx,
          expectException: entry.expectException,
          expectedLogsHash: entry.logs.toLowerCase(),
          expectedState(): State | undefined {
            if (expected === null) expected = entry.state ? parseState(entry.state) : undefined;
            return expected;
          },
        });
      }
    }
  }
  return cases;
}
