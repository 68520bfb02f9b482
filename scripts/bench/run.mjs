#!/usr/bin/env node
// Benchmarks ftpi against the reference FTP servers on this machine (Linux, run as root: it
// creates a Unix user for the C servers and removes it at the end).
//
//   npm run bench                          full run: 3 repeats, 1 GiB files (well under 10 min)
//   npm run bench -- --quick               1 repeat, smaller sizes (about a minute)
//   npm run bench -- --node --bun --deno   also ftpi from source on Node (tsx), Bun and Deno
//   npm run bench -- --servers ftpi,vsftpd --workloads retr,stor --repeats 5
//   npm run bench -- --update-docs         also put the tables into docs/BENCHMARKS.md, between
//                                          <!-- results:full:start/end --> (or quick; or the
//                                          name given with --docs-section NAME)
//
// Servers: dist/ftpi-linux-x64 (built first when missing or stale), and vsftpd, pure-ftpd, proftpd,
// pyftpdlib when installed (scripts/test-setup.mjs installs them). Each listens on 127.0.0.1
// with its own folder, port and passive range; the client (client.mjs) is the same for all.
// Writes bench-results/<time>-<quick|full>.json and .md and prints the tables.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createMeter } from "./accounting.mjs";
import { withTimeout } from "./client.mjs";
import { makeCorpus, makeServerRoot, BIG } from "./corpus.mjs";
import { LIMITS } from "./limits.mjs";
import { formatNumber, machineMarkdown, markdown } from "./report.mjs";
import { createUnixUser, freePort, removeUnixUser, serverDefinitions, startServer, PASSWORD } from "./servers.mjs";
import { sizesFor } from "./sizes.mjs";
import { WORKLOADS } from "./workloads.mjs";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const REPEAT_BUDGET_MS = 25_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function parseArgs(argv) {
  const opts = { quick: false, repeats: null, servers: null, workloads: null, fromSource: [], updateDocs: false, docsSection: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") opts.quick = true;
    else if (a === "--repeats") opts.repeats = Number(argv[++i]);
    else if (a === "--servers") opts.servers = argv[++i].split(",");
    else if (a === "--workloads") opts.workloads = argv[++i].split(",");
    else if (a === "--node" || a === "--bun" || a === "--deno") opts.fromSource.push(a.slice(2));
    else if (a === "--update-docs") opts.updateDocs = true;
    else if (a === "--docs-section") opts.docsSection = argv[++i];
    else if (a === "--help" || a === "-h") {
      const lines = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1);
      console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith("//"))).map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  if (opts.repeats !== null && !(Number.isInteger(opts.repeats) && opts.repeats >= 1 && opts.repeats <= 20)) throw new Error("--repeats: 1 to 20");
  return opts;
}

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n")[0];
}

function machine() {
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    nproc: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    node: process.version,
    bun: firstLine(join(REPO, "node_modules/.bin/bun"), ["--version"]),
    python: firstLine("/usr/bin/python3", ["--version"]),
  };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median/min/max of the runs' values; numeric details as medians, failures summed. */
function summarize(runs, error) {
  const values = runs.map((r) => r.value);
  const detail = {};
  for (const key of Object.keys(runs[0] ?? {})) {
    if (key === "value" || key === "work") continue;
    const xs = runs.map((r) => r[key]).filter((x) => typeof x === "number");
    if (key === "failures") detail[key] = xs.reduce((a, b) => a + b, 0);
    else if (xs.length > 0) detail[key] = median(xs);
    else detail[key] = runs.at(-1)[key];
  }
  return {
    runs: runs.length,
    median: median(values),
    min: values.length ? Math.min(...values) : null,
    max: values.length ? Math.max(...values) : null,
    detail,
    error,
    all: runs,
  };
}

/** Makes a server's folder, starts it; the result collects its measurements. */
async function startTarget(definition, index, ctx) {
  const dir = join(ctx.base, definition.name);
  const root = join(dir, "root");
  mkdirSync(dir, { recursive: true });
  let owner = null;
  if (definition.unixUser) {
    ctx.unixUsers.push(definition.unixUser);
    owner = createUnixUser(definition.unixUser, root);
  }
  makeServerRoot(ctx.corpus, root, ctx.sizes, owner);
  // 1,200 passive ports each, below the kernel's ephemeral range (32768-60999) and the test
  // suite's ranges (20000-49999). pure-ftpd admits at most half its passive range in users.
  const passiveStart = 10000 + index * 1250;
  const setup = { dir, root, port: await freePort(), passive: [passiveStart, passiveStart + 1199] };
  const result = { name: definition.name, version: definition.version(), memory: {}, workloads: {} };
  const meter = createMeter(`ftpi-bench-${process.pid}-${definition.name}`);
  result.cpuAccounting = meter.method;
  log(`${definition.name}: starting (${result.version}); CPU from ${meter.method}`);
  let server;
  try {
    server = await startServer(definition, setup, meter);
  } catch (err) {
    meter.close();
    throw err;
  }
  ctx.running.add({ stop: () => server.stop().finally(() => meter.close()) });
  return { definition, server, meter, root, result, cpuTree: new Map(), elapsed: new Map(), runs: new Map(), cpu: new Map(), errors: new Map(), timedOut: new Set() };
}

