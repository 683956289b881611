/**
 * The workload contracts (contracts/*.sol) compiled with the pinned solc-js.
 *
 * Where the bytecode comes from: `npm run build:ts` (also the `prepare` step, so `npm pack` and
 * publishing) compiles the sources once and writes `contracts.json` next to this module in
 * dist/, so an installed package carries the bytecode and needs no compiler (solc is only a
 * devDependency). In a checkout, where the sources are present, the artifact is used only when
 * its source hash matches them; otherwise the sources are compiled here (2-9 s) and the result
 * is cached under `.cache/contracts/<hash>.json`. Either way the bytecode is byte-for-byte what
 * solc 0.8.30 produces from these sources and settings.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { hexToBytes } from "../bytes";
import { InternalError } from "../errors";

export const SOLC_VERSION = "0.8.30";
export const CONTRACT_FILES = ["Token.sol", "Pool.sol"] as const;
const ARTIFACT_FORMAT = 1;
const ARTIFACT_FILE = path.join(__dirname, "contracts.json");

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: "cancun",
  outputSelection: {
    "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "evm.methodIdentifiers"] },
  },
};

export interface CompiledContract {
  abi: unknown[];
  /** Creation code (constructor arguments are appended ABI-encoded). */
  initCode: Uint8Array;
  /** The deployed code, as a pre-state account holds it. */
  runtimeCode: Uint8Array;
  /** Function signature ("transfer(address,uint256)") -> 4-byte selector. */
  selectors: Map<string, Uint8Array>;
}

export interface Contracts {
  /** The solc version string the code was compiled with. */
  compiler: string;
  token: CompiledContract;
  pool: CompiledContract;
}

interface ArtifactEntry {
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
  methodIdentifiers: Record<string, string>;
}

interface ArtifactFile {
  format: number;
  compiler: string;
  sourceHash: string;
  contracts: Record<string, ArtifactEntry>;
}

function isOurRoot(dir: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: unknown };
    return pkg.name === "parallel-evm";
  } catch {
    return false;
  }
}

/** The repository's contracts/ folder, when this module runs from a checkout. */
function findSourcesDir(): string | undefined {
  let dir = __dirname;
  for (let up = 0; up < 4; up++) {
    dir = path.dirname(dir);
    if (CONTRACT_FILES.every((f) => fs.existsSync(path.join(dir, "contracts", f))) && isOurRoot(dir)) {
      return path.join(dir, "contracts");
    }
  }
  return undefined;
}

function readSources(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of CONTRACT_FILES) out[f] = fs.readFileSync(path.join(dir, f), "utf8");
  return out;
}

function sourceHash(sources: Record<string, string>): string {
  const h = crypto.createHash("sha256");
  h.update(JSON.stringify({ version: SOLC_VERSION, settings: SETTINGS, format: ARTIFACT_FORMAT }));
  for (const f of CONTRACT_FILES) h.update(`\0${f}\0${sources[f]}`);
  return h.digest("hex").slice(0, 32);
}

interface Solc {
  compile(input: string): string;
  version(): string;
}

/** Compiles `sources` with solc-js (a devDependency: present in a checkout, not in an install). */
function compile(sources: Record<string, string>): ArtifactFile {
  let solc: Solc;
  try {
    solc = require("solc") as Solc;
  } catch (err) {
    throw new InternalError(
      "the workload contracts are not compiled and solc is not installed (it is a devDependency: " +
        "run `npm run build:ts` in a checkout with dev dependencies)",
      { cause: err },
    );
  }
  if (!solc.version().startsWith(SOLC_VERSION + "+")) {
    throw new InternalError(`solc ${solc.version()} is installed; the contracts pin ${SOLC_VERSION}`);
  }
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(CONTRACT_FILES.map((f) => [f, { content: sources[f] }])),
    settings: SETTINGS,
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: unknown[]; evm: Record<string, unknown> }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) {
    throw new InternalError(`solc failed: ${errors.map((e) => e.formattedMessage).join("\n")}`);
  }
  const contracts: Record<string, ArtifactEntry> = {};
  for (const [file, name] of [
    ["Token.sol", "Token"],
    ["Pool.sol", "Pool"],
  ] as const) {
    const c = output.contracts?.[file]?.[name];
    if (c === undefined) throw new InternalError(`solc produced no ${name} in ${file}`);
    const evm = c.evm as {
      bytecode: { object: string };
      deployedBytecode: { object: string };
      methodIdentifiers: Record<string, string>;
    };
    contracts[name] = {
      abi: c.abi,
      bytecode: evm.bytecode.object,
      deployedBytecode: evm.deployedBytecode.object,
      methodIdentifiers: evm.methodIdentifiers,
    };
  }
  return {
    format: ARTIFACT_FORMAT,
    compiler: solc.version(),
    sourceHash: sourceHash(sources),
    contracts,
  };
}

function readArtifact(file: string): ArtifactFile | undefined {
  try {
    const a = JSON.parse(fs.readFileSync(file, "utf8")) as ArtifactFile;
    return a.format === ARTIFACT_FORMAT ? a : undefined;
  } catch {
    return undefined;
  }
}

function toContract(a: ArtifactFile, name: string): CompiledContract {
  const e = a.contracts[name];
  if (e === undefined) throw new InternalError(`the compiled contracts lack ${name}`);
  return {
    abi: e.abi,
    initCode: hexToBytes("0x" + e.bytecode),
    runtimeCode: hexToBytes("0x" + e.deployedBytecode),
    selectors: new Map(Object.entries(e.methodIdentifiers).map(([sig, id]) => [sig, hexToBytes("0x" + id)])),
  };
}

function loadArtifact(): ArtifactFile {
  const dir = findSourcesDir();
  if (dir === undefined) {
    const shipped = readArtifact(ARTIFACT_FILE);
    if (shipped === undefined) {
      throw new InternalError(
        `${ARTIFACT_FILE} is missing: the package was built without its compiled contracts`,
      );
    }
    return shipped;
  }
  const sources = readSources(dir);
  const hash = sourceHash(sources);
  const shipped = readArtifact(ARTIFACT_FILE);
  if (shipped?.sourceHash === hash) return shipped;
  const cacheFile = path.join(dir, "..", ".cache", "contracts", `${hash}.json`);
  const cached = readArtifact(cacheFile);
  if (cached?.sourceHash === hash) return cached;
  const fresh = compile(sources);
  try {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(fresh));
    fs.renameSync(tmp, cacheFile); // atomic: parallel test workers may compile at once
  } catch {
    // A read-only checkout still works; it compiles again next time.
  }
  return fresh;
}

let loaded: Contracts | undefined;

/** The compiled Token and Pool contracts (loaded once per process). */
export function workloadContracts(): Contracts {
  if (loaded === undefined) {
    const a = loadArtifact();
    loaded = { compiler: a.compiler, token: toContract(a, "Token"), pool: toContract(a, "Pool") };
  }
  return loaded;
}

/**
 * Compiles contracts/*.sol and writes the artifact file that the package ships (called by the
 * build step, scripts/build-ts.js, after tsc). Returns the path written.
 */
export function writeContractArtifacts(file: string = ARTIFACT_FILE): string {
  const dir = findSourcesDir();
  if (dir === undefined) throw new InternalError("contracts/*.sol not found above " + __dirname);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(compile(readSources(dir))) + "\n");
  return file;
}
