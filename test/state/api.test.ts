/** lib/fork.ts and the argument, error and VM-choice surface of executeTransaction. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { addonPath, native } from "../../lib/binding";
import { callNative, DecodeError, InvalidArgumentError, VmLoadError } from "../../lib/errors";
import { forkRevision, forks, parseFork } from "../../lib/fork";
import { executeTransaction, type TxRequest } from "../../lib/state";
import { account, code, CONTRACT, env, SENDER, state, tx } from "./helpers";

describe("forks", () => {
  it("numbers forks as evmc_revision", () => {
    expect(forks).toHaveLength(15);
    expect(forkRevision("Frontier")).toBe(0);
    expect(forkRevision("Cancun")).toBe(12);
    expect(forkRevision("Osaka")).toBe(14);
  });

  it("parses fixture spellings case-insensitively", () => {
    expect(parseFork("EIP150")).toBe("TangerineWhistle");
    expect(parseFork("EIP158")).toBe("SpuriousDragon");
    expect(parseFork("ConstantinopleFix")).toBe("Petersburg");
    expect(parseFork("Merge")).toBe("Paris");
    expect(parseFork("prague")).toBe("Prague");
    expect(() => parseFork("Amsterdam")).toThrow(InvalidArgumentError);
    expect(() => parseFork("CancunToPragueAtTime15k")).toThrow(InvalidArgumentError);
  });
});

describe("arguments", () => {
  it("rejects malformed arguments with InvalidArgumentError", () => {
    const bad: [string, () => unknown][] = [
      ["fork", () => executeTransaction("Cancun2" as never, state(), env(), tx())],
      ["address", () => executeTransaction("Cancun", state(), env(), tx({ to: "0x1234" }))],
      ["negative value", () => executeTransaction("Cancun", state(), env(), tx({ value: -1n }))],
      ["value >= 2^256", () => executeTransaction("Cancun", state(), env(), tx({ value: 2n ** 256n }))],
      ["number", () => executeTransaction("Cancun", state(), env(), tx({ nonce: 1 as never }))],
      ["type", () => executeTransaction("Cancun", state(), env(), tx({ type: 5 as never }))],
      [
        "missing gasPrice",
        () => executeTransaction("Cancun", state(), env(), { ...tx({ type: 0 }) } as TxRequest),
      ],
      [
        "pre nonce",
        () => executeTransaction("Cancun", new Map([[SENDER, account({ nonce: 2n ** 64n })]]), env(), tx()),
      ],
      ["env", () => executeTransaction("Cancun", state(), { ...env(), gasLimit: 2n ** 64n }, tx())],
      ["data", () => executeTransaction("Cancun", state(), env(), tx({ data: "0x00" as never }))],
    ];
    for (const [what, fn] of bad) expect(fn, what).toThrow(InvalidArgumentError);
  });

  it("rejects a malformed native request with DecodeError (ERR_DECODE)", () => {
    const call = (bytes: number[]) => () =>
      callNative(() => native().executeTransaction(Uint8Array.from(bytes)));
    expect(call([])).toThrow(DecodeError);
    expect(call([9, 12])).toThrow(/unknown encoding version/);
    expect(call([1, 99, 0, 0, 0, 0])).toThrow(/unknown fork revision/);
    expect(call([1, 12, 0, 0, 0, 0, 1, 2, 3])).toThrow(/truncated/);
    expect(call([1, 12, 0xff, 0xff, 0xff, 0xff])).toThrow(DecodeError);
  });

  it("reports an EVMC VM that cannot be loaded as VmLoadError", () => {
    expect(() =>
      executeTransaction("Cancun", state(), env(), tx(), { vm: "/nonexistent/libnothing.so" }),
    ).toThrow(VmLoadError);
  });
});

describe("VM choice", () => {
  const dir = path.dirname(addonPath());
  const vm = ["parallel_evm.so", "libparallel_evm.so"]
    .map((f) => path.join(dir, f))
    .find((f) => fs.existsSync(f));

  it.skipIf(vm === undefined)("gives identical results through the EVMC VM library", () => {
    // SSTORE, LOG0 and a REVERT path: PUSH1 1 PUSH1 0 SSTORE PUSH1 0 PUSH1 0 LOG0 CALLVALUE PUSH1 0x10 JUMPI STOP JUMPDEST PUSH1 0 PUSH1 0 REVERT
    const program = code(
      0x60,
      1,
      0x60,
      0,
      0x55,
      0x60,
      0,
      0x60,
      0,
      0xa0,
      0x34,
      0x60,
      0x10,
      0x57,
      0x00,
      0x00,
      0x5b,
      0x60,
      0,
      0x60,
      0,
      0xfd,
    );
    for (const value of [0n, 1n]) {
      const pre = state({ [CONTRACT]: account({ code: program }) });
      const direct = executeTransaction("Cancun", pre, env(), tx({ to: CONTRACT, value }));
      const viaEvmc = executeTransaction("Cancun", pre, env(), tx({ to: CONTRACT, value }), { vm: vm! });
      expect(viaEvmc.status).toBe(direct.status);
      expect(viaEvmc.gasUsed).toBe(direct.gasUsed);
      expect(viaEvmc.logs).toEqual(direct.logs);
      expect(viaEvmc.post).toEqual(direct.post);
    }
  });
});