/** One repeat of `workload` against one server, its server CPU time measured around it. */
async function runRepeat(target, workload, repeat, ctx) {
  const { definition, server, root } = target;
  if (target.timedOut.has(workload.id)) return;
  // Bounded run time: a server that needed REPEAT_BUDGET_MS for its repeats so far gets no more
  // (the forking servers' login storm takes ~35 s a repeat on 2 CPUs).
  if (repeat > 0 && (target.elapsed.get(workload.id) ?? 0) > REPEAT_BUDGET_MS) return;
  const started = Date.now();
  const tracked = new Set();
  let over = false;
  const client = {
    port: server.port,
    pid: server.pid,
    root,
    user: definition.user,
    password: PASSWORD,
    // A connection opened after the repeat ended (a timed-out workload still running) is closed
    // at once, so no session outlives its repeat.
    track: (control) => (over ? control.destroy() : tracked.add(control)),
    memory: () => target.meter.memory(),
  };
  const cpuBefore = target.meter.cpu();
  try {
    const run = await withTimeout(workload.run(client, ctx.sizes), workload.timeoutMs(ctx.sizes), workload.id, () => {
      for (const control of tracked) control.destroy();
    });
    const runs = target.runs.get(workload.id) ?? [];
    runs.push(run);
    target.runs.set(workload.id, runs);
    log(`${definition.name}: ${workload.id} #${repeat + 1}: ${formatNumber(run.value)} ${workload.unit}`);
  } catch (err) {
    const error = String(err?.message ?? err);
    target.errors.set(workload.id, error);
    log(`${definition.name}: ${workload.id} #${repeat + 1} failed: ${error}`);
    if (/no answer within/.test(error)) target.timedOut.add(workload.id); // not repeated
  } finally {
    over = true;
    target.elapsed.set(workload.id, (target.elapsed.get(workload.id) ?? 0) + Date.now() - started);
    for (const control of tracked) control.destroy();
    await sleep(300); // sessions end, sockets close
    const cpuAfter = target.meter.cpu();
    target.cpu.set(workload.id, (target.cpu.get(workload.id) ?? 0) + cpuAfter.total - cpuBefore.total);
    target.cpuTree.set(workload.id, (target.cpuTree.get(workload.id) ?? 0) + cpuAfter.tree - cpuBefore.tree);
  }
}

function summarizeWorkload(target, workload, repeats) {
  const runs = target.runs.get(workload.id) ?? [];
  const summary = summarize(runs, target.errors.get(workload.id) ?? null);
  const cpu = target.cpu.get(workload.id) ?? null;
  const work = runs.reduce((a, r) => a + (r.work ?? 0), 0);
  summary.cpuSeconds = cpu;
  summary.cpuSecondsProcTree = target.cpuTree.get(workload.id) ?? null;
  // Failed repeats used CPU too: only divide when every repeat made succeeded.
  summary.cpuPerWork = workload.per && cpu !== null && !target.errors.has(workload.id) && work > 0 ? cpu / work : null;
  return summary;
}

function log(text) {
  console.error(`bench: ${text}`);
}

