/**
 * Compares two block results field by field (everything but timings and Block-STM metrics), so
 * that a parallel run can be checked against the sequential oracle and the first difference named.
 */
import type { BlockResult } from "./types";

/** The path and values of the first difference between `a` and `b`, or undefined if identical. */
export function firstDifference(a: BlockResult, b: BlockResult): string | undefined {
  const { timings: _ta, stm: _sa, ...ra } = a;
  const { timings: _tb, stm: _sb, ...rb } = b;
  return diff(ra, rb, "result");
}

function show(v: unknown): string {
  if (v instanceof Uint8Array)
    return "0x" + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex");
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Map) return `Map(${v.size})`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  return JSON.stringify(v) ?? String(v);
}

function diff(a: unknown, b: unknown, path: string): string | undefined {
  if (Object.is(a, b)) return undefined;
  const differ = () => `${path}: ${show(a)} != ${show(b)}`;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return differ();
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return differ();
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return differ();
    return undefined;
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map)) return differ();
    if (a.size !== b.size) return `${path}: ${a.size} entries != ${b.size} entries`;
    for (const [k, v] of a) {
      if (!b.has(k)) return `${path}: key ${show(k)} only on the left`;
      const d = diff(v, b.get(k), `${path}[${show(k)}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b))) return differ();
    if (a.length !== b.length) return `${path}: length ${a.length} != ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = diff(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  for (const k of new Set([...ka, ...kb])) {
    const d = diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}
