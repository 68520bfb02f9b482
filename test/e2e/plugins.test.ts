import { mkdir, mkdtemp, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, definePlugin, deny } from "../../core/index.ts";
import { PluginHost } from "../../core/hooks/host.ts";
import type { SessionInfo } from "../../core/hooks/types.ts";
import { createLogger } from "../../core/log/logger.ts";
import { sleep, waitFor } from "../support/wait.ts";
import { ControlClient, readAll } from "../support/control.ts";
import { startServer, type TestServer } from "../support/server.ts";

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

/** STOR of a small file, then DELE: the hooks of a transfer and of a file event all run. */
async function uploadAndDelete(c: ControlClient): Promise<void> {
  await c.send("TYPE I");
  const data = await c.pasv();
  expect((await c.send("STOR f.txt")).code).toBe(150);
  data.end("data");
  expect((await c.read()).code).toBe(226);
  expect((await c.send("DELE f.txt")).code).toBe(250);
}

describe("plugins loaded from a path", () => {
  it("a .ts plugin in a temp folder denies a login and adds a SITE verb", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-plugin-"));
    const file = path.join(dir, "gatekeeper.ts");
    await writeFile(
      file,
      `import type { Plugin } from "ftpi";
const plugin = {
  name: "gatekeeper",
  options: (v: any) => v.object({ banned: v.array(v.string()) }),
  setup(ctx: any) {
    ctx.site("HELLO", "say hello", ({ arg, session }: any) => "Hello " + arg + " from " + session.user);
  },
  onLogin({ user }: { user: string }) {
    if (user === "mallory") return { code: 530, text: "Mallory is not welcome." };
  },
} satisfies Partial<Plugin>;
export default plugin;
`,
    );
    t = await startServer({
      options: { plugins: [{ name: null, path: file, options: { banned: ["mallory"] } }] },
      accounts: async (root) => {
        const { account } = await import("../support/server.ts");
        return [await account("alice", root), await account("mallory", root)];
      },
    });
    const m = await ControlClient.connect(t.port);
    await m.read();
    await m.send("USER mallory");
    expect((await m.send("PASS secret")).text).toBe("530 Mallory is not welcome.");
    m.close();

    const a = await ControlClient.connect(t.port);
    await a.login();
    expect((await a.send("SITE HELLO world")).text).toBe("200 Hello world from alice");
    expect((await a.send("SITE HELP")).text).toContain("HELLO");
    a.close();
  });

  it("refuses to start with one list of every plugin problem", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-plugin-"));
    await writeFile(path.join(dir, "typo.js"), `export default { name: "typo", onConect() {} };`);
    await writeFile(path.join(dir, "opts.js"), `export default { name: "opts", options: (v) => v.object({ port: v.number() }) };`);
    await writeFile(path.join(dir, "site1.js"), `export default { name: "site-a", setup(ctx) { ctx.site("DUP", "", () => "a"); } };`);
    await writeFile(path.join(dir, "site2.js"), `export default { name: "site-b", setup(ctx) { ctx.site("DUP", "", () => "b"); } };`);
    const spec = (f: string, options: unknown = {}) => ({ name: null, path: path.join(dir, f), options });
    const err = await startServer({ options: { plugins: [spec("typo.js"), spec("opts.js", { port: "x" }), spec("missing.js"), { name: "nope", path: null, options: {} }] } }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const messages = (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages.some((m) => m.includes('unknown key "onConect"'))).toBe(true);
    expect(messages.some((m) => m.startsWith("plugins.1.options.port"))).toBe(true);
    expect(messages.some((m) => m.includes("cannot load plugin"))).toBe(true);
    expect(messages.some((m) => m.includes('no built-in plugin "nope"'))).toBe(true);
    const dup = await startServer({ options: { plugins: [spec("site1.js"), spec("site2.js")] } }).catch((e) => e);
    expect(dup).toBeInstanceOf(ConfigError);
    expect((dup as ConfigError).message).toContain('SITE DUP is already added by plugin "site-a"');
  });
});

describe("SITE handlers", () => {
  it("see the session's files only as far as the user may list them", async () => {
    const peek = definePlugin({
      name: "peek",
      setup: (ctx) =>
        ctx.site("PEEK", "list a folder", async ({ files, arg }) => {
          try {
            return (await files!.list(arg)).map((e) => e.name).join(",") || "(empty)";
          } catch (err) {
            return { code: 550, lines: [`refused: ${(err as Error).name}`] };
          }
        }),
    });
    const { account } = await import("../support/server.ts");
    t = await startServer({
      extras: { plugins: [peek] },
      accounts: async (root) => [await account("alice", root, { permissions: [{ path: "/", allow: ["read", "list"], subdirs: false }, { path: "/secret", allow: ["read"], subdirs: true }] })],
    });
    const { mkdir, writeFile: write } = await import("node:fs/promises");
    await mkdir(path.join(t.root, "secret"));
    await write(path.join(t.root, "secret", "plans.txt"), "x");
    const c = await ControlClient.connect(t.port);
    await c.login();
    expect((await c.send("SITE PEEK /")).text).toBe("200 secret");
    expect((await c.send("SITE PEEK /secret")).text).toBe("550 refused: StorageError");
    c.close();
  });
});

