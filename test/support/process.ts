import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { waitFor } from "./wait.ts";

export const REPO = path.resolve(import.meta.dirname, "../..");
export const BIN = path.join(REPO, "node_modules", ".bin");

/** How to run the CLI from source on each runtime. */
export const RUNTIMES: Record<string, string[]> = {
  // tsx's CLI would run the server in a child process; the loader keeps it in this one.
  node: [process.execPath, "--import", pathToFileURL(path.join(REPO, "node_modules/tsx/dist/esm/index.mjs")).href, path.join(REPO, "cli/main.ts")],
  bun: [path.join(BIN, "bun"), path.join(REPO, "cli/main.ts")],
  deno: [path.join(BIN, "deno"), "run", "-A", path.join(REPO, "cli/main.ts")],
};

/**
 * The CLI on Node as `tsx cli/main.ts` (npm start) runs it, but in this process: tsx's ESM and
 * CommonJS hooks both. RUNTIMES.node has the ESM hooks only, which cannot import a .ts file that
 * Node takes for CommonJS (one in a folder without a package.json of "type": "module", like a
 * user's plugin): Node 20 fails it with "Cannot require() ES Module ... in a cycle".
 */
export const NODE_TSX: string[] = [process.execPath, "--import", pathToFileURL(path.join(REPO, "node_modules/tsx/dist/loader.mjs")).href, path.join(REPO, "cli/main.ts")];

/** A port nobody listens on right now (best effort: asked of the OS, then released). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface RunningFtpi {
  proc: ChildProcess;
  /** stdout and stderr, interleaved as they came. */
  output: () => string;
  /** stdout alone. */
  stdout: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `command` (an ftpi serve) and waits until it says it is running. */
export async function startFtpi(command: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; readyText?: string; timeoutMs?: number }): Promise<RunningFtpi> {
  const proc = spawn(command[0]!, command.slice(1), { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let stdout = "";
  proc.stdout!.on("data", (d) => ((out += d), (stdout += d)));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  const ready = opts.readyText ?? "is running";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within ${opts.timeoutMs ?? 20000} ms:\n${out}`)), opts.timeoutMs ?? 20000);
    const check = () => {
      if (out.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${out}`));
    });
  });
  return {
    proc,
    output: () => out,
    stdout: () => stdout,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Waits until the server's output (stdout and stderr) holds `text`. */
export function waitForOutput(ftpi: RunningFtpi, text: string, ms = 10_000): Promise<void> {
  return waitFor(() => ftpi.output().includes(text), JSON.stringify(text), ms);
}

export interface ToolResult {
  /** The exit code; null when killed (after 30 s) by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client tool (curl, lftp, ...) to its end, killed after 30 s; never rejects on a non-zero exit. */
export function runTool(command: string, args: string[], cwd?: string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
