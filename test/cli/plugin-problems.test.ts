import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort, NODE_TSX } from "../support/process.ts";

// The CLI as `npm start` runs it (tsx's ESM and CommonJS hooks: the plugin files below are .ts
// in a folder without a package.json).
const CLI = NODE_TSX;

interface Run {
  code: number | null;
  output: string;
  /** Whether the FTP port accepted a connection while the command ran. */
  listened: boolean;
}

/** Runs `ftpi ...args` in `cwd` and, while it runs, keeps trying to connect to `port`. */
function ftpi(args: string[], cwd: string, port: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(CLI[0]!, [...CLI.slice(1), ...args], {
      cwd,
      env: { ...process.env, FTPI_SETUP_BUDGET_MS: "300", FTPI_ADMIN_PASSWORD: "not-used-here" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let listened = false;
    proc.stdout.on("data", (d) => (output += d));
    proc.stderr.on("data", (d) => (output += d));
    const probe = setInterval(() => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => ((listened = true), socket.destroy()));
      socket.once("error", () => socket.destroy());
    }, 50);
    const killer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
    proc.once("error", reject);
    proc.once("exit", (code) => {
      clearInterval(probe);
      clearTimeout(killer);
      resolve({ code, output, listened });
    });
  });
}

const PLUGINS: Record<string, string> = {
  // A misspelt hook name.
  "typo.ts": `export default { name: "typo", onConect() {} };`,
  // Options declared with the valibot the host hands over; the config gives a bad value.
  "opts.ts": `export default { name: "opts", options: (v: any) => v.object({ port: v.number() }), setup() {} };`,
  "site-a.ts": `export default { name: "site-a", setup(ctx: any) { ctx.site("DUP", "one", () => "a"); } };`,
  "site-b.ts": `export default { name: "site-b", setup(ctx: any) { ctx.site("dup", "two", () => "b"); } };`,
  "throws.ts": `export default { name: "throws", setup() { throw new Error("boom in setup"); } };`,
  "hangs.ts": `export default { name: "hangs", async setup() { await new Promise(() => {}); } };`,
  "broken.ts": `export default { name: "broken", setup( {`,
  "fine.ts": `export default { name: "fine", setup(ctx: any) { ctx.site("FINE", "ok", () => "ok"); } };`,
};

async function project(config: (port: number) => string): Promise<{ dir: string; port: number }> {
  const dir = await mkdtemp(join(tmpdir(), "ftpi-plugin-problems-"));
  for (const [name, text] of Object.entries(PLUGINS)) await writeFile(join(dir, name), text);
  const port = await freePort();
  await writeFile(join(dir, "ftpi.yaml"), config(port));
  return { dir, port };
}

/** Lines that name a position in ftpi.yaml, in order. */
const problemLines = (output: string) => output.split("\n").filter((line) => line.startsWith("ftpi.yaml"));

/**
 * `ftpi check` and `ftpi serve` on the project at once: both exit 2 listing exactly `expected`,
 * with no stack trace, and serve never opens the FTP port. Gives both runs for further checks.
 */
async function bothRefuse(dir: string, port: number, expected: unknown[]): Promise<Run[]> {
  const runs = await Promise.all([ftpi(["check", "--config", "ftpi.yaml"], dir, port), ftpi(["serve", "--config", "ftpi.yaml"], dir, port)]);
  for (const run of runs) {
    expect(run.code, run.output).toBe(2);
    expect(problemLines(run.output)).toEqual(expected);
    expect(run.output).not.toMatch(/^\s+at /m);
    expect(run.listened).toBe(false);
  }
  return runs;
}

describe("plugin problems are listed with the config's own, once, by check and serve", () => {
  it("a schema error, a misspelt hook, bad options, a bad plugins: entry, a missing and a broken file, a duplicate SITE verb, a setup that throws and one that hangs", async () => {
    const { dir, port } = await project(
      (port) => `listen: ["127.0.0.1:${port}"]
web: { port: 70000 }
dataDir: ./data
plugins:
  - path: ./typo.ts
  - path: ./opts.ts
    options: { port: "x" }
  - { path: ./fine.ts, nmae: x }
  - path: ./site-a.ts
  - path: ./site-b.ts
  - path: ./throws.ts
  - path: ./hangs.ts
  - path: ./missing.ts
  - path: ./broken.ts
  - path: ./fine.ts
`,
    );
    const expected = [
      "ftpi.yaml:2:14: web.port: must be a port number between 0 and 65535",
      'ftpi.yaml:8:24: plugins.2.nmae: unknown key "nmae"',
      expect.stringMatching(/^ftpi\.yaml:5:5: plugins\.0: plugin "typo": unknown key "onConect" \(hooks: onConnect, /),
      expect.stringMatching(/^ftpi\.yaml:6:5: plugins\.1\.options\.port: .*number/),
      expect.stringMatching(/^ftpi\.yaml:13:5: plugins\.7: cannot load plugin .*missing\.ts: no such file$/),
      expect.stringMatching(/^ftpi\.yaml:14:5: plugins\.8: cannot load plugin .*broken\.ts: .*broken\.ts:\d+:\d+: /),
      'ftpi.yaml:10:5: plugins.site-b: SITE DUP is already added by plugin "site-a"',
      "ftpi.yaml:11:5: plugins.throws: setup failed: boom in setup",
      "ftpi.yaml:12:5: plugins.hangs: setup did not finish within 0.3 s",
    ];
    for (const run of await bothRefuse(dir, port, expected)) expect(run.output).not.toContain("is running");
  }, 30_000);

  it("a clean file: a misspelt hook and a duplicate SITE verb are both listed", async () => {
    const { dir, port } = await project(
      (port) => `listen: ["127.0.0.1:${port}"]
web: { port: 0 }
dataDir: ./data
plugins:
  - path: ./typo.ts
  - path: ./site-a.ts
  - path: ./site-b.ts
  - path: ./hangs.ts
`,
    );
    const expected = [
      expect.stringMatching(/^ftpi\.yaml:5:5: plugins\.0: plugin "typo": unknown key "onConect"/),
      'ftpi.yaml:7:5: plugins.site-b: SITE DUP is already added by plugin "site-a"',
      "ftpi.yaml:8:5: plugins.hangs: setup did not finish within 0.3 s",
    ];
    await bothRefuse(dir, port, expected);
  }, 30_000);

  it("YAML that does not parse: only its own problems (its plugins cannot be known)", async () => {
    const { dir, port } = await project(() => `plugins:\n  - path: ./typo.ts\n  bad: [\n`);
    const run = await ftpi(["check", "--config", "ftpi.yaml"], dir, port);
    expect(run.code).toBe(2);
    const lines = problemLines(run.output);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => /^ftpi\.yaml:\d+:\d+: syntax: /.test(line))).toBe(true);
    expect(run.output).not.toContain("onConect");
    expect(run.output).not.toMatch(/^\s+at /m);
  }, 30_000);

  it("good plugins: check says ok", async () => {
    const { dir, port } = await project(() => `web: { port: 0 }\ndataDir: ./data\nplugins:\n  - path: ./fine.ts\n  - path: ./site-a.ts\n`);
    const run = await ftpi(["check", "--config", "ftpi.yaml"], dir, port);
    expect(run).toMatchObject({ code: 0, output: "ok\n" });
  }, 30_000);
});
