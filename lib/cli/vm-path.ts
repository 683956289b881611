/** `parallel-evm vm-path`: where the EVMC VM shared library built from our interpreter is. */
import { evmcVmPath } from "../binding";
import { UsageError, type Command } from "./command";

export const vmPathCommand: Command = {
  name: "vm-path",
  summary: "print the path of the EVMC VM shared library built from our interpreter",
  usage: `Usage: parallel-evm vm-path

Prints the path of the EVMC VM shared library (entry point evmc_create_parallel_evm) that sits
beside the loaded addon, for EVMC tools and for \`statetest --vm\`. Exit status 1 when it is missing.
`,
  async run(args: string[]): Promise<number> {
    if (args.length > 0) throw new UsageError(`unexpected argument: ${args[0]}`);
    const file = evmcVmPath();
    if (file === undefined) {
      process.stderr.write(
        "parallel-evm vm-path: the EVMC VM library (parallel_evm.so / libparallel_evm.so) is missing " +
          "beside the addon; build it with `npm run build:native`\n",
      );
      return 1;
    }
    process.stdout.write(file + "\n");
    return 0;
  },
};
