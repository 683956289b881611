/** The `parallel-evm` command line: dispatches to the subcommands in ./commands.ts. */
import { ParallelEvmError } from "../errors";
import { version } from "../version";
import { UsageError } from "./command";
import { commands } from "./commands";

function help(): string {
  const width = Math.max(8, ...commands.map((c) => c.name.length));
  const list = commands.length
    ? commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")
    : "  (none yet)";
  return [
    `parallel-evm ${version}: execute Ethereum blocks in parallel (Block-STM), identical to sequential`,
    "",
    "Usage: parallel-evm <command> [options]",
    "       parallel-evm <command> --help",
    "",
    "Commands:",
    list,
    "",
    "Options:",
    "  -h, --help     show this help",
    "  -v, --version  print the version",
    "",
  ].join("\n");
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    process.stdout.write(help());
    return first === undefined ? 2 : 0;
  }
  if (first === "-v" || first === "--version") {
    process.stdout.write(version + "\n");
    return 0;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    process.stderr.write(`parallel-evm: unknown command '${first}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(command.usage.endsWith("\n") ? command.usage : command.usage + "\n");
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`parallel-evm ${command.name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    if (err instanceof ParallelEvmError) {
      process.stderr.write(`parallel-evm ${command.name}: ${err.code}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
