// The workloads. Each `run(target, sizes)` is one repeat: it returns { value, work, ...details }
// where `value` is the figure reported (unit in `unit`) and `work` what CPU time is divided by
// (`per`). Every loop is bounded in count, and the runner bounds each repeat in time
// (`timeoutMs`), destroying the connections it tracked when the time is up.
import { statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { Control, FtpError, withTimeout } from "./client.mjs";
import { BIG, MANY_DIR, MEDIUM, smallName } from "./corpus.mjs";

const GiB = 2 ** 30;
const MB = 1e6;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

/** Runs `job(i)` for i < count with at most `concurrency` at once; a failure stops new jobs. */
async function pool(count, concurrency, job) {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < count && !failed) {
      try {
        await job(next++);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A logged-in binary-mode session, tracked for the timeout's cleanup. */
async function session(target) {
  const control = await Control.open(target.port);
  target.track(control);
  await control.login(target.user, target.password);
  await control.command("TYPE I", [200]);
  return control;
}

export const WORKLOADS = [
  {
    id: "idle",
    title: (s) => `memory per idle logged-in session (${s.idleSessions} open)`,
    unit: "KiB",
    higherIsBetter: false,
    per: null,
    // Measured once, first, on the fresh server: later repeats would find the heap that earlier
    // sessions grew and left behind, and report less than a session costs.
    repeats: 1,
    timeoutMs: (s) => 30_000 + s.idleSessions * 60,
    async run(target, s) {
      // One login first, so a server that remembers verified passwords (ftpi) does not count
      // the transient memory of its first password checks as sessions' memory.
      const first = await Control.open(target.port);
      target.track(first);
      await first.login(target.user, target.password);
      await first.quit();
      await sleep(1000);
      const before = target.memory();
      const controls = [];
      await pool(s.idleSessions, 50, async () => {
        const control = await Control.open(target.port);
        target.track(control);
        await control.login(target.user, target.password);
        await control.command("PWD", [257]);
        controls.push(control);
      });
      await sleep(1500);
      const after = target.memory();
      await pool(controls.length, 100, (i) => controls[i].quit());
      return {
        value: (after.pss - before.pss) / s.idleSessions / 1024,
        rssPerSessionKiB: (after.rss - before.rss) / s.idleSessions / 1024,
        pssBeforeMiB: before.pss / 2 ** 20,
        pssAfterMiB: after.pss / 2 ** 20,
        processesAfter: after.processes,
        work: s.idleSessions,
      };
    },
  },
  {
    id: "retr",
    title: (s) => `RETR ${s.bigLabel}, one client`,
    unit: "MB/s",
    higherIsBetter: true,
    per: "GiB",
    timeoutMs: (s) => 20_000 + s.bigBytes / (20 * MB) * 1000,
    async run(target, s) {
      const control = await session(target);
      const t0 = process.hrtime.bigint();
      const bytes = await control.retrieve(BIG);
      const elapsed = seconds(t0);
      await control.quit();
      if (bytes !== s.bigBytes) throw new FtpError(`RETR delivered ${bytes} of ${s.bigBytes} bytes`);
      return { value: bytes / MB / elapsed, work: bytes / GiB, seconds: elapsed };
    },
  },
  {
    id: "stor",
    title: (s) => `STOR ${s.bigLabel}, one client`,
    unit: "MB/s",
    higherIsBetter: true,
    per: "GiB",
    timeoutMs: (s) => 20_000 + s.bigBytes / (20 * MB) * 1000,
    async run(target, s) {
      const name = `upload-${process.pid}.bin`;
      const path = join(target.root, name);
      const control = await session(target);
      try {
        const t0 = process.hrtime.bigint();
        await control.store(name, s.bigBytes);
        const elapsed = seconds(t0);
        await control.quit();
        const stored = statSync(path).size;
        if (stored !== s.bigBytes) throw new FtpError(`STOR stored ${stored} of ${s.bigBytes} bytes`);
        return { value: s.bigBytes / MB / elapsed, work: s.bigBytes / GiB, seconds: elapsed };
      } finally {
        try {
          unlinkSync(path); // each repeat stores a new file, and the disk stays clean
        } catch {
          // not there
        }
      }
    },
  },
  {
    id: "small",
    title: (s) => `${s.smallFiles.toLocaleString("en")} files of ${s.smallBytes / 1024} KiB, one session`,
    unit: "files/s",
    higherIsBetter: true,
    per: "file",
    timeoutMs: (s) => 20_000 + s.smallFiles * 20,
    async run(target, s) {
      const control = await session(target);
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < s.smallFiles; i++) {
        const bytes = await control.retrieve(smallName(i));
        if (bytes !== s.smallBytes) throw new FtpError(`${smallName(i)}: ${bytes} of ${s.smallBytes} bytes`);
      }
      const elapsed = seconds(t0);
      await control.quit();
      return { value: s.smallFiles / elapsed, work: s.smallFiles, seconds: elapsed };
    },
  },
  {
    id: "list",
    title: (s) => `LIST of ${s.listEntries.toLocaleString("en")} entries`,
    unit: "s",
    higherIsBetter: false,
    per: "LIST",
    timeoutMs: () => 30_000,
    async run(target, s) {
      const control = await session(target);
      const t0 = process.hrtime.bigint();
      const lines = await control.list(MANY_DIR);
      const elapsed = seconds(t0);
      await control.quit();
      // Some servers add a "total N" line.
      if (lines < s.listEntries || lines > s.listEntries + 3) throw new FtpError(`LIST gave ${lines} lines for ${s.listEntries} entries`);
      return { value: elapsed, work: 1, lines };
    },
  },
  {
    id: "storm",
    title: (s) => `login storm: ${s.stormSessions.toLocaleString("en")} sessions, ${s.stormConcurrency} at once`,
    unit: "sessions/s",
    higherIsBetter: true,
    per: "session",
    timeoutMs: (s) => 20_000 + s.stormSessions * 60,
    async run(target, s) {
      const latencies = [];
      const errors = new Map();
      const t0 = process.hrtime.bigint();
      await pool(s.stormSessions, s.stormConcurrency, async () => {
        const start = process.hrtime.bigint();
        let control = null;
        try {
          await withTimeout(
            (async () => {
              control = await Control.open(target.port);
              target.track(control);
              await control.login(target.user, target.password);
              await control.command("PWD", [257]);
              await control.command("QUIT", [221]);
            })(),
            30_000,
            "session",
          );
          latencies.push(seconds(start) * 1000);
        } catch (err) {
          const key = String(err?.message ?? err).slice(0, 120);
          errors.set(key, (errors.get(key) ?? 0) + 1);
        } finally {
          control?.destroy();
        }
      });
      const elapsed = seconds(t0);
      latencies.sort((a, b) => a - b);
      const failures = s.stormSessions - latencies.length;
      return {
        value: latencies.length / elapsed,
        work: s.stormSessions,
        seconds: elapsed,
        failures,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        maxMs: latencies.at(-1) ?? null,
        errors: Object.fromEntries(errors),
      };
    },
  },
  {
    id: "parallel",
    title: (s) => `${s.parallelClients} clients at once, RETR ${s.mediumLabel} each`,
    unit: "MB/s",
    higherIsBetter: true,
    per: "GiB",
    timeoutMs: (s) => 30_000 + (s.parallelClients * s.mediumBytes) / (10 * MB) * 1000,
    async run(target, s) {
      const controls = [];
      await pool(s.parallelClients, 25, async () => controls.push(await session(target)));
      const t0 = process.hrtime.bigint();
      const counts = await Promise.all(controls.map((control) => control.retrieve(MEDIUM)));
      const elapsed = seconds(t0);
      await Promise.all(controls.map((control) => control.quit()));
      const bytes = counts.reduce((a, b) => a + b, 0);
      if (bytes !== s.parallelClients * s.mediumBytes) throw new FtpError(`delivered ${bytes} of ${s.parallelClients * s.mediumBytes} bytes`);
      return { value: bytes / MB / elapsed, work: bytes / GiB, seconds: elapsed };
    },
  },
];
