import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { hashPassword } from "../core/auth/password.ts";
import { parseCommandArgs } from "./args.ts";
import type { CliIo } from "./io.ts";

export const passwdHelp = `Usage: ftpi passwd

Reads a password and prints its hash, to paste as a user's password in ftpi.yaml:

  users:
    - name: alice
      password: "$scrypt$..."

On a terminal it asks twice and does not show what you type. Otherwise it reads the
first line of standard input:

  printf '%s\\n' 'my secret' | ftpi passwd
`;

/** Thrown when the user gives no password or the two entries differ; main prints it, exit 1. */
export class PasswordInputError extends Error {}

export async function passwdCommand(args: string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs("passwd", args, {});
  if (values.help) {
    io.stdout(passwdHelp);
    return 0;
  }
  const password = io.stdin.isTTY ? await askTwice(io) : await readFirstLine(io.stdin);
  if (password === "") throw new PasswordInputError("no password given");
  io.stdout(`${await hashPassword(password)}\n`);
  return 0;
}

async function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of input) {
    text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    if (text.includes("\n")) break;
  }
  return text.split("\n")[0]!.replace(/\r$/, "");
}

async function askTwice(io: CliIo): Promise<string> {
  const first = await askHidden("Password: ", io);
  if (first === "") return first;
  const second = await askHidden("Again: ", io);
  if (first !== second) throw new PasswordInputError("the two passwords differ");
  return first;
}

/**
 * Reads one line from the terminal without echo: readline drives the terminal in raw mode and
 * echoes into an output stream that discards everything.
 */
function askHidden(prompt: string, io: CliIo): Promise<string> {
  io.stderr(prompt);
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: io.stdin, output: silent, terminal: true });
  return new Promise<string>((resolve, reject) => {
    rl.on("SIGINT", () => {
      rl.close();
      io.stderr("\n");
      reject(new PasswordInputError("cancelled"));
    });
    rl.question("", (answer) => {
      rl.close();
      io.stderr("\n");
      resolve(answer);
    });
  });
}
