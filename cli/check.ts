import { loadConfig } from "../core/config/load.ts";
import { createLogger } from "../core/log/logger.ts";
import { createServer } from "../core/server.ts";
import { builtinPlugins } from "../plugins/index.ts";
import { parseCommandArgs } from "./args.ts";
import { findConfigFile } from "./config-file.ts";
import type { CliIo } from "./io.ts";

export const checkHelp = `Usage: ftpi check [--config FILE]

Validates a config file (and the plugins it loads) and prints "ok", or every problem as FILE:LINE:COL: PATH: MESSAGE
(exit code 2). Without --config it checks ./ftpi.yaml.

Options:
  -c, --config FILE  the config file to check
`;

export async function checkCommand(args: string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs("check", args, { config: { type: "string", short: "c" } });
  if (values.help) {
    io.stdout(checkHelp);
    return 0;
  }
  const options = await loadConfig(findConfigFile(values.config, io.cwd, "check"), { cwd: io.cwd });
  // Plugins are part of the config: load them and check their options, as serve would.
  const server = await createServer(options, { builtinPlugins, logger: createLogger({ format: "text", level: "error", out: (l) => io.stderr(l + "\n") }) });
  await server.close();
  io.stdout("ok\n");
  return 0;
}
