import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { hashPassword } from "../../core/auth/password.ts";
import { freePort, RUNTIMES, startFtpi, type RunningFtpi } from "../support/process.ts";
import { waitFor } from "../support/wait.ts";

/** Limits as ftpi.yaml writes them (durations in seconds). */
export interface YamlLimits {
  maxClients?: number;
  maxSessionsPerIp?: number;
  maxSessionsPerUser?: number;
  loginTimeout?: number;
  idleTimeout?: number;
  maxLoginFailures?: number;
  passiveTimeout?: number;
}

export interface ChildServerOptions {
  limits?: YamlLimits;
  tls?: boolean;
  /** Soft limit on open files for the server process (raised with `ulimit -n` before exec). */
  fdLimit?: number;
  /** Folder to serve as alice's home; default: `<dir>/root`. */
  root?: string;
}

/**
 * `ftpi serve` as a child process (Node, or FTPI_FAULTS_RUNTIME), so that a crash shows as an
 * exit: alice/secret has every right on `root`, /metrics on 127.0.0.1 tells how many sessions
 * are open, and the process treats any unhandled rejection as fatal.
 */
export interface ChildServer {
  dir: string;
  root: string;
  port: number;
  ftpi: RunningFtpi;
  /** stdout + stderr so far. */
  output(): string;
  /** Still running: no exit, no signal. */
  alive(): boolean;
  metric(name: string): Promise<number>;
  /** The server's open descriptors (Linux), without the status page's HTTP connections. */
  openFiles(): Promise<string[]>;
  waitForSessions(n: number, ms?: number): Promise<void>;
  /** Starts the server again on the same folder, config and ports (after a kill). */
  restart(): Promise<void>;
  /** SIGKILL, and waits for the exit. */
  kill(): Promise<void>;
  /** Stops the server (SIGTERM, else SIGKILL) and removes its folder. */
  close(): Promise<void>;
}

let hash: Promise<string> | null = null;

export async function startChildServer(opts: ChildServerOptions = {}): Promise<ChildServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-faults-"));
  const root = opts.root ?? path.join(dir, "root");
  await mkdir(root, { recursive: true });
  const port = await freePort();
  const webPort = await freePort();
  const pasv = 52000 + Math.floor(Math.random() * 150) * 50;
  const token = randomBytes(24).toString("hex");
  const limits = { maxClients: 200, maxSessionsPerIp: 200, maxSessionsPerUser: 0, passiveTimeout: 5, ...opts.limits };
  const yaml = [
    `listen: 127.0.0.1:${port}`,
    `passivePorts: ${pasv}-${pasv + 49}`,
    "anonymous: false",
    "dataDir: ./data",
    `web: { host: 127.0.0.1, port: ${webPort}, metricsToken: "${token}" }`,
    `tls: { enabled: ${opts.tls ?? false} }`,
    "log: { format: json, events: [connect, login, upload, download, delete, mkdir, rmdir, rename, disconnect] }",
    `limits: ${JSON.stringify(limits)}`,
    "users:",
    "  - name: alice",
    `    password: "${await (hash ??= hashPassword("secret"))}"`,
    `    home: ${JSON.stringify(root)}`,
    "",
  ].join("\n");
  await writeFile(path.join(dir, "ftpi.yaml"), yaml);

  // Node by default; FTPI_FAULTS_RUNTIME=bun or deno runs the same tests on another runtime.
  const runtime = process.env.FTPI_FAULTS_RUNTIME ?? "node";
  if (!RUNTIMES[runtime]) throw new Error(`FTPI_FAULTS_RUNTIME=${runtime}: not one of ${Object.keys(RUNTIMES).join(", ")}`);
  const [bin, ...rest] = RUNTIMES[runtime];
  // Strict: an unhandled rejection must end the process, where the test sees it (Bun and Deno
  // end it anyway).
  const serve = runtime === "node" ? [bin!, "--unhandled-rejections=strict", ...rest, "serve"] : [bin!, ...rest, "serve"];
  const command = opts.fdLimit
    ? ["bash", "-c", `ulimit -n ${opts.fdLimit} && exec "$@"`, "bash", ...serve]
    : serve;
  const launch = () => startFtpi(command, { cwd: dir, timeoutMs: 30_000 });
  let ftpi = await launch();
  let earlier = "";

  const metric = async (name: string): Promise<number> => {
    const scrape = () => fetch(`http://127.0.0.1:${webPort}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    // A kept-alive connection the status page just closed resets the first try: ask once more.
    const res = await scrape().catch(() => new Promise((r) => setTimeout(r, 100)).then(scrape));
    const text = await res.text();
    const m = new RegExp(`^${name} (\\d+)$`, "m").exec(text);
    if (!m) throw new Error(`no ${name} in /metrics (HTTP ${res.status}):\n${text.slice(0, 500)}`);
    return Number(m[1]);
  };

  const server: ChildServer = {
    dir,
    root,
    port,
    get ftpi() {
      return ftpi;
    },
    output: () => earlier + ftpi.output(),
    alive: () => ftpi.proc.exitCode === null && ftpi.proc.signalCode === null,
    metric,
    openFiles: () => openFiles(ftpi.proc.pid!, webPort),
    async waitForSessions(n, ms = 10_000) {
      let last = -1;
      await waitFor(async () => (last = await metric("ftpi_sessions")) === n, `ftpi_sessions to be ${n} (last seen ${last})`, ms);
    },
    async restart() {
      earlier += ftpi.output();
      ftpi = await launch();
    },
    async kill() {
      await ftpi.stop("SIGKILL");
    },
    async close() {
      if (server.alive()) {
        const timer = setTimeout(() => ftpi.proc.kill("SIGKILL"), 5000);
        await ftpi.stop("SIGTERM");
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Lines of the server's output that show a crash or a handler that threw. */
export function crashSigns(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => /Unhandled|uncaught|TypeError|RangeError|ReferenceError|SyntaxError|command failed|transfer failed|ERR_/i.test(line));
}

const TCP_STATES = ["", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING"];

/**
 * What process `pid` holds open, a TCP socket as "tcp local->remote STATE" (from its
 * /proc/net/tcp); sockets on `skipPort` (the status page, whose keep-alive connections come and
 * go) are left out. A socket missing from the TCP table is closed on the wire but still open.
 */
async function openFiles(pid: number, skipPort: number): Promise<string[]> {
  const tcp = new Map<string, { local: number; text: string }>();
  const port = (hexAddress: string) => parseInt(hexAddress.split(":")[1]!, 16);
  for (const table of ["tcp", "tcp6"]) {
    const text = await readFile(`/proc/${pid}/net/${table}`, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9) tcp.set(f[9]!, { local: port(f[1]!), text: `tcp ${port(f[1]!)}->${port(f[2]!)} ${TCP_STATES[parseInt(f[3]!, 16)]}` });
    }
  }
  const dir = `/proc/${pid}/fd`;
  const described = await Promise.all(
    (await readdir(dir)).map(async (fd) => {
      const target = await readlink(`${dir}/${fd}`).catch(() => null);
      const socket = target && tcp.get(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? "");
      if (socket && socket.local === skipPort) return null;
      return socket ? socket.text : target;
    }),
  );
  return described.filter((d): d is string => d !== null).sort();
}
