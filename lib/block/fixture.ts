/**
 * The mainnet fixture folder format (../shared/data/mainnet): blocks/<n>/block.json and
 * pre_state.json, a shared bytecodes.json (code hash -> code) and block_hashes.json. The big
 * shared files are read once per folder; a block's decoding converts only what it uses.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DecodeError } from "../errors";
import { CodeTable, decodeBlockHashes, decodePreStateBytes, decodeRpcBlock, parseJson } from "./json";
import type { Block, BlockContext } from "./types";

export interface MainnetFixture {
  dir: string;
  /** The block numbers present, ascending. */
  numbers: bigint[];
  codes: CodeTable;
  blockHashes: Map<bigint, Uint8Array>;
}

function readBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new DecodeError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new DecodeError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseJson(text, file);
}

// Block files are read into one reused buffer (up to this size): here a fresh buffer per file cost
// a page fault per 4 KiB, more than the read itself.
const SCRATCH_LIMIT = 16 << 20;
let readScratch = Buffer.alloc(0);

/** readJson for the per-block files, through the reused buffer. */
function readBlockJson(file: string): unknown {
  let text: string;
  try {
    const fd = fs.openSync(file, "r");
    try {
      const size = fs.fstatSync(fd).size;
      if (size > SCRATCH_LIMIT) {
        text = fs.readFileSync(fd, "utf8");
      } else {
        if (readScratch.length < size + 1)
          readScratch = Buffer.allocUnsafe(Math.max(size + 1, 2 * readScratch.length));
        let n = 0;
        for (;;) {
          const k = fs.readSync(fd, readScratch, n, readScratch.length - n, null);
          if (k === 0) break;
          n += k;
          if (n === readScratch.length) {
            const grown = Buffer.allocUnsafe(2 * n); // the file grew since fstat
            readScratch.copy(grown, 0, 0, n);
            readScratch = grown;
          }
        }
        text = readScratch.toString("utf8", 0, n);
      }
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    throw new DecodeError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseJson(text, file);
}

/** Opens a fixture folder (reads bytecodes.json and block_hashes.json). */
export function openMainnetFixture(dir: string): MainnetFixture {
  const blocksDir = path.join(dir, "blocks");
  if (!fs.existsSync(blocksDir)) throw new DecodeError(`${dir} is not a mainnet fixture folder (no blocks/)`);
  const numbers = fs
    .readdirSync(blocksDir)
    .filter((n) => /^[0-9]+$/.test(n))
    .map((n) => BigInt(n))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const codesFile = path.join(dir, "bytecodes.json");
  const hashesFile = path.join(dir, "block_hashes.json");
  return {
    dir,
    numbers,
    codes: new CodeTable(fs.existsSync(codesFile) ? readJson(codesFile) : {}),
    blockHashes: fs.existsSync(hashesFile) ? decodeBlockHashes(readJson(hashesFile)) : new Map(),
  };
}

/** Reads and decodes one block with its pre-state. */
export function loadMainnetBlock(
  fx: MainnetFixture,
  number: bigint,
): { block: Block; context: BlockContext } {
  const dir = path.join(fx.dir, "blocks", number.toString());
  const block = decodeRpcBlock(readBlockJson(path.join(dir, "block.json")));
  const preFile = path.join(dir, "pre_state.json");
  const pre = decodePreStateBytes(readBytes(preFile), fx.codes, preFile);
  return { block, context: { pre, blockHashes: fx.blockHashes, chainId: 1n } };
}
