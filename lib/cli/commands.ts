import type { Command } from "./command";
import { benchCommand } from "./bench";
import { blocktestCommand } from "./blocktest";
import { runCommand } from "./run";
import { statetestCommand } from "./statetest";
import { vmPathCommand } from "./vm-path";

/** Every subcommand, in the order `--help` lists them. Add a command with one line here. */
export const commands: Command[] = [
  runCommand,
  blocktestCommand,
  statetestCommand,
  benchCommand,
  vmPathCommand,
];
