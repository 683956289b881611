/**
 * The prestate JSON scanned as bytes (encodePreStateBytes) must give exactly the sections that
 * JSON.parse + encodePreStateJson give, and give up on anything outside its plain shape, so that
 * decodePreStateBytes then behaves as decodePreState does (same accounts, same errors).
 */
import { describe, expect, it } from "vitest";
import { CodeTable, decodePreState, decodePreStateBytes } from "../../lib/block/json";
import {
  encodedPreState,
  encodePreStateBytes,
  encodePreStateJson,
  type PreSections,
} from "../../lib/block/prestate-wire";
import { DecodeError, MissingStateError } from "../../lib/errors";

const CODE_HASH = "0x" + "ab".repeat(32);
const codes = new CodeTable({ [CODE_HASH]: "0x6001600055" });
const lookup = (h: string): Uint8Array | undefined => codes.find(h);
const A = "0x1000000000000000000000000000000000000001";
const B = "0x2000000000000000000000000000000000000002";
const C = "0x3000000000000000000000000000000000000003";

const scan = (text: string): PreSections | undefined => encodePreStateBytes(Buffer.from(text), lookup);
const parsed = (text: string): PreSections | undefined =>
  encodePreStateJson(JSON.parse(text) as Record<string, unknown>, lookup);

function expectSame(text: string): void {
  const a = scan(text);
  const b = parsed(text);
  expect(a).toBeDefined();
  expect(b).toBeDefined();
  expect(Buffer.from(a!.accounts).equals(Buffer.from(b!.accounts))).toBe(true);
  expect(a!.count).toBe(b!.count);
  expect(a!.codes).toEqual(b!.codes);
  expect(a!.hashes.map((h) => Buffer.from(h).toString("hex"))).toEqual(
    b!.hashes.map((h) => Buffer.from(h).toString("hex")),
  );
}

// A deterministic generator (no seed to replay: the same cases every run).
function* cases(): Generator<Record<string, unknown>> {
  let x = 12345;
  const rand = (n: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % n;
  };
  const hex = (digits: number): string => {
    let s = "";
    for (let i = 0; i < digits; i++) s += "0123456789abcdef"[rand(16)];
    return s;
  };
  const quantity = (): unknown => {
    const k = rand(6);
    if (k === 0) return rand(1000);
    if (k === 1) return "0x0";
    if (k === 2) return "0x" + "0".repeat(rand(4)) + hex(1 + rand(63));
    if (k === 3) return "0x" + hex(64).toUpperCase();
    return "0x" + (1 + rand(15)).toString(16) + hex(rand(20));
  };
  for (let c = 0; c < 200; c++) {
    const o: Record<string, unknown> = {};
    let addr = BigInt("0x" + hex(10));
    for (let a = rand(6); a > 0; a--) {
      addr += BigInt(1 + rand(1 << 30)) << BigInt(rand(120));
      const acc: Record<string, unknown> = {};
      if (rand(4)) acc["balance"] = quantity();
      if (rand(4)) acc["nonce"] = rand(2) ? rand(100000) : "0x" + (1 + rand(15)).toString(16) + hex(rand(15));
      if (rand(3) === 0)
        acc[rand(2) ? "code_hash" : "codeHash"] = rand(2)
          ? CODE_HASH
          : CODE_HASH.toUpperCase().replace("0X", "0x");
      if (rand(3)) {
        const storage: Record<string, unknown> = {};
        for (let s = rand(40); s > 0; s--) {
          const key = rand(3) ? rand(200).toString(16) : (1 + rand(15)).toString(16) + hex(rand(63));
          storage["0x" + key] = quantity();
        }
        acc["storage"] = storage;
      }
      o["0x" + addr.toString(16).padStart(40, "0").slice(-40)] = acc;
    }
    yield o;
  }
}

