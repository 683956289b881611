/**
 * The root hash of a Merkle-Patricia trie (Yellow Paper, appendix D) over a set of key/value
 * pairs, built in one pass over the sorted keys: leaves, extensions and branches, with nodes
 * under 32 bytes embedded in their parent. Enough for the receipts, transactions and
 * withdrawals roots, and for the state root of a complete post-state.
 */
import { keccak256 } from "../keccak";
import { rlpEncode, type RlpItem } from "../rlp";

interface Entry {
  nibbles: Uint8Array;
  value: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** keccak256(rlp("")): the root of an empty trie. */
export const EMPTY_TRIE_ROOT: Uint8Array = Uint8Array.from(
  Buffer.from("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421", "hex"),
);

function toNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i]! >> 4;
    out[2 * i + 1] = key[i]! & 15;
  }
  return out;
}

function hexPrefix(nibbles: Uint8Array, start: number, end: number, leaf: boolean): Uint8Array {
  const n = end - start;
  const odd = n % 2 === 1;
  const out = new Uint8Array(1 + (n >> 1));
  const flag = (leaf ? 2 : 0) + (odd ? 1 : 0);
  let i = start;
  if (odd) out[0] = (flag << 4) | nibbles[i++]!;
  else out[0] = flag << 4;
  for (let j = 1; i < end; i += 2, j++) out[j] = (nibbles[i]! << 4) | nibbles[i + 1]!;
  return out;
}

/** A child reference: the node itself when its encoding is under 32 bytes, else its hash. */
function ref(node: RlpItem): RlpItem {
  const enc = rlpEncode(node);
  return enc.length < 32 ? node : keccak256(enc);
}

// Builds the node for entries[lo, hi), all sharing their first `depth` nibbles.
function build(entries: Entry[], lo: number, hi: number, depth: number): RlpItem {
  const first = entries[lo]!;
  if (hi - lo === 1) return [hexPrefix(first.nibbles, depth, first.nibbles.length, true), first.value];
  // Common prefix of the first and last key (the entries are sorted).
  const last = entries[hi - 1]!;
  let cp = depth;
  while (cp < first.nibbles.length && cp < last.nibbles.length && first.nibbles[cp] === last.nibbles[cp])
    cp++;
  if (cp > depth) return [hexPrefix(first.nibbles, depth, cp, false), ref(build(entries, lo, hi, cp))];
  const branch: RlpItem[] = new Array<RlpItem>(17).fill(EMPTY);
  let i = lo;
  if (first.nibbles.length === depth) {
    branch[16] = first.value;
    i++;
  }
  while (i < hi) {
    const nib = entries[i]!.nibbles[depth]!;
    let j = i + 1;
    while (j < hi && entries[j]!.nibbles[depth] === nib) j++;
    branch[nib] = ref(build(entries, i, j, depth + 1));
    i = j;
  }
  return branch;
}

function compare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** The trie root of `pairs` (keys distinct; empty values are omitted, as a trie has no such key). */
export function trieRoot(pairs: Iterable<[Uint8Array, Uint8Array]>): Uint8Array {
  const entries: Entry[] = [];
  for (const [k, v] of pairs) if (v.length !== 0) entries.push({ nibbles: toNibbles(k), value: v });
  if (entries.length === 0) return EMPTY_TRIE_ROOT;
  entries.sort((a, b) => compare(a.nibbles, b.nibbles));
  return keccak256(rlpEncode(build(entries, 0, entries.length, 0)));
}

/** The root of an ordered list (transactions, receipts, withdrawals): keys are rlp(index). */
export function orderedTrieRoot(values: Uint8Array[]): Uint8Array {
  return trieRoot(values.map((v, i) => [rlpEncode(bigintIndex(i)), v] as [Uint8Array, Uint8Array]));
}

function bigintIndex(i: number): Uint8Array {
  if (i === 0) return EMPTY;
  const out: number[] = [];
  for (let n = i; n > 0; n = Math.floor(n / 256)) out.unshift(n & 255);
  return Uint8Array.from(out);
}
