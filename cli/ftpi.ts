import { closestMatch } from "../core/config/schema.ts";
import { ConfigError, formatProblem } from "../core/config/problems.ts";
import { UsageError } from "./args.ts";
import { checkCommand, checkHelp } from "./check.ts";
import { InitRefusedError, initCommand, initHelp } from "./init.ts";
import type { CliIo } from "./io.ts";
import { PasswordInputError, passwdCommand, passwdHelp } from "./passwd.ts";
import { serveCommand, serveHelp } from "./serve.ts";
import { ubbCommand, ubbHelp } from "./ubb.ts";
import { VERSION, versionLine } from "./version.ts";

type Command = { run: (args: string[], io: CliIo) => Promise<number>; help: string; summary: string };

const COMMANDS: Record<string, Command> = {
  serve: { run: serveCommand, help: serveHelp, summary: "start the FTP server" },
  init: { run: initCommand, help: initHelp, summary: "write a commented ftpi.yaml holding the defaults" },
  passwd: { run: passwdCommand, help: passwdHelp, summary: "hash a password for the users in ftpi.yaml" },
  check: { run: checkCommand, help: checkHelp, summary: "validate a config file" },
  ubb: { run: ubbCommand, help: ubbHelp, summary: "print a folder (local or on any FTP server) as a forum listing" },
};

export const mainHelp = `ftpi ${VERSION}: an FTP server for your home server.

Usage: ftpi <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(8)}${command.summary}`)
  .join("\n")}

Options:
  -h, --help     show this help; "ftpi <command> --help" shows a command's options
  -v, --version  print the version

Quick start:
  ftpi serve                     share ./ftp-root: anonymous may read, and write to upload/
  ftpi serve --root ~/share --user alice:secret
  ftpi init && ftpi serve        the same defaults, from an ftpi.yaml you can edit
`;

/** Errors that are the user's to fix: one line, no stack, exit code 1. */
const PLAIN_ERRORS = [InitRefusedError, PasswordInputError];

/**
 * Runs the ftpi command line; returns the exit code (0 ok, 1 failure, 2 bad usage or config).
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const [name, ...args] = argv;
    if (name === undefined) {
      io.stderr(mainHelp);
      return 2;
    }
    if (name === "--help" || name === "-h" || name === "help") {
      const topic = args[0] !== undefined ? COMMANDS[args[0]] : undefined;
      if (args[0] !== undefined && !topic) throw unknownCommand(args[0]);
      io.stdout(topic ? topic.help : mainHelp);
      return 0;
    }
    if (name === "--version" || name === "-v" || name === "version") {
      io.stdout(`${versionLine()}\n`);
      return 0;
    }
    if (name.startsWith("-")) {
      throw new UsageError(`unknown option '${name}'; options go after the command, as in "ftpi serve ${name}"`);
    }
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!command) throw unknownCommand(name);
    return await command.run(args, io);
  } catch (error) {
    return report(error, io);
  }
}

function unknownCommand(name: string): UsageError {
  const match = closestMatch(name, Object.keys(COMMANDS));
  return new UsageError(`unknown command "${name}"${match ? `; did you mean "${match}"?` : ""}`);
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) io.stderr(`${formatProblem(problem)}\n`);
    return 2;
  }
  if (error instanceof UsageError) {
    const help = error.command ? `ftpi ${error.command} --help` : "ftpi --help";
    io.stderr(`ftpi: ${error.message} (see "${help}")\n`);
    return 2;
  }
  if (PLAIN_ERRORS.some((kind) => error instanceof kind)) {
    io.stderr(`ftpi: ${(error as Error).message}\n`);
    return 1;
  }
  // Unexpected: still no stack trace unless asked for, the message is what a user can act on.
  const detail = process.env.FTPI_DEBUG && error instanceof Error ? error.stack : String((error as Error)?.message ?? error);
  io.stderr(`ftpi: ${detail}\n`);
  return 1;
}
