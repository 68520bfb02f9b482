import { loadConfigLeniently, type LenientConfig } from "../core/config/load.ts";
import { ConfigError, type ConfigProblem } from "../core/config/problems.ts";
import { createLogger, type Logger } from "../core/log/logger.ts";
import { createServer, SETUP_BUDGET_MS } from "../core/server.ts";
import { builtinPlugins } from "../plugins/index.ts";
import { parseCommandArgs } from "./args.ts";
import { findConfigFile } from "./config-file.ts";
import type { CliIo } from "./io.ts";

export const checkHelp = `Usage: ftpi check [--config FILE]

Validates a config file (and the plugins it loads) without starting the server, and prints "ok",
or every problem as FILE:LINE:COL: PATH: MESSAGE (exit code 2). Without --config it checks
./ftpi.yaml. The plugins are loaded and set up, as serve would, even when the file has other
problems, so that one run lists them all.

Options:
  -c, --config FILE  the config file to check

Environment:
  FTPI_SETUP_BUDGET_MS  how long each plugin's setup may take (default ${SETUP_BUDGET_MS})
`;

/** The time budget of each plugin's setup: FTPI_SETUP_BUDGET_MS, else SETUP_BUDGET_MS. */
export function setupBudgetMs(): number {
  const text = process.env.FTPI_SETUP_BUDGET_MS;
  const ms = text !== undefined && /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  return ms > 0 ? ms : SETUP_BUDGET_MS;
}

/**
 * Loads and sets up the plugins of `options` as serve would, then closes them again; returns
 * their problems (unknown hook names, bad options, duplicate SITE verbs, setups that throw or
 * hang), none when they are fine.
 */
async function pluginProblems(options: NonNullable<LenientConfig["options"]>, logger: Logger): Promise<ConfigProblem[]> {
  try {
    const server = await createServer(options, { builtinPlugins, logger, setupBudgetMs: setupBudgetMs() });
    await server.close();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    return [{ path: "plugins", message: `could not be checked: ${error instanceof Error ? error.message : String(error)}` }];
  }
}

/**
 * The ConfigError for a config with problems, with its plugins' problems in the same list: what
 * could be resolved of the config is used to load and set up its plugins anyway. (When the file
 * cannot be parsed at all, its plugins are unknown and only the file's problems are listed.)
 */
export async function configErrorWithPlugins(config: LenientConfig, logger: Logger): Promise<ConfigError> {
  const problems = [...config.problems];
  if (config.options) problems.push(...(await pluginProblems(config.options, logger)).map(config.renumber));
  return new ConfigError(problems);
}

/** A logger for plugins checked but not run: errors only, on stderr. */
export function quietLogger(io: CliIo): Logger {
  return createLogger({ format: "text", level: "error", out: (line) => io.stderr(line + "\n") });
}

export async function checkCommand(args: string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs("check", args, { config: { type: "string", short: "c" } });
  if (values.help) {
    io.stdout(checkHelp);
    return 0;
  }
  const config = await loadConfigLeniently(findConfigFile(values.config, io.cwd, "check"), { cwd: io.cwd });
  // Plugins are part of the config: load them, check their options and set them up, as serve would.
  const error = await configErrorWithPlugins(config, quietLogger(io));
  if (error.problems.length) throw error;
  io.stdout("ok\n");
  return 0;
}