describe("hook bus", () => {
  it("a plugin that throws in every hook leaves the server serving", async () => {
    const boom = () => {
      throw new Error("boom");
    };
    const faulty = definePlugin({ name: "faulty", onConnect: boom, onLogin: boom, onCommand: boom, onTransfer: boom, onLoginResult: boom, onTransferEnd: boom, onFileEvent: boom, onDisconnect: boom });
    t = await startServer({ extras: { plugins: [faulty] } });
    const c = await ControlClient.connect(t.port);
    await c.login();
    await uploadAndDelete(c);
    c.close();
    await sleep(100);
    expect(t.logs.some((l) => l.includes("[faulty:onCommand] boom"))).toBe(true);
    expect(t.logs.some((l) => l.includes("[faulty:onTransferEnd] boom"))).toBe(true);
    expect(t.server.host.errorCounts.get("faulty")).toBeGreaterThan(5);
  });

  it("guards run pre → normal → post and the first denial wins; listeners see the outcome", async () => {
    const order: string[] = [];
    const ends: unknown[] = [];
    const plugins = [
      definePlugin({ name: "late", order: "post", onCommand: ({ verb }) => void order.push(`late:${verb}`) }),
      definePlugin({ name: "normal", onCommand: ({ verb }) => (order.push(`normal:${verb}`), verb === "MKD" ? deny(550, "No folders today.") : undefined) }),
      definePlugin({ name: "early", order: "pre", onCommand: ({ verb }) => void order.push(`early:${verb}`), onTransferEnd: (e) => void ends.push({ path: e.path, bytes: e.bytes, outcome: e.outcome, direction: e.direction }) }),
      definePlugin({ name: "slow", failClosed: false, onTransfer: () => new Promise(() => {}) }),
    ];
    t = await startServer({ extras: { plugins } });
    const c = await ControlClient.connect(t.port);
    await c.login();
    order.length = 0;
    expect((await c.send("MKD x")).text).toBe("550 No folders today.");
    expect(order).toEqual(["early:MKD", "normal:MKD"]);
    await c.send("TYPE I");
    const data = await c.pasv();
    const body = readAll(data);
    // The hanging onTransfer guard runs out of its time budget and the transfer goes on.
    expect((await c.send("STOR g.txt")).code).toBe(150);
    data.end("12345");
    await body;
    expect((await c.read()).code).toBe(226);
    await sleep(50);
    expect(ends).toEqual([{ path: "/g.txt", bytes: 5, outcome: "ok", direction: "upload" }]);
    c.close();
  });
});

describe("failClosed", () => {
  it("turns a guard that throws or hangs into a 451 refusal, and later guards are not asked", async () => {
    const asked: string[] = [];
    const strict = definePlugin({
      name: "strict",
      failClosed: true,
      onLogin: ({ user }) => {
        if (user === "mallory") throw new Error("user database unreachable");
      },
      onCommand: ({ verb }) => {
        if (verb === "MKD") throw new Error("policy check failed");
        if (verb === "RMD") return new Promise(() => {}); // hangs past its budget
      },
      // Listeners are not guards: their failures never refuse anything.
      onFileEvent: () => {
        throw new Error("listener boom");
      },
    });
    const after = definePlugin({ name: "after", order: "post", onCommand: ({ verb }) => void asked.push(verb) });
    t = await startServer({ extras: { plugins: [strict, after] } });
    t.server.host.budgetMs = 300;

    // onLogin throws: the login is refused with 451 before the password is checked (without
    // failClosed the guard would be skipped, and the unknown user get the server's 530).
    const refused = await ControlClient.connect(t.port);
    await refused.read();
    await refused.send("USER mallory");
    expect((await refused.send("PASS secret")).text).toBe("451 Request refused: a server extension failed.");
    expect(t.logs.some((l) => l.includes("[strict:onLogin] user database unreachable"))).toBe(true);
    refused.close();

    const c = await ControlClient.connect(t.port);
    await c.login();

    asked.length = 0;
    expect((await c.send("MKD kept-out")).text).toBe("451 Request refused: a server extension failed.");
    expect(asked).not.toContain("MKD");
    await expect(stat(path.join(t.root, "kept-out"))).rejects.toThrow();

    const started = Date.now();
    expect((await c.send("RMD anything")).text).toBe("451 Request refused: a server extension failed.");
    expect(Date.now() - started).toBeLessThan(1500);
    expect(t.logs.some((l) => l.includes("[strict:onCommand] timed out after 300 ms"))).toBe(true);

    // Guards that return normally let everything else through; the failing listener changes nothing.
    await mkdir(path.join(t.root, "old"));
    expect((await c.send("RNFR old")).code).toBe(350);
    expect((await c.send("RNTO new")).code).toBe(250);
    expect((await c.send("PWD")).code).toBe(257);
    expect(asked).toEqual(expect.arrayContaining(["RNFR", "RNTO", "PWD"]));
    await waitFor(() => t!.logs.some((l) => l.includes("[strict:onFileEvent] listener boom")), "the listener fault");
    expect((await c.send("NOOP")).code).toBe(200);
    c.close();
  });
});

