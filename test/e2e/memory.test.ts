import { mkdtemp, open, rm, stat, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { Client } from "basic-ftp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, RUNTIMES, startFtpi, type RunningFtpi } from "../support/process.ts";

const GiB = Number(process.env.MEM_TEST_BYTES ?? 1024 * 1024 * 1024);
/** Growth of the server's peak RSS we accept for a 1 GiB transfer: "a few MiB", with slack for GC timing. */
const MAX_GROWTH = 16 * 1024 * 1024;
/** How much more a 1 GiB transfer may cost than a 256 MiB one. */
const FLAT_SLACK = 24 * 1024 * 1024;

function rssOf(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) * 1024;
}

/** Resets the peak-RSS counter (VmHWM) of a process we own: echo 5 > /proc/PID/clear_refs. */
async function resetPeak(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, "5");
}

/** Bun is what the compiled binary runs; Node is the other runtime people start it with. */
describe.each(["bun", "node"])("memory stays flat in file size (%s)", (runtime) => {
  let dir: string;
  let ftpi: RunningFtpi;
  let port: number;
  let pid: number;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-mem-"));
    const root = path.join(dir, "share");
    port = await freePort();
    const pasv = 44000 + Math.floor(Math.random() * 100) * 10;
    ftpi = await startFtpi([...RUNTIMES[runtime]!, "serve", "--root", root, "--listen", `127.0.0.1:${port}`, "--passive-ports", `${pasv}-${pasv + 9}`, "--user", "alice:secret", "--web-port", "0", "--data-dir", path.join(dir, "data")], { cwd: dir });
    pid = ftpi.proc.pid!;
    // A sparse 1 GiB file: read from the page cache at memory speed, costs no disk.
    const fh = await open(path.join(root, "big.bin"), "w");
    await fh.truncate(GiB);
    await fh.close();
  }, 60_000);

  afterAll(async () => {
    await ftpi?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Peak RSS growth of the server while `work` runs, measured from its RSS just before. */
  async function growth(work: () => Promise<void>): Promise<number> {
    const before = rssOf(pid, "VmRSS");
    await resetPeak(pid);
    await work();
    return rssOf(pid, "VmHWM") - before;
  }

  const download = (c: Client, bytes: number) => async () => {
    let received = 0;
    await c.downloadTo(new Writable({ highWaterMark: 1 << 20, write: (chunk, _e, cb) => ((received += chunk.length), cb()) }), "big.bin", GiB - bytes);
    expect(received).toBe(bytes);
  };

  const upload = (c: Client, bytes: number, name: string) => async () => {
    const chunk = Buffer.alloc(1 << 20);
    let sent = 0;
    const source = new Readable({
      read() {
        if (sent >= bytes) return this.push(null);
        sent += chunk.length;
        this.push(chunk);
      },
    });
    await c.uploadFrom(source, name);
    expect((await stat(path.join(dir, "share", name))).size).toBe(bytes);
  };

  it("a 1 GiB RETR and a 1 GiB STOR: memory flat in file size, and only a few MiB", { timeout: 180_000 }, async () => {
    const c = new Client(30_000);
    await c.access({ host: "127.0.0.1", port, user: "alice", password: "secret" });
    // Warm up: code paths compiled, buffers allocated once.
    await download(c, 8 * 1024 * 1024)();
    const settled = rssOf(pid, "VmRSS");
    const quarter = GiB / 4;
    const retrSmall = await growth(download(c, quarter));
    const retrBig = await growth(download(c, GiB));
    const storSmall = await growth(upload(c, quarter, "up-small.bin"));
    const storBig = await growth(upload(c, GiB, "up.bin"));
    c.close();

    const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(
      `${runtime}: server peak RSS growth — RETR ${mib(quarter)} MiB +${mib(retrSmall)}, ${mib(GiB)} MiB +${mib(retrBig)}; ` +
        `STOR ${mib(quarter)} MiB +${mib(storSmall)}, ${mib(GiB)} MiB +${mib(storBig)} (MiB)`,
    );
    // Flat in file size: four times the bytes cost no more memory.
    expect(retrBig - retrSmall).toBeLessThan(FLAT_SLACK);
    expect(storBig - storSmall).toBeLessThan(FLAT_SLACK);
    // The absolute cost: a few MiB. Node collects young garbage every few MiB
    // (core/data/garbage.ts); on Bun each received buffer is freed once written
    // (core/storage/local.ts, release()).
    expect(retrBig).toBeLessThan(MAX_GROWTH);
    expect(storBig).toBeLessThan(MAX_GROWTH);

    // Once quiet for a few seconds, the server gives back what the transfers left to the GC.
    const busy = rssOf(pid, "VmRSS");
    const deadline = Date.now() + 12_000;
    const quiet = MAX_GROWTH;
    while (rssOf(pid, "VmRSS") > settled + quiet && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    console.log(`${runtime}: RSS ${mib(settled)} MiB after warm-up, ${mib(busy)} MiB after the transfers, ${mib(rssOf(pid, "VmRSS"))} MiB once quiet`);
    expect(rssOf(pid, "VmRSS")).toBeLessThan(settled + quiet);
  });
});
