/**
 * The world state after a block: a state diff applied to a complete pre-state (copy on write,
 * the pre-state is not modified), and the state root of a complete state (the account trie over
 * keccak(address), each account's storage trie over keccak(slot)).
 */
import { keccak256 } from "../keccak";
import { bigintToBytes, rlpEncode } from "../rlp";
import type { Account, State } from "../state";
import { trieRoot } from "./trie";
import type { AccountDiff } from "./types";

const codeHashes = new WeakMap<Uint8Array, Uint8Array>();

function codeHash(code: Uint8Array): Uint8Array {
  let h = codeHashes.get(code);
  if (h === undefined) {
    h = keccak256(code);
    codeHashes.set(code, h);
  }
  return h;
}

function word(v: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(64, "0"), "hex"));
}

/** The state after `diff`, sharing unchanged accounts with `pre`. */
export function applyDiff(pre: State, diff: AccountDiff[]): State {
  const post: State = new Map(pre);
  for (const d of diff) {
    if (d.deleted) {
      post.delete(d.address);
      continue;
    }
    const old = post.get(d.address);
    const storage = d.storageReset || old === undefined ? new Map<bigint, bigint>() : new Map(old.storage);
    for (const [k, v] of d.storage) {
      if (v === 0n) storage.delete(k);
      else storage.set(k, v);
    }
    const account: Account = {
      balance: d.balance,
      nonce: d.nonce,
      code: d.code ?? old?.code ?? new Uint8Array(0),
      storage,
    };
    post.set(d.address, account);
  }
  return post;
}

const storageRoots = new WeakMap<Map<bigint, bigint>, Uint8Array>();

/** The storage root of one account (cached per map: maps are never mutated once built). */
export function storageRoot(storage: Map<bigint, bigint>): Uint8Array {
  const cached = storageRoots.get(storage);
  if (cached !== undefined) return cached;
  const pairs: [Uint8Array, Uint8Array][] = [];
  for (const [k, v] of storage) if (v !== 0n) pairs.push([keccak256(word(k)), rlpEncode(bigintToBytes(v))]);
  const root = trieRoot(pairs);
  storageRoots.set(storage, root);
  return root;
}

/** The state root of a complete state. */
export function stateRoot(state: State): Uint8Array {
  const pairs: [Uint8Array, Uint8Array][] = [];
  for (const [address, acc] of state) {
    const value = rlpEncode([
      bigintToBytes(acc.nonce),
      bigintToBytes(acc.balance),
      storageRoot(acc.storage),
      codeHash(acc.code),
    ]);
    pairs.push([keccak256(Buffer.from(address.slice(2), "hex")), value]);
  }
  return trieRoot(pairs);
}
