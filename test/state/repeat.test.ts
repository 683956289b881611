import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../lib/errors";
import { executeTransaction } from "../../lib/state";
import { CONTRACT, account, code, env, state, tx } from "./helpers";

// PUSH1 1, PUSH1 0, SSTORE, PUSH1 0x20, PUSH1 0, LOG0, STOP: a write and a log.
const program = code(0x60, 0x01, 0x60, 0x00, 0x55, 0x60, 0x20, 0x60, 0x00, 0xa0, 0x00);

describe("executeTransaction's repeat option (benchmarks)", () => {
  it("repeats the side-effect free transition: same outcome as one run", () => {
    const pre = state({ [CONTRACT]: account({ code: program }) });
    const once = executeTransaction("Cancun", pre, env(), tx({ to: CONTRACT }));
    const many = executeTransaction("Cancun", pre, env(), tx({ to: CONTRACT }), { repeat: 25 });
    expect(many.status).toBe("success");
    expect(many.gasUsed).toBe(once.gasUsed);
    expect(many.logs).toEqual(once.logs);
    expect(many.post).toEqual(once.post);
    expect(many.executionNs).toBeGreaterThan(0);
  });

  it("rejects a repeat count that is not an integer from 1 to 1,000,000", () => {
    const pre = state();
    for (const repeat of [0, -1, 1.5, 1_000_001, Number.NaN])
      expect(() => executeTransaction("Cancun", pre, env(), tx(), { repeat })).toThrow(InvalidArgumentError);
  });
});
