import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../../core/auth/password.ts";
import { ControlClient, readAll } from "../support/control.ts";
import { freePort, RUNTIMES, startFtpi } from "../support/process.ts";

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setup() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-life-"));
  await mkdir(path.join(dir, "share"));
  const port = await freePort();
  const pasv = 46000 + Math.floor(Math.random() * 100) * 10;
  const hash = await hashPassword("secret");
  const config = (users: string) => `listen: 127.0.0.1:${port}
passivePorts: ${pasv}-${pasv + 9}
anonymous: false
web: { port: 0 }
tls: { enabled: false }
users:
${users}`;
  const readOnly = `  - name: alice
    password: "${hash}"
    home: ./share
    permissions: read,list
`;
  return { dir, port, hash, config, readOnly, file: path.join(dir, "ftpi.yaml") };
}

describe("SIGHUP reloads the configuration", () => {
  it("applies new rights and users to a running server without dropping sessions; a bad file is refused", { timeout: 60_000 }, async () => {
    const { dir, port, hash, config, readOnly, file } = await setup();
    await writeFile(file, config(readOnly));
    const ftpi = await startFtpi([...RUNTIMES.node!, "serve"], { cwd: dir });
    try {
      const c = await ControlClient.connect(port);
      await c.login();
      expect((await c.send("MKD before")).code).toBe(550);

      const writable = readOnly.replace("permissions: read,list", "permissions: all");
      const bob = `  - name: bob\n    password: "${hash}"\n    home: ./share\n`;
      await writeFile(file, config(writable + bob));
      ftpi.proc.kill("SIGHUP");
      await waitFor(() => ftpi.output().includes("configuration reloaded"));
      expect((await c.send("MKD after")).code).toBe(257);
      const b = await ControlClient.connect(port);
      await b.login("bob", "secret");
      b.close();

      await writeFile(file, config(writable + bob) + "limits: { maxClients: lots }\nbanner: [unclosed\n");
      ftpi.proc.kill("SIGHUP");
      await waitFor(() => ftpi.output().includes("new configuration is refused"));
      expect(ftpi.output()).toMatch(/ftpi\.yaml:\d+:\d+: /);
      expect((await c.send("NOOP")).code).toBe(200);
      const b2 = await ControlClient.connect(port);
      await b2.login("bob", "secret");
      b2.close();
      c.close();
    } finally {
      await ftpi.stop();
    }
  });
});

describe("SIGTERM", () => {
  it("stops accepting, lets a running transfer finish, then exits 0", { timeout: 60_000 }, async () => {
    const { dir, port, config, readOnly, file } = await setup();
    await writeFile(file, config(readOnly));
    const size = 48 * 1024 * 1024;
    await writeFile(path.join(dir, "share", "big.bin"), Buffer.alloc(size, 1));
    const ftpi = await startFtpi([...RUNTIMES.node!, "serve"], { cwd: dir });
    const c = await ControlClient.connect(port);
    await c.login();
    await c.send("TYPE I");
    const data = await c.pasv();
    data.pause();
    expect((await c.send("RETR big.bin")).code).toBe(150);
    const idle = await ControlClient.connect(port);
    await idle.login();

    const exited = ftpi.stop("SIGTERM");
    await waitFor(() => ftpi.output().includes("SIGTERM: closing"));
    expect((await idle.read()).code).toBe(421);
    await expect(ControlClient.connect(port)).rejects.toThrow();

    const body = readAll(data);
    data.resume();
    expect((await body).length).toBe(size);
    expect((await c.read()).code).toBe(226);
    expect((await c.read()).code).toBe(421);
    expect(await exited).toBe(0);
  });
});
