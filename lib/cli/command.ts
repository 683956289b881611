import { parseArgs, type ParseArgsConfig } from "node:util";

/** The shape of one CLI subcommand. Commands are listed in ./commands.ts. */
export interface Command {
  /** The word after `parallel-evm`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full usage text printed by `parallel-evm NAME --help`. */
  readonly usage: string;
  /** Runs the command with the arguments after its name; resolves to the exit status. */
  run(args: string[]): Promise<number>;
}

/** A command-line mistake: printed with the command's usage, exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** node:util's parseArgs, with its complaints about the command line turned into UsageErrors. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
