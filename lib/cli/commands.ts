import type { Command } from "./command";

/** Every subcommand, in the order `--help` lists them. Add a command with one line here. */
export const commands: Command[] = [];
