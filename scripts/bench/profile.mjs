#!/usr/bin/env node
// Where one server spends its CPU in one workload: runs the workload (the bench's client and
// sizes) against a fresh server while `perf record` samples it, or `strace -c` counts its
// system calls, and prints the top of the report. Linux, as root, perf/strace installed.
//
//   node scripts/bench/profile.mjs stor                   ftpi (the executable), perf
//   node scripts/bench/profile.mjs small --strace         system calls instead
//   node scripts/bench/profile.mjs stor --stat            perf stat: page faults, switches
//   node scripts/bench/profile.mjs retr --server vsftpd   a reference server
//   node scripts/bench/profile.mjs list --quick --sort dso,symbol --limit 40
//
// Samples in JIT-compiled JavaScript have no symbol: perf shows them as [unknown] / the
// runtime's anonymous memory; their share is the JavaScript the server runs.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createMeter } from "./accounting.mjs";
import { makeCorpus, makeServerRoot } from "./corpus.mjs";
import { createUnixUser, freePort, removeUnixUser, serverDefinitions, startServer, PASSWORD } from "./servers.mjs";
import { WORKLOADS } from "./workloads.mjs";
import { sizesFor } from "./sizes.mjs";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const take = (flag, fallback) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const has = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 && args.splice(i, 1).length === 1;
};
const serverName = take("--server", "ftpi");
const sort = take("--sort", "dso,symbol");
const limit = Number(take("--limit", "30"));
const repeats = Number(take("--repeats", "1"));
const useStrace = has("--strace");
const useStat = has("--stat");
const quick = has("--quick");
const fromSource = [has("--node") && "node", has("--bun") && "bun", has("--deno") && "deno"].filter(Boolean);
const workload = WORKLOADS.find((w) => w.id === args[0]);
if (!workload) {
  console.error(`usage: profile.mjs <${WORKLOADS.map((w) => w.id).join("|")}> [--server NAME] [--strace] [--quick] [--repeats N] [--node|--bun|--deno]`);
  process.exit(2);
}
const definition = serverDefinitions(REPO, { fromSource }).find((d) => d.name === serverName);
if (!definition?.available()) throw new Error(`server ${serverName} is not available`);

const sizes = sizesFor(quick);
const base = mkdtempSync(join(os.tmpdir(), "ftpi-profile-"));
chmodSync(base, 0o755);
const dir = join(base, definition.name);
const root = join(dir, "root");
mkdirSync(dir, { recursive: true });
const meter = createMeter(`ftpi-profile-${process.pid}`);
let server = null;
try {
  const corpus = makeCorpus(base, sizes);
  const owner = definition.unixUser ? createUnixUser(definition.unixUser, root) : null;
  makeServerRoot(corpus, root, sizes, owner);
  server = await startServer(definition, { dir, root, port: await freePort(), passive: [19000, 19999] }, meter);
  const target = { port: server.port, pid: server.pid, root, user: definition.user, password: PASSWORD, track() {}, memory: () => meter.memory() };
  const out = join(base, useStrace ? "strace.txt" : useStat ? "stat.txt" : "perf.data");
  // -f / inherit: a forking server's sessions are followed.
  const tool = useStrace
    ? spawn("strace", ["-c", "-f", "-o", out, "-p", String(server.pid)], { stdio: "inherit" })
    : useStat
      ? spawn("perf", ["stat", "-e", "task-clock,page-faults,context-switches,cpu-migrations", "-o", out, "-p", String(server.pid)], { stdio: "inherit" })
      : spawn("perf", ["record", "-F", "1999", "-o", out, "-p", String(server.pid)], { stdio: ["ignore", "ignore", "inherit"] });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const cpu0 = meter.cpu().total;
  const t0 = Date.now();
  for (let i = 0; i < repeats; i++) {
    const before = meter.cpu().total;
    const r = await workload.run(target, sizes);
    console.log(`${workload.id} #${i + 1}: ${r.value.toFixed(2)} ${workload.unit}, server CPU ${(meter.cpu().total - before).toFixed(2)} s${r.p99Ms ? `, p99 ${r.p99Ms.toFixed(0)} ms, failures ${r.failures}` : ""}`);
  }
  console.log(`server CPU ${(meter.cpu().total - cpu0).toFixed(2)} s in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
  const stopped = new Promise((resolve) => tool.once("exit", resolve));
  tool.kill("SIGINT");
  await stopped;
  if (useStrace || useStat) {
    console.log(spawnSync("head", ["-n", String(limit + 4), out], { encoding: "utf8" }).stdout);
  } else {
    const report = spawnSync("perf", ["report", "-i", out, "--stdio", "--no-children", "--sort", sort, "--percent-limit", "0.5"], { encoding: "utf8", maxBuffer: 64 << 20 });
    console.log(report.stdout.split("\n").filter((l) => l && !l.startsWith("#")).slice(0, limit).join("\n"));
  }
} finally {
  await server?.stop();
  meter.close();
  if (definition.unixUser) removeUnixUser(definition.unixUser);
  rmSync(base, { recursive: true, force: true });
}
