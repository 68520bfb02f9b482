#!/usr/bin/env node
// Measures the compiled executable: time from spawn to listening, and idle memory.
//
//   node scripts/measure-startup.mjs [BINARY] [--runs N] [--anonymous] [--web]
//                                    (default dist/ftpi-linux-x64, 9 runs)
//
// All runs share one temp folder. The first is a first start (it makes the FTPS certificate,
// and with --web the status page's admin password) and is reported on its own; the next N are
// ordinary restarts. Each starts `BINARY serve` with --user alice:secret (so hashing the flag's
// password with scrypt is part of startup) or, with --anonymous, the anonymous share only (as
// when users come from ftpi.yaml, already hashed); the status page is off unless --web. Times:
// until stdout shows the "is running" line, and until a TCP client first gets the 220 greeting
// (connect retried every 2 ms), plus the CPU time (user + system, from /proc/PID/stat) used by
// the "is running" line, which a busy machine disturbs less than wall time. Then, on one more
// restart, VmRSS (split into anonymous memory and file-backed pages of the executable, which the
// kernel can drop and re-read) and VmHWM from /proc/PID/status: 2 s after startup, and after one
// login (USER, PASS, PWD) with the session still open. Linux only.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 9;
const anonymousAt = args.indexOf("--anonymous");
const anonymousOnly = anonymousAt >= 0 && args.splice(anonymousAt, 1).length === 1;
const webAt = args.indexOf("--web");
const withWeb = webAt >= 0 && args.splice(webAt, 1).length === 1;
const [user, password] = anonymousOnly ? ["anonymous", "guest@"] : ["alice", "secret"];
const binary = resolve(args[0] ?? join(ROOT, "dist", "ftpi-linux-x64"));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function freePort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** Resolves with the first line a fresh connection reads, or null if the connect failed. */
function greeting(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (d) => {
      text += d;
      if (text.includes("\n")) {
        socket.destroy();
        resolve(text.split("\n")[0]);
      }
    });
    socket.on("error", () => resolve(null));
  });
}

/** A control connection that logs in and stays open. */
async function login(port, user, password) {
  const socket = net.connect(port, "127.0.0.1");
  let buffer = "";
  const waiters = [];
  socket.on("data", (d) => {
    buffer += d;
    for (let end; (end = buffer.search(/^\d{3} .*\r\n/m)) >= 0 && waiters.length; ) {
      const line = buffer.slice(end).split("\r\n")[0];
      buffer = buffer.slice(end + line.length + 2);
      waiters.shift()(line);
    }
  });
  const reply = () => new Promise((r) => waiters.push(r));
  const send = (line) => (socket.write(`${line}\r\n`), reply());
  await reply();
  await send(`USER ${user}`);
  const pass = await send(`PASS ${password}`);
  if (!pass.startsWith("230")) throw new Error(`login failed: ${pass}`);
  await send("PWD");
  return socket;
}

const dir = mkdtempSync(join(tmpdir(), "ftpi-measure-"));

async function start() {
  const port = await freePort();
  const pasv = 44000 + Math.floor(Math.random() * 100) * 10;
  const t0 = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
  const child = spawn(
    binary,
    [
      "serve",
      "--root", "share",
      "--listen", `127.0.0.1:${port}`,
      "--passive-ports", `${pasv}-${pasv + 9}`,
      ...(anonymousOnly ? [] : ["--user", `${user}:${password}`]),
      "--web-port", withWeb ? String(await freePort()) : "0",
      "--data-dir", "data",
    ],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  let cpuMs = null;
  const running = new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      output += d;
      if (output.includes("is running") && cpuMs === null) {
        cpuMs = cpuTimeMs(child.pid);
        resolve(ms());
      }
    });
    child.stderr.on("data", (d) => (output += d));
    child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  let connected = null;
  while (connected === null && child.exitCode === null) {
    if ((await greeting(port))?.startsWith("220")) connected = ms();
    else await sleep(2);
  }
  const runningMs = await running;
  const stop = async () => {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  };
  return { child, port, runningMs, connectedMs: connected, cpuMs, stop };
}

/** utime + stime of a process, in ms (Linux clock ticks are 10 ms). */
function cpuTimeMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)[1]);
  return { rssMiB: kib("VmRSS") / 1024, hwmMiB: kib("VmHWM") / 1024, anonMiB: kib("RssAnon") / 1024, fileMiB: kib("RssFile") / 1024 };
}

const first = await start();
await first.stop();
const running = [];
const connected = [];
const cpu = [];
for (let i = 0; i < runs; i++) {
  const s = await start();
  running.push(s.runningMs);
  connected.push(s.connectedMs);
  cpu.push(s.cpuMs);
  await s.stop();
}
const fmt = (xs) => xs.map((x) => x.toFixed(0)).join(" ");
console.log(`binary: ${binary} (${anonymousOnly ? "anonymous only" : "--user alice:secret"}, status page ${withWeb ? "on" : "off"})`);
console.log(`first start (empty data folder): "is running" after ${first.runningMs.toFixed(0)} ms, 220 after ${first.connectedMs.toFixed(0)} ms, CPU ${first.cpuMs} ms`);
console.log(`restarts, ${runs} runs:`);
console.log(`spawn → "is running" line: median ${median(running).toFixed(0)} ms  (runs: ${fmt(running)})`);
console.log(`spawn → first 220 greeting: median ${median(connected).toFixed(0)} ms  (runs: ${fmt(connected)})`);
console.log(`CPU time until "is running": median ${median(cpu).toFixed(0)} ms  (runs: ${fmt(cpu)})`);

const s = await start();
await sleep(2000);
const idle = memory(s.child.pid);
const session = await login(s.port, user, password);
await sleep(1000);
const loggedIn = memory(s.child.pid);
session.destroy();
await s.stop();
const mib = (m) =>
  `VmRSS ${m.rssMiB.toFixed(1)} MiB = ${m.anonMiB.toFixed(1)} anonymous + ${m.fileMiB.toFixed(1)} file-backed (VmHWM ${m.hwmMiB.toFixed(1)} MiB)`;
console.log(`memory 2 s after start:           ${mib(idle)}`);
console.log(`memory with one session logged in: ${mib(loggedIn)}`);
rmSync(dir, { recursive: true, force: true });
