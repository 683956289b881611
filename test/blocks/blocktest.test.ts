/**
 * A sample of the execution-spec-tests blockchain tests (Cancun and Prague): system contracts,
 * withdrawals, blobs, requests and invalid blocks rejected for the expected reason. The whole
 * suite runs with `parallel-evm blocktest`. Needs the shared data (PEVM_SKIP_SHARED_DATA=1 skips).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { blockTestsOf, runBlockTest } from "../../lib/block/blocktest";
import { requireSharedData, sharedDataDir, skipSharedData } from "../helpers/fixtures";

const skip = skipSharedData("blockchain tests");

function blockchainTestsDir(): string {
  requireSharedData();
  const dest = process.env["PEVM_FIXTURES"] ?? path.join(os.tmpdir(), "parallel-evm-fixtures");
  execFileSync("bash", [path.join(sharedDataDir, "unpack.sh"), dest], { stdio: "ignore" });
  return path.join(dest, "blockchain_tests");
}

const sample = [
  "cancun/eip4788_beacon_root/test_beacon_root_contract_calls.json",
  "cancun/eip4844_blobs/test_invalid_normal_gas.json",
  "cancun/eip4844_blobs/test_blob_type_tx_pre_fork.json",
  "cancun/eip4844_blobs/test_blobhash_multiple_txs_in_block.json",
  "prague/eip2935_historical_block_hashes_from_state/test_block_hashes_history.json",
  "prague/eip7002_el_triggerable_withdrawals/test_system_contract_errors.json",
  "prague/eip6110_deposits/test_invalid_layout.json",
  "prague/eip7685_general_purpose_el_requests/test_valid_multi_type_requests.json",
  "prague/eip7251_consolidations/test_system_contract_errors.json",
  "prague/eip7702_set_code_tx/test_authorization_reusing_nonce.json",
  "cancun/eip6780_selfdestruct/test_dynamic_create2_selfdestruct_collision_multi_tx.json",
];

describe.skipIf(skip)("blockchain tests (sample)", () => {
  it("pass, with invalid blocks rejected for the expected reason", { timeout: 300_000 }, async () => {
    const root = blockchainTestsDir();
    let ran = 0;
    const failures: string[] = [];
    for (const rel of sample) {
      const file = path.join(root, rel);
      for (const [name, test] of blockTestsOf(JSON.parse(fs.readFileSync(file, "utf8")), file)) {
        const r = await runBlockTest(name, test);
        ran++;
        if (!r.passed) failures.push(`${name}: ${r.error}`);
        for (const x of r.rejections)
          if (!x.matched) failures.push(`${name}: rejected for ${x.ours}, expected ${x.expected}`);
      }
    }
    expect(failures).toEqual([]);
    expect(ran).toBeGreaterThan(50);
  });
});
