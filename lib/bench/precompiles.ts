/**
 * Precompile speed: microseconds per call for the calls that issues 3 and 4 name, each timed in
 * a native loop (the addon's benchPrecompile: no JavaScript between calls), median of 5 runs,
 * as wall-clock and as thread CPU time.
 * `benchPrecompiles()` returns the rows and `formatPrecompileBench()` prints them; the CLI
 * (`parallel-evm bench precompiles`) wires both.
 */
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { native } from "../binding";

const OSAKA = 14;
const GAS = 100_000_000;

export interface PrecompileBenchRow {
  name: string;
  address: number;
  /** The gas the call charged. */
  gas: number;
  /** True when the call succeeded with the expected output (a valid proof, signature, ...). */
  valid: boolean;
  /** Median microseconds per call, wall clock. */
  microseconds: number;
  /** Median microseconds per call of the thread's CPU time (steadier on a loaded machine). */
  cpuMicroseconds: number;
}

interface Case {
  name: string;
  address: number;
  input: Uint8Array;
  /** The expected output (hex) when the call is valid; undefined: any successful output. */
  expect?: string;
}

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const word = (v: bigint) => v.toString(16).padStart(64, "0");
const fp = (h: string) => "00".repeat(16) + h; // a 48-byte BLS field element in 64 bytes
const ONE = word(1n);

/** Deterministic filler bytes (a keccak-free counter hash), so every run times the same inputs. */
function filler(seed: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i * 32 < n; i++)
    out.set(
      createHash("sha256")
        .update(`${seed}/${i}`)
        .digest()
        .subarray(0, Math.min(32, n - i * 32)),
      i * 32,
    );
  return out;
}

