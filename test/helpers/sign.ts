/**
 * Test keys and EIP-7702 authorization signing, with the pure-JS secp256k1 build of the
 * `secp256k1` package (already a dependency) and @noble/hashes keccak.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Authorization } from "../../lib/state";
import { bigintToBytes, rlpEncode } from "../../lib/rlp";

interface Secp256k1 {
  publicKeyCreate(privateKey: Uint8Array, compressed?: boolean): Uint8Array;
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const secp = require("secp256k1/elliptic") as Secp256k1;

/** A deterministic private key (32 bytes of `seed`-derived data). */
export function privateKey(seed: number): Uint8Array {
  return keccak_256(Uint8Array.of(seed & 0xff, (seed >> 8) & 0xff, 0x70, 0x65, 0x76, 0x6d));
}

/** The address of a private key: keccak(uncompressed public key without 0x04)[12:]. */
export function addressOf(key: Uint8Array): string {
  const pub = secp.publicKeyCreate(key, false).subarray(1);
  return "0x" + Buffer.from(keccak_256(pub).subarray(12)).toString("hex");
}

/** Signs a 32-byte digest: the recovery id and r, s as numbers. */
export function signDigest(key: Uint8Array, digest: Uint8Array): { yParity: bigint; r: bigint; s: bigint } {
  const { signature, recid } = secp.ecdsaSign(digest, key);
  const hex = Buffer.from(signature).toString("hex");
  return { yParity: BigInt(recid), r: BigInt("0x" + hex.slice(0, 64)), s: BigInt("0x" + hex.slice(64)) };
}

/** Signs an EIP-7702 authorization: keccak(0x05 || rlp([chain_id, address, nonce])). */
export function signAuthorization(
  key: Uint8Array,
  chainId: bigint,
  address: string,
  nonce: bigint,
): Authorization {
  const payload = rlpEncode([
    bigintToBytes(chainId),
    Uint8Array.from(Buffer.from(address.slice(2), "hex")),
    bigintToBytes(nonce),
  ]);
  return { chainId, address, nonce, ...signDigest(key, keccak_256(Uint8Array.of(0x05, ...payload))) };
}
