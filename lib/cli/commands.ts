import type { Command } from "./command";
import { vmPathCommand } from "./vm-path";

/** Every subcommand, in the order `--help` lists them. Add a command with one line here. */
export const commands: Command[] = [vmPathCommand];
