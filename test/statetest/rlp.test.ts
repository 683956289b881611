import { describe, expect, it } from "vitest";
import { DecodeError } from "../../lib/errors";
import { bigintToBytes, bytesToBigint, rlpDecode, rlpEncode, type RlpItem } from "../../lib/rlp";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const str = (s: string) => new TextEncoder().encode(s);

describe("rlp", () => {
  it("encodes the Yellow Paper / wiki examples", () => {
    expect(hex(rlpEncode(str("dog")))).toBe("83646f67");
    expect(hex(rlpEncode([str("cat"), str("dog")]))).toBe("c88363617483646f67");
    expect(hex(rlpEncode(new Uint8Array()))).toBe("80");
    expect(hex(rlpEncode([]))).toBe("c0");
    expect(hex(rlpEncode(bigintToBytes(0n)))).toBe("80");
    expect(hex(rlpEncode(Uint8Array.of(0)))).toBe("00");
    expect(hex(rlpEncode(bigintToBytes(15n)))).toBe("0f");
    expect(hex(rlpEncode(bigintToBytes(1024n)))).toBe("820400");
    // The set-theoretic representation of three: [ [], [[]], [ [], [[]] ] ].
    expect(hex(rlpEncode([[], [[]], [[], [[]]]]))).toBe("c7c0c1c0c3c0c1c0");
    const lorem = str("Lorem ipsum dolor sit amet, consectetur adipisicing elit");
    expect(hex(rlpEncode(lorem))).toBe("b838" + hex(lorem));
  });

  it("uses the long forms past 55 bytes (string and list)", () => {
    const s = new Uint8Array(1024).fill(0xaa);
    expect(hex(rlpEncode(s)).slice(0, 6)).toBe("b90400");
    const list: RlpItem[] = Array.from({ length: 20 }, () => str("abc"));
    expect(hex(rlpEncode(list)).slice(0, 4)).toBe("f850"); // 20 * 4 = 80 = 0x50
  });

  it("round-trips nested items", () => {
    const item: RlpItem = [str("a"), [new Uint8Array(60).fill(1), []], new Uint8Array(), Uint8Array.of(0x80)];
    const decoded = rlpDecode(rlpEncode(item));
    expect(hex(rlpEncode(decoded))).toBe(hex(rlpEncode(item)));
  });

  it("rejects malformed input", () => {
    expect(() => rlpDecode(Uint8Array.from([0x83, 0x61]))).toThrow(DecodeError); // runs past the end
    expect(() => rlpDecode(Uint8Array.from([0x81, 0x05]))).toThrow(DecodeError); // non-canonical byte
    expect(() => rlpDecode(Uint8Array.from([0xb8, 0x01, 0x61]))).toThrow(DecodeError); // long form, short
    expect(() => rlpDecode(Uint8Array.from([0x80, 0x80]))).toThrow(DecodeError); // trailing bytes
    expect(() => rlpDecode(new Uint8Array())).toThrow(DecodeError);
  });

  it("converts integers to minimal big-endian bytes and back", () => {
    expect(hex(bigintToBytes(0x0100n))).toBe("0100");
    expect(bytesToBigint(bigintToBytes(2n ** 255n + 7n))).toBe(2n ** 255n + 7n);
    expect(bytesToBigint(new Uint8Array())).toBe(0n);
  });
});
