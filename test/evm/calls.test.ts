/**
 * Calls and creates with exact gas: the 63/64 rule (EIP-150), value-transfer stipends, CREATE2
 * (EIP-1014) with EIP-3860 initcode word costs, SELFDESTRUCT per fork (EIP-6780 from Cancun),
 * the EIP-3860 initcode limit, the EIP-7623 calldata floor and the EIP-7825 gas limit cap.
 */
import { describe, expect, it } from "vitest";
import type { Fork } from "../../lib/fork";
import { call, code, create, create2, mstore, push } from "../helpers/bytecode";
import { bigintToBytes, rlpEncode } from "../../lib/rlp";
import { CONTRACT, OTHER, SENDER, account, create2Address, hexToU8, keccak, run, slot } from "../helpers/evm";

const MAX = (1n << 256n) - 1n;

describe("the 63/64 rule (EIP-150)", () => {
  const burner = { [OTHER]: account({ code: Uint8Array.of(0xfe) }) }; // INVALID: burns all its gas

  it("a CALL asking for all gas gets all but 1/64 of what is left", () => {
    // gas limit 100000: 79000 after intrinsic; 7 pushes 21 -> 78979; cold account 2600 -> 76379;
    // the callee gets 76379 - floor(76379 / 64) = 76379 - 1193 = 75186 and burns it; 1193 remain;
    // POP 2 -> 1191 left, so gasUsed = 100000 - 1191 = 98809
    const r = run("Cancun", {
      code: code(call({ gas: MAX, to: OTHER }), "POP"),
      pre: burner,
      tx: { gasLimit: 100_000n },
    });
    expect(r.status).toBe("success");
    expect(r.gasUsed).toBe(98809n);
  });

  it("a CALL asking for less gets exactly that", () => {
    // 21 + 2600 + 1000 (burned by the callee) + 2
    const r = run("Cancun", { code: code(call({ gas: 1000, to: OTHER }), "POP"), pre: burner });
    expect(r.gasUsed).toBe(21000n + 21n + 2600n + 1000n + 2n);
  });

  it("a value transfer costs 9000 and gives the callee a free 2300 stipend", () => {
    // 21 + 2600 + 9000; the callee burns the 2300 stipend, which the caller never paid; POP 2
    const r = run("Cancun", {
      code: code(call({ gas: 0, to: OTHER, value: 1 }), "POP"),
      pre: burner,
      balance: 10n,
    });
    expect(r.gasUsed).toBe(21000n + 21n + 2600n + 9000n + 2n);
    expect(r.post.get(CONTRACT)?.balance).toBe(10n); // the failed call's transfer is undone
  });
});

describe("CREATE2 (EIP-1014)", () => {
  // initcode: PUSH1 0 PUSH1 0 RETURN (6 gas, deploys empty code); 5 bytes = 1 word
  const initcode = Uint8Array.of(0x60, 0x00, 0x60, 0x00, 0xf3);

  it.each(["Cancun", "Prague", "Osaka"] as Fork[])(
    "creates at keccak(0xff ++ sender ++ salt ++ keccak(init)) (%s)",
    (fork) => {
      const salt = 0x2an;
      const r = run(fork, {
        code: code(
          mstore(0, initcode), // PUSH5 3 + PUSH1 3 + MSTORE 3 + memory 3 = 12; initcode at bytes 27..31
          create2(0, 27, 5, salt), // 4 pushes 12 + 32000 + keccak 6/word + EIP-3860 2/word = 32020
          push(0),
          "SSTORE", // 3 + 22100
        ),
      });
      expect(r.status).toBe("success");
      // + 6 for running the initcode
      expect(r.gasUsed).toBe(21000n + 12n + 12n + 32008n + 6n + 3n + 22100n);
      const created = create2Address(CONTRACT, salt, initcode);
      expect(slot(r, CONTRACT, 0)).toBe(BigInt(created));
      expect(r.post.get(created)).toMatchObject({ nonce: 1n, balance: 0n });
      expect(r.post.get(created)?.code.length).toBe(0);
      expect(r.post.get(CONTRACT)?.nonce).toBe(2n);
    },
  );

  it("Paris has no initcode word cost", () => {
    const r = run("Paris", { code: code(mstore(0, initcode), create2(0, 27, 5, 0), push(0), "SSTORE") });
    expect(r.gasUsed).toBe(21000n + 12n + 12n + 32006n + 6n + 3n + 22100n);
  });
});

