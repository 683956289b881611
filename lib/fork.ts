/**
 * The mainnet forks, in order. A fork's index is its `evmc_revision` number, which is how the
 * native side names forks.
 */
import { InvalidArgumentError } from "./errors";

export const forks = [
  "Frontier",
  "Homestead",
  "TangerineWhistle",
  "SpuriousDragon",
  "Byzantium",
  "Constantinople",
  "Petersburg",
  "Istanbul",
  "Berlin",
  "London",
  "Paris",
  "Shanghai",
  "Cancun",
  "Prague",
  "Osaka",
] as const;

export type Fork = (typeof forks)[number];

/** Other spellings found in fixtures and clients, lowercase -> fork. */
const aliases: ReadonlyMap<string, Fork> = new Map<string, Fork>([
  ...forks.map((f) => [f.toLowerCase(), f] as [string, Fork]),
  ["eip150", "TangerineWhistle"],
  ["tangerine", "TangerineWhistle"],
  ["eip158", "SpuriousDragon"],
  ["spurious", "SpuriousDragon"],
  ["constantinoplefix", "Petersburg"],
  ["merge", "Paris"],
]);

/** The fork named `name`, case-insensitively, accepting fixture spellings (EIP150, Merge...). */
export function parseFork(name: string): Fork {
  if (typeof name !== "string") throw new InvalidArgumentError("fork name must be a string");
  const fork = aliases.get(name.trim().toLowerCase());
  if (fork === undefined) {
    throw new InvalidArgumentError(
      `unknown fork ${JSON.stringify(name)}; expected one of ${forks.join(", ")}`,
    );
  }
  return fork;
}

/** The fork's `evmc_revision` number (Frontier 0 ... Osaka 14). */
export function forkRevision(fork: Fork): number {
  const index = forks.indexOf(fork);
  if (index < 0) throw new InvalidArgumentError(`unknown fork ${JSON.stringify(fork)}`);
  return index;
}
