import { describe, expect, it } from "vitest";
import { Rev, Status, expectCost, fromHex, run, toHex } from "./run";

const BLAKE2F = 9;

// EIP-152 test vectors: rounds (4 bytes BE) || h (64) || m (128) || t (16) || f (1).
const H =
  "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b";
const M = "6162630000000000000000000000000000000000000000000000000000000000" + "00".repeat(96);
const T = "03000000000000000000000000000000";
const input = (rounds: string, f: string) => fromHex(rounds + H + M + T + f);

describe("blake2f (0x09)", () => {
  it("matches the EIP-152 vectors, one gas per round", () => {
    expect(toHex(expectCost(BLAKE2F, Rev.Istanbul, input("00000000", "01"), 0).output)).toBe(
      "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b",
    );
    expect(toHex(expectCost(BLAKE2F, Rev.Istanbul, input("0000000c", "01"), 12).output)).toBe(
      "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
    );
    expect(toHex(expectCost(BLAKE2F, Rev.Osaka, input("0000000c", "00"), 12).output)).toBe(
      "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d2875298743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735",
    );
    expect(toHex(expectCost(BLAKE2F, Rev.Cancun, input("00000001", "01"), 1).output)).toBe(
      "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fba551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421",
    );
  });

  it("charges the rounds before running: 2^32-1 rounds run out of gas", () => {
    expect(run(BLAKE2F, Rev.Cancun, input("ffffffff", "01"), 30_000_000)).toMatchObject({
      status: Status.OutOfGas,
      gasLeft: 0,
    });
  });

  it("fails on a wrong length or a final flag other than 0 or 1, consuming all gas", () => {
    const ok = input("0000000c", "01");
    for (const bad of [
      ok.subarray(0, 212),
      new Uint8Array([...ok, 0]),
      new Uint8Array(),
      input("0000000c", "02"),
    ]) {
      expect(run(BLAKE2F, Rev.Cancun, bad, 100_000)).toMatchObject({ status: Status.Failure, gasLeft: 0 });
    }
  });

  it("does not exist before Istanbul", () => {
    expect(run(BLAKE2F, Rev.Petersburg, input("0000000c", "01"), 100_000).status).toBe(Status.Rejected);
  });
});
