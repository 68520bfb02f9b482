// `ftpi serve --root DIR --user NAME:PASSWORD` as a new user runs it: no config, FTPS offered
// with the self-signed certificate made on first start. curl and lftp must work against exactly
// that. lftp tries TLS whenever the server offers it and refuses a certificate nobody vouches
// for, so the startup block prints the one lftp setting that trusts this certificate.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, RUNTIMES, runTool, startFtpi, type RunningFtpi, type ToolResult } from "../support/process.ts";

let dir: string;
let root: string;
let ftpi: RunningFtpi;
let port: number;
let lftpTrust: string;
const payload = randomBytes(300_000);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-ootb-"));
  root = path.join(dir, "share");
  await mkdir(root);
  await writeFile(path.join(root, "payload.bin"), payload);
  port = await freePort();
  const pasv = 45000 + Math.floor(Math.random() * 100) * 10;
  ftpi = await startFtpi(
    [...RUNTIMES.node!, "serve", "--root", root, "--listen", `127.0.0.1:${port}`, "--passive-ports", `${pasv}-${pasv + 9}`, "--user", "alice:wonder land", "--web-port", "0", "--data-dir", path.join(dir, "data")],
    { cwd: dir },
  );
  const line = /^\s+lftp: (set ssl:verify-certificate\/[0-9A-F:]{59} no)$/m.exec(ftpi.stdout());
  expect(line, ftpi.stdout()).not.toBeNull();
  lftpTrust = line![1]!;
}, 60_000);

afterAll(async () => {
  await ftpi?.stop();
  await rm(dir, { recursive: true, force: true });
});

function lftp(settings: string[], commands: string[]): Promise<ToolResult> {
  const script = ["set cmd:fail-exit yes", "set net:max-retries 1", "set net:timeout 10", ...settings, ...commands, "bye"].join("; ");
  return runTool("lftp", ["-d", "-u", "alice,wonder land", "-p", String(port), "-e", script, "127.0.0.1"], dir);
}

describe("a new user's first connections, against the defaults", () => {
  it("the startup block names the certificate the way FileZilla and lftp show it", () => {
    expect(ftpi.stdout()).toMatch(/Certificate {2}SHA-256 [0-9A-F:]{95}\n {15}SHA-1 {3}[0-9A-F:]{59}\n/);
    expect(ftpi.stdout()).toContain("FTPS         explicit (AUTH TLS)");
  });

  it("lftp refuses the self-signed certificate on its own, as it does any unknown one", async () => {
    const r = await lftp([], ["ls"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/Certificate verification: .*not trusted/i);
  });

  it.each([
    { mode: "passive", settings: ["set ftp:passive-mode on"], verb: "EPSV" },
    { mode: "active", settings: ["set ftp:passive-mode off"], verb: "EPRT" },
  ])("with the printed setting lftp lists, downloads and uploads over TLS ($mode)", async ({ mode, settings, verb }) => {
    const local = path.join(dir, `lftp-${mode}.bin`);
    const r = await lftp([lftpTrust, ...settings], ["ls", `get payload.bin -o ${local}`, `put ${local} -o up-${mode}.bin`]);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stderr).toContain("---> AUTH TLS");
    expect(r.stderr).toContain("---> PROT P");
    expect(r.stderr).toMatch(new RegExp(`---> (${verb}|${verb === "EPSV" ? "PASV" : "PORT"})`));
    expect(r.stdout).toMatch(/ 300000 \w{3} .* payload\.bin/);
    expect((await readFile(local)).equals(payload)).toBe(true);
    expect((await readFile(path.join(root, `up-${mode}.bin`))).equals(payload)).toBe(true);
  });

  it.each([
    { mode: "passive", args: [] },
    { mode: "active", args: ["--ftp-port", "127.0.0.1"] },
  ])("curl downloads and uploads without extra options ($mode)", async ({ mode, args }) => {
    const url = `ftp://127.0.0.1:${port}`;
    const down = await runTool("curl", ["--silent", "--show-error", "--max-time", "25", "--user", "alice:wonder land", ...args, `${url}/payload.bin`, "-o", path.join(dir, `curl-${mode}.bin`)], dir);
    expect(down.code, down.stderr).toBe(0);
    expect((await readFile(path.join(dir, `curl-${mode}.bin`))).equals(payload)).toBe(true);
    const up = await runTool("curl", ["--silent", "--show-error", "--max-time", "25", "--user", "alice:wonder land", ...args, "-T", path.join(dir, `curl-${mode}.bin`), `${url}/curl-up-${mode}.bin`], dir);
    expect(up.code, up.stderr).toBe(0);
    expect((await readFile(path.join(root, `curl-up-${mode}.bin`))).equals(payload)).toBe(true);
  });
});
