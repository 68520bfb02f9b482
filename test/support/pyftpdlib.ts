import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import net from "node:net";
import { freePort } from "./process.ts";
import { waitFor } from "./wait.ts";

/** Debian's python, which can import Debian's pyftpdlib (pyenv's python3 cannot). */
const PYTHON = "/usr/bin/python3";

export interface RunningPyftpdlib {
  port: number;
  output(): string;
  close(): Promise<void>;
}

let nextPassive = 42000 + (process.pid % 100) * 40;

/**
 * Starts pyftpdlib (a different, real FTP server) on 127.0.0.1 and waits until it greets.
 * `args` are the server's command line after the port and passive range; with `script`, that
 * Python file is run instead of `python3 -m pyftpdlib`.
 *
 * @throws when pyftpdlib is not installed, saying how to install it
 */
export async function startPyftpdlib(root: string, opts: { script?: string; args?: string[] } = {}): Promise<RunningPyftpdlib> {
  const check = spawnSync(PYTHON, ["-c", "import pyftpdlib"], { encoding: "utf8" });
  if (check.status !== 0) {
    throw new Error(`pyftpdlib is missing (${PYTHON} -c "import pyftpdlib" failed): run "node scripts/test-setup.mjs" as root, which installs python3-pyftpdlib`);
  }
  const port = await freePort();
  const min = nextPassive;
  nextPassive += 20;
  const argv = opts.script
    ? [opts.script, root, String(port), String(min), String(min + 19), ...(opts.args ?? [])]
    : ["-m", "pyftpdlib", "-p", String(port), "-d", root, "-u", "user", "-P", "pass", "-i", "127.0.0.1", "-r", `${min}-${min + 19}`, ...(opts.args ?? [])];
  const proc: ChildProcess = spawn(PYTHON, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  try {
    await waitFor(async () => {
      if (proc.exitCode !== null) throw new Error(`pyftpdlib exited with ${proc.exitCode}:\n${out}`);
      return greets(port);
    }, "pyftpdlib to accept connections", 15_000);
  } catch (err) {
    proc.kill();
    throw err;
  }
  return {
    port,
    output: () => out,
    async close() {
      if (proc.exitCode === null) proc.kill();
      await exited;
    },
  };
}

function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("data", (d) => {
      socket.destroy();
      resolve(d.toString().startsWith("220"));
    });
    socket.once("error", () => resolve(false));
  });
}
