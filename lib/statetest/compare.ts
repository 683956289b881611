/**
 * Comparing a post state and logs with a state test's expectations. The comparison is total:
 * every expected account must exist with the same balance, nonce, code and storage (a zero slot
 * is the same as an absent one), and no other account may exist. The first difference is
 * reported, in the expected state's order, then any unexpected account.
 */
import { bytesToHex } from "../bytes";
import { keccak256 } from "../keccak";
import { rlpEncode, type RlpItem } from "../rlp";
import type { Account, Log, State } from "../state";

/** What differs, for grouping failures by kind. */
export type DifferenceKind =
  "missing-account" | "unexpected-account" | "balance" | "nonce" | "code" | "storage";

/** The first difference between an expected and an actual state. */
export interface StateDifference {
  kind: DifferenceKind;
  address: string;
  /** The storage slot (0x hex) for kind "storage". */
  slot?: string;
  /** Human-readable expected and actual values. */
  expected: string;
  actual: string;
}

function hexQ(v: bigint): string {
  return "0x" + v.toString(16);
}

function codeText(code: Uint8Array): string {
  const hex = bytesToHex(code);
  return hex.length > 66 ? `${hex.slice(0, 66)}… (${code.length} bytes)` : hex;
}

function describeAccount(a: Account): string {
  return `balance ${hexQ(a.balance)}, nonce ${a.nonce}, code ${a.code.length} bytes, ${a.storage.size} slots`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The first difference of one account, or undefined when they are equal. */
export function compareAccount(
  address: string,
  expected: Account,
  actual: Account,
): StateDifference | undefined {
  if (expected.balance !== actual.balance)
    return {
      kind: "balance",
      address,
      expected: hexQ(expected.balance),
      // The signed difference helps spot gas errors: a sender off by k * gas price wei.
      actual: `${hexQ(actual.balance)} (${actual.balance > expected.balance ? "+" : ""}${actual.balance - expected.balance} wei)`,
    };
  if (expected.nonce !== actual.nonce)
    return { kind: "nonce", address, expected: hexQ(expected.nonce), actual: hexQ(actual.nonce) };
  if (!sameBytes(expected.code, actual.code))
    return { kind: "code", address, expected: codeText(expected.code), actual: codeText(actual.code) };
  for (const [slot, value] of expected.storage) {
    const got = actual.storage.get(slot) ?? 0n;
    if (got !== value)
      return { kind: "storage", address, slot: hexQ(slot), expected: hexQ(value), actual: hexQ(got) };
  }
  // Slots set in the actual state that the expected state does not list (zero is absent).
  const extra = [...actual.storage]
    .filter(([slot, value]) => value !== 0n && !expected.storage.has(slot))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))[0];
  if (extra)
    return { kind: "storage", address, slot: hexQ(extra[0]), expected: "0x0", actual: hexQ(extra[1]) };
  return undefined;
}

/** The first difference between two states, or undefined when they are equal. */
export function compareState(expected: State, actual: State): StateDifference | undefined {
  for (const [address, want] of expected) {
    const got = actual.get(address);
    if (!got) return { kind: "missing-account", address, expected: describeAccount(want), actual: "absent" };
    const diff = compareAccount(address, want, got);
    if (diff) return diff;
  }
  const extras = [...actual.keys()].filter((a) => !expected.has(a)).sort();
  const first = extras[0];
  if (first !== undefined) {
    const got = actual.get(first)!;
    return { kind: "unexpected-account", address: first, expected: "absent", actual: describeAccount(got) };
  }
  return undefined;
}

/** One line describing a difference. */
export function formatDifference(d: StateDifference): string {
  switch (d.kind) {
    case "missing-account":
      return `account ${d.address} missing (expected ${d.expected})`;
    case "unexpected-account":
      return `account ${d.address} should not exist (got ${d.actual})`;
    case "storage":
      return `${d.address} storage[${d.slot}]: expected ${d.expected}, got ${d.actual}`;
    default:
      return `${d.address} ${d.kind}: expected ${d.expected}, got ${d.actual}`;
  }
}

/** The RLP of a list of logs: [[address, [topic...], data], ...]. */
export function encodeLogs(logs: readonly Log[]): Uint8Array {
  const items: RlpItem[] = logs.map((log) => [
    Uint8Array.from(Buffer.from(log.address.slice(2), "hex")),
    log.topics.map((t) => t),
    log.data,
  ]);
  return rlpEncode(items);
}

/** keccak256(rlp(logs)) as lowercase 0x hex: what a state test's `logs` field holds. */
export function logsHash(logs: readonly Log[]): string {
  return bytesToHex(keccak256(encodeLogs(logs)));
}
