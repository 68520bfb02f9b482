import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { CONFIG_TEMPLATE } from "../core/config/template.ts";
import { parseCommandArgs } from "./args.ts";
import type { CliIo } from "./io.ts";

export const initHelp = `Usage: ftpi init [--config FILE] [--force]

Writes a commented config file holding the built-in defaults, to edit from there.

Options:
  -c, --config FILE  file to write (default: ftpi.yaml)
  -f, --force        overwrite the file if it exists
`;

/** The file exists and --force was not given. */
export class InitRefusedError extends Error {}

export async function initCommand(args: string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs("init", args, {
    config: { type: "string", short: "c" },
    force: { type: "boolean", short: "f" },
  });
  if (values.help) {
    io.stdout(initHelp);
    return 0;
  }
  const file = values.config ?? "ftpi.yaml";
  const target = resolve(io.cwd, file);
  await mkdir(dirname(target), { recursive: true });
  try {
    await writeFile(target, CONFIG_TEMPLATE, { flag: values.force ? "w" : "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new InitRefusedError(`${file} already exists; add --force to overwrite it`);
    }
    throw error;
  }
  const serve = file === "ftpi.yaml" ? "ftpi serve" : `ftpi serve --config ${file}`;
  io.stdout(`wrote ${file}\nEdit it, check it with "ftpi check --config ${file}", then run "${serve}".\n`);
  return 0;
}