async function main() {
  if (process.platform !== "linux") throw new Error("the bench reads /proc: Linux only");
  const opts = parseArgs(process.argv.slice(2));
  const sizes = sizesFor(opts.quick);
  const repeats = opts.repeats ?? (opts.quick ? 1 : 3);
  const workloads = opts.workloads ? WORKLOADS.filter((w) => opts.workloads.includes(w.id)) : WORKLOADS;
  if (opts.workloads && workloads.length !== opts.workloads.length) throw new Error(`--workloads: known are ${WORKLOADS.map((w) => w.id).join(",")}`);

  const all = serverDefinitions(REPO, { fromSource: opts.fromSource });
  const chosen = opts.servers ? all.filter((s) => opts.servers.includes(s.name)) : all;
  // The executable measured is the checkout's: built when missing or older than the sources
  // (build.mjs decides, under its lock); --version, in the results, names the commit.
  if (chosen.some((s) => s.name === "ftpi")) {
    const built = spawnSync(process.execPath, [join(REPO, "scripts/build.mjs"), "--if-stale", "linux-x64"], { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] });
    if (built.status !== 0) throw new Error("building dist/ftpi-linux-x64 failed");
  }
  const available = chosen.filter((s) => s.available());
  const skipped = chosen.filter((s) => !available.includes(s)).map((s) => s.name);
  if (skipped.length) log(`not installed, skipped: ${skipped.join(", ")}`);
  if (available.some((s) => s.unixUser) && process.getuid?.() !== 0) throw new Error("vsftpd, pure-ftpd and proftpd need root (a Unix user is created for each); run as root or pick --servers ftpi,pyftpdlib");

  const startedAt = new Date();
  const base = mkdtempSync(join(os.tmpdir(), "ftpi-bench-"));
  chmodSync(base, 0o755); // the C servers' sessions run as the bench user and must get in
  const ctx = { base, sizes, repeats, workloads, running: new Set(), corpus: null, unixUsers: [] };
  const cleanup = async () => {
    for (const server of ctx.running) await server.stop().catch(() => {});
    for (const name of ctx.unixUsers) removeUnixUser(name);
    rmSync(base, { recursive: true, force: true });
  };
  const onSignal = (signal) => {
    log(`${signal}: stopping the servers`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const results = {
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    mode: opts.quick ? "quick" : "full",
    startedAt: startedAt.toISOString(),
    repeats,
    sizes,
    machine: machine(),
    workloads: workloads.map((w) => ({ id: w.id, title: w.title(sizes), unit: w.unit, higherIsBetter: w.higherIsBetter, per: w.per })),
    limits: [],
    servers: [],
    skipped,
    load: [], // 1-minute load average before and after each workload (the bench's own processes and other jobs)
  };
  try {
    log(`making the files in ${base}`);
    ctx.corpus = makeCorpus(base, sizes);
    const limitSizes = { ...sizes, bigPath: join(ctx.corpus, BIG) };
    const limitRuns = new Map();
    // Before and after the servers, `repeats` times each: the machine may be busier at one end.
    const measureLimits = async (phase) => {
      for (const limit of LIMITS.filter((l) => l.available())) {
        const entry = limitRuns.get(limit) ?? { runs: [], error: null };
        limitRuns.set(limit, entry);
        for (let repeat = 0; repeat < repeats; repeat++) {
          try {
            entry.runs.push({ value: await limit.run(limitSizes), phase });
          } catch (err) {
            entry.error = String(err?.message ?? err);
          }
        }
        log(`limit ${limit.id} (${phase}): ${entry.runs.filter((r) => r.phase === phase).map((r) => formatNumber(r.value)).join(", ")} MB/s`);
      }
    };
    await measureLimits("before");
    // Every server runs for the whole measurement, and each repeat visits them in a rotated
    // order: on a shared machine, a busy moment then hurts every server a little rather than
    // one server a lot.
    const targets = [];
    for (const [index, definition] of available.entries()) {
      try {
        targets.push(await startTarget(definition, index, ctx));
      } catch (err) {
        log(`${definition.name}: ${err.message}`);
        results.servers.push({ name: definition.name, version: definition.version(), error: String(err.message).split("\n")[0], memory: {}, workloads: {} });
      }
    }
    await sleep(2000);
    for (const target of targets) target.result.memory.start = target.meter.memory();
    for (const workload of workloads) {
      results.load.push({ workload: workload.id, before: os.loadavg()[0] });
      for (let repeat = 0; repeat < (workload.repeats ?? repeats); repeat++) {
        for (let i = 0; i < targets.length; i++) await runRepeat(targets[(i + repeat) % targets.length], workload, repeat, ctx);
      }
      results.load.at(-1).after = os.loadavg()[0];
      for (const target of targets) target.result.memory[`after ${workload.id}`] = target.meter.memory();
    }
    await sleep(2000);
    for (const target of targets) {
      target.result.memory.end = target.meter.memory();
      for (const workload of workloads) target.result.workloads[workload.id] = summarizeWorkload(target, workload, workload.repeats ?? repeats);
      results.servers.push(target.result);
    }
    await measureLimits("after");
    for (const [limit, { runs, error }] of limitRuns) results.limits.push({ id: limit.id, title: limit.title, ...summarize(runs, error) });
    const order = available.map((d) => d.name);
    results.servers.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  } finally {
    await cleanup();
  }
  results.durationSeconds = (Date.now() - startedAt.getTime()) / 1000;

  const stamp = startedAt.toISOString().replace(/[:.]/g, "-").slice(0, 19);
  const outDir = join(REPO, "bench-results");
  mkdirSync(outDir, { recursive: true });
  const tables = markdown(results);
  const jsonPath = join(outDir, `${stamp}-${results.mode}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, `${stamp}-${results.mode}.md`), `${machineMarkdown(results)}\n\n${tables}\n`);
  if (opts.updateDocs) updateDocs(results, tables, opts.docsSection ?? results.mode);
  console.log(`${machineMarkdown(results)}\n\n${tables}`);
  log(`results: ${jsonPath}`);
}

/** Replaces the part of docs/BENCHMARKS.md between the results markers. */
function updateDocs(results, tables, section) {
  const path = join(REPO, "docs/BENCHMARKS.md");
  const start = `<!-- results:${section}:start -->`;
  const end = `<!-- results:${section}:end -->`;
  const text = existsSync(path) ? readFileSync(path, "utf8") : `# Benchmarks\n\n${start}\n${end}\n`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) {
    log(`docs/BENCHMARKS.md has no ${start} … ${end} markers: not updated`);
    return;
  }
  writeFileSync(path, `${text.slice(0, from + start.length)}\n${machineMarkdown(results)}\n\n${tables}\n${text.slice(to)}`);
  log("docs/BENCHMARKS.md updated");
}

await main();
