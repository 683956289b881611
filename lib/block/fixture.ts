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
  const block = decodeRpcBlock(readJson(path.join(dir, "block.json")));
  const preFile = path.join(dir, "pre_state.json");
  const pre = decodePreStateBytes(readBytes(preFile), fx.codes, preFile);
  return { block, context: { pre, blockHashes: fx.blockHashes, chainId: 1n } };
}
