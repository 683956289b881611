/**
 * The state-test runner over a fixed, representative sample of the real execution-spec-tests
 * fixtures (../shared/data; PEVM_SKIP_SHARED_DATA=1 skips when it is missing), and over
 * deliberately corrupted copies whose first difference must be reported exactly.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { evmcVmPath } from "../../lib/binding";
import { runFile } from "../../lib/statetest/runner";
import { formatSummary, summarize } from "../../lib/statetest/report";
import { skipSharedData, stateTestsDir } from "../helpers/fixtures";

// [file under state_tests/, Cancun cases, Prague cases, Osaka cases]
const sample: [string, number, number, number][] = [
  ["cancun/eip1153_tstore/test_basic_tload_after_store.json", 1, 1, 1],
  ["cancun/eip5656_mcopy/test_mcopy_on_empty_memory.json", 8, 8, 8],
  ["cancun/eip7516_blobgasfee/test_blobbasefee_out_of_gas.json", 2, 2, 2],
  ["cancun/eip6780_selfdestruct/test_selfdestruct_created_in_same_tx_with_revert.json", 3, 3, 3],
  ["cancun/eip4844_blobs/test_invalid_tx_max_fee_per_blob_gas_state.json", 2, 2, 2],
  ["cancun/eip4844_blobs/test_blobhash_gas_cost.json", 28, 35, 35],
  ["prague/eip7702_set_code_tx/test_empty_authorization_list.json", 0, 1, 1],
  ["prague/eip7702_set_code_tx/test_eoa_init_as_pointer.json", 0, 1, 1],
  ["prague/eip7623_increase_calldata_cost/test_transaction_validity_type_0.json", 0, 36, 36],
  ["osaka/eip7939_count_leading_zeros/test_clz_gas_cost.json", 0, 0, 1],
  ["osaka/eip7825_transaction_gas_limit_cap/test_transaction_gas_limit_cap.json", 0, 5, 10],
  ["shanghai/eip3860_initcode/test_contract_creating_tx.json", 4, 4, 4],
  ["shanghai/eip3855_push0/test_push0_contracts.json", 6, 6, 6],
  ["static/state_tests/stSStoreTest/sstore_0to0toX.json", 20, 20, 20],
  ["static/state_tests/stRevertTest/RevertOpcodeCalls.json", 8, 8, 8],
  ["frontier/opcodes/test_dup.json", 16, 16, 16],
];

const skip = skipSharedData("state-test fixtures");

describe.skipIf(skip)("state tests: a representative sample of the fixtures", () => {
  const root = skip ? "" : stateTestsDir();

  it.each(sample)("%s passes every Cancun/Prague/Osaka case", (file, cancun, prague, osaka) => {
    const results = runFile(path.join(root, file), root);
    const count = (fork: string) => results.filter((r) => r.fork === fork).length;
    expect([count("Cancun"), count("Prague"), count("Osaka")]).toEqual([cancun, prague, osaka]);
    const failures = results.filter((r) => !r.passed);
    expect(failures.length, formatSummary(summarize(results))).toBe(0);
  });

  it("the EVMC VM library (--vm) gives identical results on the sample", () => {
    const vm = evmcVmPath();
    expect(vm, "the EVMC VM library beside the addon is missing").toBeDefined();
    for (const [file] of sample) {
      const builtIn = runFile(path.join(root, file), root).map(({ executionNs: _, ...r }) => r);
      const viaEvmc = runFile(path.join(root, file), root, { vm: vm! }).map(({ executionNs: _, ...r }) => r);
      expect(viaEvmc).toEqual(builtIn);
    }
  });

  it("runs only the requested fork", () => {
    const results = runFile(path.join(root, sample[1]![0]), root, { forks: ["Prague"] });
    expect(results.map((r) => r.fork)).toEqual(Array(8).fill("Prague"));
  });
});

describe.skipIf(skip)("state tests: a corrupted expectation is reported with its first difference", () => {
  const root = skip ? "" : stateTestsDir();
  const tmp = skip ? "" : fs.mkdtempSync(path.join(os.tmpdir(), "pevm-statetest-"));

  type Json = Record<
    string,
    { post: Record<string, { state: Record<string, any>; expectException?: string }[]> }
  >;
  function corrupt(file: string, edit: (json: Json) => void): string {
    const json = JSON.parse(fs.readFileSync(path.join(root, file), "utf8")) as Json;
    edit(json);
    const out = path.join(tmp, path.basename(file));
    fs.writeFileSync(out, JSON.stringify(json));
    return out;
  }
  const tload = "cancun/eip1153_tstore/test_basic_tload_after_store.json";
  const contract = "0x1ad41edb9130201ba8476168bcbf9bafe279f89d";
  const coinbase = "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba";

  it("a wrong storage value", () => {
    const file = corrupt(tload, (json) => {
      for (const t of Object.values(json))
        for (const entries of Object.values(t.post)) entries[0]!.state[contract].storage["0x02"] = "0x03";
    });
    const results = runFile(file, tmp);
    expect(results).toHaveLength(3);
    for (const r of results) {
      expect(r.passed).toBe(false);
      expect(r.failure?.kind).toBe("storage");
      expect(r.failure?.message).toMatch(`${contract} storage[0x2]: expected 0x3, got 0x1`);
    }
  });

  it("a missing account and a wrong balance", () => {
    const file = corrupt(tload, (json) => {
      for (const t of Object.values(json)) {
        const post = Object.values(t.post)[0]![0]!;
        delete post.state[coinbase];
        post.state[contract].balance = "0x05";
      }
    });
    const [r] = runFile(file, tmp, { forks: ["Cancun"] });
    // The contract comes first in the expected state, so its balance is the first difference.
    expect(r?.failure?.kind).toBe("balance");
    expect(r?.failure?.message).toMatch(`${contract} balance: expected 0x5, got 0x0 (-5 wei)`);
    const file2 = corrupt(tload, (json) => {
      for (const t of Object.values(json)) delete Object.values(t.post)[0]![0]!.state[coinbase];
    });
    const [r2] = runFile(file2, tmp, { forks: ["Cancun"] });
    expect(r2?.failure?.kind).toBe("unexpected-account");
    expect(r2?.failure?.message).toMatch(`account ${coinbase} should not exist`);
  });

  it("an expected rejection that is accepted, and an accepted transaction expected to be rejected", () => {
    const file = corrupt(tload, (json) => {
      for (const t of Object.values(json))
        Object.values(t.post)[0]![0]!.expectException = "TransactionException.X";
    });
    const [r] = runFile(file, tmp, { forks: ["Cancun"] });
    expect(r?.failure?.kind).toBe("unexpected-success");
    const empty = "prague/eip7702_set_code_tx/test_empty_authorization_list.json";
    const file2 = corrupt(empty, (json) => {
      for (const t of Object.values(json))
        for (const e of Object.values(t.post)) delete e[0]!.expectException;
    });
    const [r2] = runFile(file2, tmp, { forks: ["Prague"] });
    expect(r2?.failure?.kind).toBe("unexpected-exception");
    expect(r2?.failure?.reason).toBeTruthy();
  });

  it("a wrong logs hash", () => {
    const file = corrupt(tload, (json) => {
      for (const t of Object.values(json))
        for (const entries of Object.values(t.post))
          (entries[0] as { logs?: string }).logs = "0x" + "11".repeat(32);
    });
    const [r] = runFile(file, tmp, { forks: ["Osaka"] });
    expect(r?.failure?.kind).toBe("logs");
    expect(r?.failure?.message).toMatch("logs hash: expected 0x1111");
  });
});