function cases(): Case[] {
  // bn254: G1 generator (1, 2), its negation, and the G2 generator (imaginary part first).
  const BN_P = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47n;
  const bnG1 = word(1n) + word(2n);
  const bnG1Neg = word(1n) + word(BN_P - 2n);
  const bnG2 =
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2" +
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed" +
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b" +
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";

  // BLS12-381 generators (EIP-2537) and the negated G1 generator.
  const BLS_P = BigInt(
    "0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
  );
  const g1x =
    "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";
  const g1y =
    "08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1";
  const blsG1 = fp(g1x) + fp(g1y);
  const blsG1Neg = fp(g1x) + fp((BLS_P - BigInt("0x" + g1y)).toString(16).padStart(96, "0"));
  const blsG2 =
    fp("024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8") +
    fp("13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e") +
    fp("0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801") +
    fp("0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be");
  const scalars = filler("bls-msm", 16 * 32);
  let msm = "";
  for (let i = 0; i < 16; i++)
    msm += blsG1 + Buffer.from(scalars.subarray(32 * i, 32 * i + 32)).toString("hex");

  // KZG: the zero polynomial's commitment and proof are the point at infinity, and y = 0 at any z.
  const infinity = "c0" + "00".repeat(47);
  const versionedHash = "01" + createHash("sha256").update(hex(infinity)).digest("hex").slice(2);
  const z = word(0x1234567890abcdefn);
  const kzgOk = word(4096n) + "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";

  // modexp: 2048-bit base, exponent and odd modulus.
  const b = filler("modexp-b", 256);
  const e = filler("modexp-e", 256);
  const m = filler("modexp-m", 256);
  m[255] = m[255]! | 1;
  const modexp =
    word(256n) + word(256n) + word(256n) + [b, e, m].map((x) => Buffer.from(x).toString("hex")).join("");

  // P-256: a fresh key signs a message; the precompile gets sha256(message), r, s, x, y.
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const message = Buffer.from("parallel-evm");
  const sig = sign("sha256", message, { key: privateKey, dsaEncoding: "ieee-p1363" });
  const jwk = publicKey.export({ format: "jwk" });
  const p256 =
    createHash("sha256").update(message).digest("hex") +
    sig.toString("hex") +
    Buffer.from(jwk.x!, "base64url").toString("hex") +
    Buffer.from(jwk.y!, "base64url").toString("hex");

  return [
    {
      name: "ecrecover",
      address: 0x01,
      input: hex(
        "456e9aea5e197a1f1af7a3e85a3212fa4049a3ba34c2289b4c860fc0b0c64ef3" +
          word(28n) +
          "9242685bf161793cc25603c231bc2f568eb630ea16aa137d2664ac8038825608" +
          "4f8ae3bd7535248d0bd448298cc2e2071e56992d0774dc340c368ae950852ada",
      ),
      expect: "0000000000000000000000007156526fbd7a3c72969b54f64e42c10fbb768c8a",
    },
    { name: "sha256 (1 KiB)", address: 0x02, input: filler("sha256", 1024) },
    { name: "modexp (2048-bit)", address: 0x05, input: hex(modexp) },
    { name: "bn254 add", address: 0x06, input: hex(bnG1 + bnG1) },
    { name: "bn254 mul", address: 0x07, input: hex(bnG1 + Buffer.from(filler("bn-k", 32)).toString("hex")) },
    { name: "bn254 pairing (2 pairs)", address: 0x08, input: hex(bnG1 + bnG2 + bnG1Neg + bnG2), expect: ONE },
    {
      name: "point evaluation",
      address: 0x0a,
      input: hex(versionedHash + z + word(0n) + infinity + infinity),
      expect: kzgOk,
    },
    { name: "BLS G1 MSM (16 points)", address: 0x0c, input: hex(msm) },
    {
      name: "BLS pairing (2 pairs)",
      address: 0x0f,
      input: hex(blsG1 + blsG2 + blsG1Neg + blsG2),
      expect: ONE,
    },
    { name: "P256 verify", address: 0x100, input: hex(p256), expect: ONE },
  ];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Times every case: about `targetMs` per run, `repeats` runs, median reported. */
export function benchPrecompiles(
  options: { targetMs?: number; repeats?: number } = {},
): PrecompileBenchRow[] {
  const targetMs = options.targetMs ?? 200;
  const repeats = options.repeats ?? 5;
  const addon = native();
  return cases().map((c) => {
    const r = addon.runPrecompile(c.address, OSAKA, c.input, GAS) as {
      status: number;
      gasLeft: number;
      output: Uint8Array;
    };
    const output = Buffer.from(r.output).toString("hex");
    const valid = r.status === 0 && output.length > 0 && (c.expect === undefined || output === c.expect);
    const onceNs = addon.benchPrecompile(c.address, OSAKA, c.input, GAS, 1).wallNs;
    const calls = Math.max(1, Math.min(1_000_000, Math.round((targetMs * 1e6) / Math.max(onceNs, 1))));
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t = addon.benchPrecompile(c.address, OSAKA, c.input, GAS, calls);
      wall.push(t.wallNs / 1000);
      cpu.push(t.cpuNs / 1000);
    }
    return {
      name: c.name,
      address: c.address,
      gas: GAS - r.gasLeft,
      valid,
      microseconds: median(wall),
      cpuMicroseconds: median(cpu),
    };
  });
}

const fmt = (us: number) => (us >= 100 ? us.toFixed(0) : us.toFixed(2));

export function formatPrecompileBench(rows: PrecompileBenchRow[]): string {
  const head = ["precompile".padEnd(26), "address".padStart(8), "gas".padStart(10)];
  const lines = [[...head, "µs/call".padStart(12), "cpu µs".padStart(10), "  valid"].join("")];
  for (const r of rows) {
    const address = "0x" + r.address.toString(16).padStart(2, "0");
    lines.push(
      [
        r.name.padEnd(26),
        address.padStart(8),
        String(r.gas).padStart(10),
        fmt(r.microseconds).padStart(12),
        fmt(r.cpuMicroseconds).padStart(10),
        r.valid ? "  yes" : "  NO",
      ].join(""),
    );
  }
  return lines.join("\n");
}