describe("prestate JSON scanned as bytes", () => {
  it("gives the sections that JSON.parse and encodePreStateJson give", () => {
    for (const o of cases()) {
      const keys = Object.keys(o);
      if (keys.some((k, i) => i > 0 && k <= keys[i - 1]!)) continue; // the scanner wants them ascending
      expectSame(JSON.stringify(o));
      expectSame(JSON.stringify(o, null, 2));
      expectSame(JSON.stringify(o, null, "\t").replace(/\n/g, "\r\n"));
    }
    expectSame("{}");
    expectSame(` { "${A}" : { } } `);
  });

  it("repeated storage keys, few or many, are left to JSON.parse", () => {
    const few = `{"${A}":{"storage":{"0x1":"0x1","0x2":"0x2","0x1":"0x0"}}}`;
    expect(scan(few)).toBeUndefined();
    const keys = Array.from({ length: 100 }, (_, i) => `"0x${(i * 7919).toString(16)}":"0x${i}"`);
    expect(scan(`{"${A}":{"storage":{${keys.join(",")}}}}`)).toBeDefined();
    keys.push(`"0x${(42 * 7919).toString(16)}":"0x0"`);
    expect(scan(`{"${A}":{"storage":{${keys.join(",")}}}}`)).toBeUndefined();
  });

  it("gives up on anything outside the plain shape", () => {
    const acc = `{"balance":"0x1","nonce":1}`;
    const bad = [
      `{"${B}":${acc},"${A}":${acc}}`, // not ascending
      `{"${A}":${acc},"${A}":${acc}}`, // repeated
      `{"${A.replace("1", "A")}":${acc}}`, // capitals
      `{"${A}":{"balance":"0x1","balance":"0x2"}}`,
      `{"${A}":{"code_hash":"${CODE_HASH}","codeHash":"${CODE_HASH}"}}`,
      `{"${A}":{"code":"0x00"}}`,
      `{"${A}":{"balance":null}}`,
      `{"${A}":{"storage":null}}`,
      `{"${A}":{"other":1}}`,
      `{"${A}":{"bal\\u0061nce":"0x1"}}`,
      `{"${A}":{"balance":"0x\\u0031"}}`,
      `{"${A}":{"nonce":1e3}}`,
      `{"${A}":{"nonce":1.0}}`,
      `{"${A}":{"nonce":01}}`,
      `{"${A}":{"nonce":-1}}`,
      `{"${A}":{"nonce":12345678901234567}}`,
      `{"${A}":{"nonce":"0x10000000000000000"}}`,
      `{"${A}":{"balance":"0x${"1".repeat(65)}"}}`,
      `{"${A}":{"balance":"0x"}}`,
      `{"${A}":{"balance":"1"}}`,
      `{"${A}":{"storage":{"0x01":"0x1"}}}`,
      `{"${A}":{"storage":{"0xA":"0x1"}}}`,
      `{"${A}":{"code_hash":"0x${"11".repeat(32)}"}}`, // not in the table
      `{"${A}":${acc},}`,
      `{"${A}":${acc}} x`,
      `{"${A}":${acc}`,
      `[]`,
      ``,
    ];
    for (const text of bad) expect(scan(text), text).toBeUndefined();
  });

  it("decodePreStateBytes decodes as decodePreState does, fast or not", () => {
    const texts = [
      `{"${A}":{"balance":"0x10","nonce":3,"code_hash":"${CODE_HASH}","storage":{"0x1":"0xff","0x0":"0x0"}},"${C}":{}}`,
      `{"${C}":{"balance":"0x10"},"${A}":{"nonce":"0x2"}}`, // not ascending: parsed, then fast
      `{"${A.replace("1", "A")}":{"balance":"0x1"}}`,
    ];
    for (const text of texts) {
      const state = decodePreStateBytes(Buffer.from(text), codes, "pre_state.json");
      expect(encodedPreState(state) !== undefined).toBe(text !== texts[2]); // capitals: eager
      expect(new Map(state)).toEqual(new Map(decodePreState(JSON.parse(text), codes)));
    }
    const err = (text: string): unknown => {
      try {
        decodePreStateBytes(Buffer.from(text), codes, "pre_state.json");
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(err(`{"${A}":`)).toBeInstanceOf(DecodeError);
    expect(String(err(`{"${A}":`))).toContain("pre_state.json");
    expect(err(`{"${A}":{"balance":"0x1g"}}`)).toBeInstanceOf(DecodeError);
    expect(err(`{"${A}":{"code_hash":"0x${"11".repeat(32)}"}}`)).toBeInstanceOf(MissingStateError);
  });
});
