import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { Client } from "basic-ftp";
import { describe, expect, it } from "vitest";
import { ControlClient } from "../support/control.ts";
import { freePort, NODE_TSX, RUNTIMES, startFtpi } from "../support/process.ts";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe.each(Object.keys(RUNTIMES))("ftpi serve on %s", (runtime) => {
  it("serves a login + LIST + STOR + RETR round trip", { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), `ftpi-${runtime}-`));
    const root = path.join(dir, "share");
    const port = await freePort();
    const pasv = 42000 + Math.floor(Math.random() * 200) * 10;
    const ftpi = await startFtpi(
      [...RUNTIMES[runtime]!, "serve", "--root", root, "--port", String(port), "--listen", `127.0.0.1:${port}`, "--passive-ports", `${pasv}-${pasv + 9}`, "--user", "alice:secret", "--web-port", "0", "--data-dir", path.join(dir, "data")],
      { cwd: dir },
    );
    const client = new Client(10_000);
    try {
      await client.access({ host: "127.0.0.1", port, user: "alice", password: "secret" });
      const payload = randomBytes(3 * 1024 * 1024 + 17);
      await client.uploadFrom(Readable.from([payload]), "round-trip.bin");
      expect(sha(await readFile(path.join(root, "round-trip.bin")))).toBe(sha(payload));
      const list = await client.list();
      expect(list.find((e) => e.name === "round-trip.bin")?.size).toBe(payload.length);
      const chunks: Buffer[] = [];
      await client.downloadTo(new Writable({ write: (c, _e, cb) => (chunks.push(c), cb()) }), "round-trip.bin");
      expect(sha(Buffer.concat(chunks))).toBe(sha(payload));
    } finally {
      client.close();
      expect(await ftpi.stop()).toBe(0);
    }
    expect(ftpi.output()).toContain(`127.0.0.1:${port}`);
  });

  it("loads a .ts plugin from a temp folder with --plugin PATH: it denies a login and adds a SITE verb", { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), `ftpi-${runtime}-plugin-`));
    const file = path.join(dir, "plugins", "gatekeeper.ts");
    await mkdir(path.dirname(file));
    // TypeScript proper (type annotations, an interface, import type, satisfies): each runtime
    // must strip it itself, from a folder with no package.json or node_modules.
    await writeFile(
      file,
      `import type { Plugin, SiteRequest } from "ftpi";

interface Gate {
  banned: readonly string[];
}
const gate: Gate = { banned: ["mallory"] };

export default {
  name: "gatekeeper",
  setup(ctx) {
    ctx.site("WHOAMI", "who you are, as the plugin sees it", ({ session, arg }: SiteRequest): string => \`\${session.user} on ${runtime} says \${arg}\`);
  },
  onLogin({ user }: { user: string }) {
    if (gate.banned.includes(user)) return { code: 530, text: "Mallory is not welcome." };
  },
} satisfies Plugin;
`,
    );
    const port = await freePort();
    const pasv = 43000 + Math.floor(Math.random() * 200) * 10;
    // On Node as users run it (tsx cli/main.ts): see NODE_TSX for why not RUNTIMES.node.
    const cli = runtime === "node" ? NODE_TSX : RUNTIMES[runtime]!;
    const ftpi = await startFtpi(
      [...cli, "serve", "--root", path.join(dir, "share"), "--listen", `127.0.0.1:${port}`, "--passive-ports", `${pasv}-${pasv + 9}`, "--user", "alice:secret", "--user", "mallory:secret", "--plugin", file, "--web-port", "0", "--data-dir", path.join(dir, "data")],
      { cwd: dir },
    );
    try {
      const m = await ControlClient.connect(port);
      await m.read();
      await m.send("USER mallory");
      expect((await m.send("PASS secret")).text).toBe("530 Mallory is not welcome.");
      m.close();
      const a = await ControlClient.connect(port);
      await a.login();
      expect((await a.send("SITE WHOAMI hello")).text).toBe(`200 alice on ${runtime} says hello`);
      expect((await a.send("SITE HELP")).text).toContain("WHOAMI");
      expect((await a.send("QUIT")).code).toBe(221);
    } finally {
      expect(await ftpi.stop()).toBe(0);
    }
  });
});

it("port 0 in ftpi.yaml listens on a port the OS picks, and the startup block names it", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-fresh-"));
  await writeFile(path.join(dir, "ftpi.yaml"), "listen: 127.0.0.1:0\nweb:\n  port: 0\n");
  const ftpi = await startFtpi([...RUNTIMES.node!, "serve"], { cwd: dir });
  expect(ftpi.output()).toMatch(/Listening\s+127\.0\.0\.1:\d+/);
  expect(await ftpi.stop()).toBe(0);
});
