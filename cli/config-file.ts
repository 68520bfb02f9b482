import { existsSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "./args.ts";

export const DEFAULT_CONFIG_FILE = "ftpi.yaml";

/** The --config value, else ./ftpi.yaml when it exists; `required` commands fail without one. */
export function findConfigFile(flag: string | undefined, cwd: string, required: string): string;
export function findConfigFile(flag: string | undefined, cwd: string): string | undefined;
export function findConfigFile(flag: string | undefined, cwd: string, required?: string): string | undefined {
  if (flag !== undefined) return flag;
  if (existsSync(join(cwd, DEFAULT_CONFIG_FILE))) return DEFAULT_CONFIG_FILE;
  if (required) throw new UsageError(`no ${DEFAULT_CONFIG_FILE} here; give --config FILE`, required);
  return undefined;
}