describe("SELFDESTRUCT", () => {
  const BENEFICIARY = "0x000000000000000000000000000000000000beef";
  const destruct = (to: string) => code(push(to), "SELFDESTRUCT");

  it("Cancun (EIP-6780): a pre-existing contract only sends its balance and survives", () => {
    // PUSH20 3 + SELFDESTRUCT 5000 + cold beneficiary 2600
    const r = run("Cancun", {
      code: destruct(OTHER),
      balance: 1000n,
      pre: { [OTHER]: account({ balance: 1n }) },
    });
    expect(r.gasUsed).toBe(21000n + 7603n);
    expect(r.post.get(CONTRACT)).toMatchObject({ balance: 0n, nonce: 1n });
    expect(r.post.get(CONTRACT)?.code.length).toBe(22); // PUSH20 addr SELFDESTRUCT
    expect(r.post.get(OTHER)?.balance).toBe(1001n);
  });

  it("Shanghai: the contract is deleted", () => {
    const r = run("Shanghai", {
      code: destruct(OTHER),
      balance: 1000n,
      pre: { [OTHER]: account({ balance: 1n }) },
    });
    expect(r.gasUsed).toBe(21000n + 7603n);
    expect(r.post.has(CONTRACT)).toBe(false);
    expect(r.post.get(OTHER)?.balance).toBe(1001n);
  });

  it("sending value to a new account costs 25000 more", () => {
    const r = run("Cancun", { code: destruct(BENEFICIARY), balance: 1000n });
    expect(r.gasUsed).toBe(21000n + 7603n + 25000n);
    expect(r.post.get(BENEFICIARY)?.balance).toBe(1000n);
  });

  it("Berlin refunded 24000, capped at half the gas used", () => {
    // gross 28603, refund min(24000, 14301) -> 14302
    const r = run("Berlin", {
      code: destruct(OTHER),
      balance: 1000n,
      pre: { [OTHER]: account({ balance: 1n }) },
    });
    expect(r.gasUsed).toBe(14302n);
  });

  it("Cancun: to itself, a pre-existing contract keeps its balance", () => {
    // ADDRESS 2 + SELFDESTRUCT 5000 (the contract itself is warm)
    const r = run("Cancun", { code: code("ADDRESS", "SELFDESTRUCT"), balance: 1000n });
    expect(r.gasUsed).toBe(21000n + 5002n);
    expect(r.post.get(CONTRACT)?.balance).toBe(1000n);
  });
});

describe("CREATE and the EIP-3860 initcode limit", () => {
  it("CREATE of 49152 zero bytes (STOP) pays memory, 32000 and 2 per initcode word", () => {
    // pushes: PUSH2 49152, PUSH1 0, PUSH1 0 = 9; memory 1536 words: 4608 + 1536^2/512 = 9216;
    // CREATE 32000 + 2 * 1536 = 35072; the initcode stops at once; POP 2
    const r = run("Cancun", { code: code(create(0, 0, 49152), "POP") });
    expect(r.status).toBe("success");
    expect(r.gasUsed).toBe(21000n + 9n + 9216n + 35072n + 2n);
    const address =
      "0x" +
      Buffer.from(keccak(rlpEncode([hexToU8(CONTRACT), bigintToBytes(1n)])).subarray(12)).toString("hex");
    expect(r.post.get(address)).toMatchObject({ nonce: 1n });
    expect(r.post.get(CONTRACT)?.nonce).toBe(2n);
  });

  it("CREATE of 49153 bytes is an exceptional halt consuming all gas", () => {
    const r = run("Cancun", { code: code(create(0, 0, 49153), "POP") });
    expect(r.status).toBe("failure");
    expect(r.gasUsed).toBe(1_000_000n);
  });
});

describe("transaction-level limits", () => {
  // A create transaction whose initcode is all zeros (STOP at once, deploys nothing).
  const zeros = (n: number) => ({ to: null, data: new Uint8Array(n) });

  it("EIP-3860: 49152 bytes of initcode are allowed, with 2 gas per word", () => {
    // 53000 + 4 * 49152 (zero bytes) + 2 * 1536 words = 53000 + 196608 + 3072 = 252680
    const r = run("Cancun", { tx: zeros(49152) });
    expect(r.invalid).toBeUndefined();
    expect(r.gasUsed).toBe(252680n);
    // the new contract: keccak(rlp([sender, nonce 0]))[12:], nonce 1, no code
    const address =
      "0x" +
      Buffer.from(keccak(rlpEncode([hexToU8(SENDER), bigintToBytes(0n)])).subarray(12)).toString("hex");
    expect(r.post.get(address)).toMatchObject({ nonce: 1n, balance: 0n });
    expect(r.post.get(SENDER)?.nonce).toBe(1n);
  });

  it("EIP-3860: 49153 bytes make the transaction invalid", () => {
    const r = run("Cancun", { tx: zeros(49153) });
    expect(r.invalid?.reason).toMatch(/INITCODE/);
    expect(r.post.get(SENDER)?.nonce).toBe(0n);
  });

  it("EIP-7623 (Prague): the calldata floor 21000 + 10 * tokens wins for zero-heavy data", () => {
    // tokens = 49152 zero bytes; floor = 21000 + 491520 = 512520 > 252680
    const r = run("Prague", { tx: zeros(49152) });
    expect(r.gasUsed).toBe(512520n);
    // below the floor the transaction is invalid
    const low = run("Prague", { tx: { ...zeros(49152), gasLimit: 512519n } });
    expect(low.invalid).toBeDefined();
  });

  it("EIP-7825 (Osaka): a gas limit above 2^24 is invalid; Prague accepts it", () => {
    expect(run("Osaka", { tx: { gasLimit: 1n << 24n } }).invalid).toBeUndefined();
    expect(run("Osaka", { tx: { gasLimit: (1n << 24n) + 1n } }).invalid).toBeDefined();
    const prague = run("Prague", { tx: { gasLimit: (1n << 24n) + 1n } });
    expect(prague.invalid).toBeUndefined();
    expect(prague.gasUsed).toBe(21000n);
  });
});