describe("time budgets", () => {
  const hang = () => new Promise<never>(() => {});

  it("a SITE handler that hangs gets 451 within the budget, and the session goes on", async () => {
    const stuck = definePlugin({
      name: "stuck",
      setup(ctx) {
        ctx.site("HANG", "never answers", hang);
        ctx.site("PING", "answers", () => "pong");
      },
    });
    t = await startServer({ extras: { plugins: [stuck] } });
    t.server.host.budgetMs = 400;
    const c = await ControlClient.connect(t.port);
    await c.login();
    const started = Date.now();
    expect((await c.send("SITE HANG")).text).toBe("451 SITE HANG did not answer in time.");
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(350);
    expect(took).toBeLessThan(1500);
    expect((await c.send("SITE PING")).text).toBe("200 pong");
    expect((await c.send("PWD")).code).toBe(257);
    expect(t.logs.some((l) => l.includes("[stuck:site HANG] timed out after 400 ms"))).toBe(true);
    expect(t.server.host.errorCounts.get("stuck")).toBe(1);
    c.close();
  });

  it("listeners that hang delay no reply and are logged as faults once their budget runs out", async () => {
    const calls: string[] = [];
    const hung = definePlugin({
      name: "hung",
      onLoginResult: () => (calls.push("onLoginResult"), hang()),
      onFileEvent: () => (calls.push("onFileEvent"), hang()),
      onTransferEnd: () => (calls.push("onTransferEnd"), hang()),
      onDisconnect: () => (calls.push("onDisconnect"), hang()),
    });
    t = await startServer({ extras: { plugins: [hung] } });
    t.server.host.budgetMs = 1500;
    const c = await ControlClient.connect(t.port);
    const started = Date.now();
    await c.login();
    expect((await c.send("MKD made")).code).toBe(257);
    expect((await c.send("RMD made")).code).toBe(250);
    await uploadAndDelete(c);
    expect((await c.send("QUIT")).code).toBe(221);
    // Every reply came while all the listeners were still hanging.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(t.logs.some((l) => l.includes("[hung:"))).toBe(false);
    await waitFor(() => calls.includes("onDisconnect"), "onDisconnect");
    expect(calls).toEqual(expect.arrayContaining(["onLoginResult", "onFileEvent", "onTransferEnd", "onDisconnect"]));
    await waitFor(() => t!.logs.some((l) => l.includes("[hung:onDisconnect] timed out after 1500 ms")), "the onDisconnect fault", 4000);
    for (const hook of ["onLoginResult", "onFileEvent", "onTransferEnd"]) expect(t.logs.some((l) => l.includes(`[hung:${hook}] timed out after 1500 ms`))).toBe(true);
    // A hung listener does not hold up the server's close either.
    const closing = Date.now();
    await t.close();
    t = null;
    expect(Date.now() - closing).toBeLessThan(1000);
  });

  it("a guard that answers synchronously costs no timer; one that returns a promise gets one, cleared when it settles", async () => {
    const host = new PluginHost(createLogger({ format: "text", level: "error", out: () => {} }), 5000);
    host.setPlugins([
      definePlugin({ name: "sync", onConnect: () => undefined }),
      definePlugin({ name: "sync-deny", onCommand: () => deny(502, "No.") }),
      definePlugin({ name: "async", onLogin: async () => undefined }),
    ]);
    const session = {} as SessionInfo;
    const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
    const clearTimeoutSpy = vi.spyOn(globalThis, "clearTimeout");
    try {
      for (let i = 0; i < 100; i++) expect(await host.guard("onConnect", { session })).toBeUndefined();
      expect(await host.guard("onCommand", { session, verb: "NOOP", arg: "" })).toEqual({ code: 502, text: "No." });
      expect(setTimeoutSpy).not.toHaveBeenCalled();
      expect(await host.guard("onLogin", { session, user: "alice" })).toBeUndefined();
      expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
      expect(clearTimeoutSpy).toHaveBeenCalledTimes(1);
    } finally {
      setTimeoutSpy.mockRestore();
      clearTimeoutSpy.mockRestore();
    }
  });
});
