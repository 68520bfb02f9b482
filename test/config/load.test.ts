import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../core/auth/password.ts";
import { ALL_PERMISSIONS } from "../../core/auth/types.ts";
import { embeddedDefaults, loadConfig, parseConfigText, resolveConfig } from "../../core/config/load.ts";
import { ConfigError, formatProblem, type ConfigProblem } from "../../core/config/problems.ts";
import { CONFIG_TEMPLATE } from "../../core/config/template.ts";

const BASE = "/srv/conf";

function problemsOf(text: string, flags = {}): ConfigProblem[] {
  try {
    resolveConfig(parseConfigText(text, "ftpi.yaml"), { file: "ftpi.yaml", baseDir: BASE, flags });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const resolveText = (text: string) => resolveConfig(parseConfigText(text, "ftpi.yaml"), { file: "ftpi.yaml", baseDir: BASE });

let hash: string;
beforeAll(async () => {
  hash = await hashPassword("wonderland");
});

describe("a config with several problems", () => {
  const bad = () => `listen:
  - "0.0.0.0:2121"
lsten: []
web:
  port: 70000
ipFilter:
  deny: ["10.0.0.0/8", "192.168.1.0/33"]
groups:
  friends:
    home: ./friends
users:
  - name: alice
    password: hunter2
    group: frends
  - name: bob
    password: "${hash}"
    group: friends
`;

  it("reports every problem at its file:line:col and path", () => {
    const lines = problemsOf(bad()).map(formatProblem);
    expect(lines).toEqual([
      'ftpi.yaml:3:1: lsten: unknown key "lsten" (did you mean "listen"?)',
      "ftpi.yaml:5:9: web.port: must be a port number between 0 and 65535",
      'ftpi.yaml:7:24: ipFilter.deny.1: "192.168.1.0/33" is not an IP address or CIDR range (like 192.168.1.0/24 or 2001:db8::/32)',
      expect.stringMatching(/^ftpi\.yaml:13:15: users\.0\.password: is not a password hash.*ftpi passwd/),
      'ftpi.yaml:14:12: users.0.group: no group "frends" under groups: (did you mean "friends"?)',
    ]);
  });

  it("never repeats a plaintext password", () => {
    expect(problemsOf(bad()).map(formatProblem).join("\n")).not.toContain("hunter2");
  });

  it("reports a YAML syntax error with its position", () => {
    const problems = problemsOf("listen:\n  - [0.0.0.0:2121\nweb: 1\n");
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ file: "ftpi.yaml", line: 3, col: 1, path: "syntax" });
  });

  it("reports duplicate YAML keys", () => {
    expect(problemsOf("banner: a\nbanner: b\n")[0]).toMatchObject({ line: 2, col: 1, path: "syntax" });
  });

  it("checks ports, ranges, durations, names and references", () => {
    const lines = problemsOf(`passivePorts: 50100-50000
limits:
  idleTimeout: 0
  max_clients: 3
users:
  - name: anonymous
    password: "${hash}"
    home: /a
  - name: carol
    password: "${hash}"
  - name: dave
    password: "${hash}"
    home: /d
    permissions:
      - path: upload
        allow: read,wrte
  - name: dave
    password: "${hash}"
    home: /d
log:
  events: [connect, logn]
plugins:
  - { name: ddns, path: ./x.ts }
`).map(formatProblem);
    expect(lines).toEqual([
      "ftpi.yaml:1:15: passivePorts: the range 50100-50000 runs backwards; write 50000-50100",
      "ftpi.yaml:3:16: limits.idleTimeout: must be more than 0 seconds",
      'ftpi.yaml:4:3: limits.max_clients: unknown key "max_clients" (did you mean "maxClients"?)',
      'ftpi.yaml:6:11: users.0.name: "anonymous" is the anonymous login; configure it under anonymous: instead',
      "ftpi.yaml:9:5: users.1.home: has no home folder: set home: here or in its group",
      'ftpi.yaml:15:15: users.2.permissions.0.path: must be a folder path as the user sees it, starting with "/" (like /upload)',
      expect.stringMatching(/^ftpi\.yaml:16:16: users\.2\.permissions\.0\.allow: unknown permission "wrte" \(did you mean "write"\?\)/),
      'ftpi.yaml:17:11: users.3.name: user "dave" is already defined as users.2',
      expect.stringMatching(/^ftpi\.yaml:21:21: log\.events\.1: unknown event "logn" \(did you mean "login"\?\)/),
      "ftpi.yaml:23:5: plugins.0: give either name: (a built-in plugin) or path: (a plugin file), not both or neither",
    ]);
  });

  it("points a missing required key at its parent", () => {
    expect(problemsOf("users:\n  - name: x\n    home: /x\n").map(formatProblem)).toEqual([
      'ftpi.yaml:2:5: users.0.password: missing required key "password"',
    ]);
  });

  it("reports flag problems without a file", () => {
    const problems = problemsOf("banner: hi\n", { port: "99999", passivePorts: "9-1", logFormat: "xml" });
    expect(problems.map(formatProblem)).toEqual([
      '--port: "99999" is not a port number (0-65535)',
      "--passive-ports: the range 9-1 runs backwards; write 1-9",
      '--log-format: must be text or json, not "xml"',
    ]);
  });

  it("--web-host overrides web.host, and must be an address or host name", () => {
    const withFlags = (flags: object) => resolveConfig(parseConfigText("web: { host: 0.0.0.0 }\n", "ftpi.yaml"), { file: "ftpi.yaml", baseDir: BASE, flags });
    expect(withFlags({}).web.host).toBe("0.0.0.0");
    expect(withFlags({ webHost: "127.0.0.1" }).web.host).toBe("127.0.0.1");
    expect(problemsOf("", { webHost: "not a host!" }).map(formatProblem)).toEqual(['--web-host: "not a host!" is not an IP address or host name']);
  });
});

describe("defaults", () => {
  it("match DESIGN.md: port 2121, passive 50000-50100, ./ftp-root read-only to anonymous with upload/", () => {
    const options = embeddedDefaults("/home/pi");
    expect(options.listen).toEqual([{ host: "0.0.0.0", port: 2121 }]);
    expect(options.passivePorts).toEqual({ min: 50000, max: 50100 });
    expect(options.web).toEqual({ host: "0.0.0.0", port: 8080, adminPassword: null, metricsToken: null });
    expect(options.dataDir).toBe("/home/pi/ftpi-data");
    expect(options.accounts).toEqual([
      {
        name: "anonymous",
        passwordHash: null,
        anonymous: true,
        enabled: true,
        home: "/home/pi/ftp-root",
        permissions: [
          { path: "/", allow: ["read", "list"], subdirs: true },
          { path: "/upload", allow: ["read", "write", "append", "list", "mkdir"], subdirs: true },
        ],
        fxp: false,
        maxSessions: 0,
        ipFilter: { allow: [], deny: [] },
        requireTls: false,
        maxUploadRate: 0,
        maxDownloadRate: 0,
        quota: { maxBytes: 0, maxFiles: 0 },
      },
    ]);
    expect(options.tls).toEqual({ enabled: true, certFile: null, keyFile: null, implicit: [], require: false, requireSessionReuse: true });
    expect(options.limits).toEqual({
      maxClients: 50,
      maxSessionsPerIp: 8,
      maxSessionsPerUser: 8,
      loginTimeoutMs: 60_000,
      idleTimeoutMs: 600_000,
      maxLoginFailures: 3,
      passiveTimeoutMs: 30_000,
      dataTimeoutMs: 300_000,
      maxUploadRate: 0,
      maxDownloadRate: 0,
      maxHashSize: 4 * 1024 ** 3,
      shutdownGraceMs: 30_000,
    });
    expect(options.log).toEqual({
      format: "text",
      level: "info",
      events: ["connect", "login", "upload", "download", "delete", "mkdir", "rmdir", "rename", "disconnect"],
      xferlog: null,
    });
    expect(options.plugins).toEqual([]);
    expect(options.externalAddress).toBeNull();
  });

  it("an empty file is the defaults", () => {
    expect(resolveText("")).toEqual(embeddedDefaults(BASE));
    expect(resolveText("# nothing but a comment\n")).toEqual(embeddedDefaults(BASE));
  });

  it("the init template holds exactly the defaults", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ftpi-template-"));
    await writeFile(join(dir, "ftpi.yaml"), CONFIG_TEMPLATE);
    expect(await loadConfig("ftpi.yaml", { cwd: dir })).toEqual(embeddedDefaults(dir));
  });
});

describe("resolution", () => {
  it("lets groups supply defaults that users override", () => {
    const options = resolveText(`
limits: { maxSessionsPerUser: 4 }
groups:
  friends:
    home: shared
    permissions: read,list
    fxp: true
    maxSessions: 2
    ipFilter: { allow: [192.168.1.0/24] }
users:
  - name: alice
    password: "${hash}"
    group: friends
  - name: bob
    password: "${hash}"
    group: friends
    home: /srv/bob
    permissions: all
    fxp: false
    maxSessions: 0
  - name: carol
    password: "${hash}"
    home: ~/carol
    enabled: false
`);
    const [, alice, bob, carol] = options.accounts;
    expect(alice).toMatchObject({
      name: "alice",
      passwordHash: hash,
      home: "/srv/conf/shared",
      permissions: [{ path: "/", allow: ["read", "list"], subdirs: true }],
      fxp: true,
      maxSessions: 2,
      ipFilter: { allow: ["192.168.1.0/24"], deny: [] },
    });
    expect(bob).toMatchObject({
      home: "/srv/bob",
      permissions: [{ path: "/", allow: [...ALL_PERMISSIONS], subdirs: true }],
      fxp: false,
      maxSessions: 0,
      ipFilter: { allow: ["192.168.1.0/24"], deny: [] },
    });
    expect(carol).toMatchObject({ enabled: false, fxp: false, maxSessions: 4, ipFilter: { allow: [], deny: [] } });
    expect(carol!.home).toMatch(/\/carol$/);
    expect(carol!.permissions).toEqual([{ path: "/", allow: [...ALL_PERMISSIONS], subdirs: true }]);
  });

  it("accepts the shorthand forms", () => {
    const options = resolveText(`
listen: ["[::]:21", ":2121", 2222, { port: 2323 }, { host: 127.0.0.1, port: 2424 }]
passivePorts: 60000
anonymous:
  home: /pub
  permissions:
    - { path: /incoming/, allow: [write, all] }
    - { path: /, allow: list, subdirs: false }
log: { events: all, xferlog: logs/xfer.log }
plugins:
  - autoban
  - ./plugins/mine.ts
  - { name: ddns, options: { host: me.example.org } }
  - { path: /opt/p.js }
`);
    expect(options.listen).toEqual([
      { host: "::", port: 21 },
      { host: "0.0.0.0", port: 2121 },
      { host: "0.0.0.0", port: 2222 },
      { host: "0.0.0.0", port: 2323 },
      { host: "127.0.0.1", port: 2424 },
    ]);
    expect(options.passivePorts).toEqual({ min: 60000, max: 60000 });
    expect(options.accounts[0]!.permissions).toEqual([
      { path: "/incoming", allow: [...ALL_PERMISSIONS], subdirs: true },
      { path: "/", allow: ["list"], subdirs: false },
    ]);
    expect(options.log.events).toHaveLength(11);
    expect(options.log.xferlog).toBe("/srv/conf/logs/xfer.log");
    expect(options.plugins).toEqual([
      { name: "autoban", path: null, options: {}, source: "ftpi.yaml:11:5" },
      { name: null, path: "/srv/conf/plugins/mine.ts", options: {}, source: "ftpi.yaml:12:5" },
      { name: "ddns", path: null, options: { host: "me.example.org" }, source: "ftpi.yaml:13:5" },
      { name: null, path: "/opt/p.js", options: {}, source: "ftpi.yaml:14:5" },
    ]);
  });

  it("rates and quotas: sizes with units (powers of 1024), a user's quota fields over its group's", () => {
    const options = resolveText(`
limits: { maxUploadRate: 2M, maxDownloadRate: 1536, maxHashSize: 1.5 GiB }
anonymous: { maxDownloadRate: 512K, quota: { maxBytes: 10G } }
groups:
  family: { home: /srv/family, maxUploadRate: 1m, quota: { maxBytes: 50 GB, maxFiles: 1000 } }
users:
  - name: alice
    password: "${hash}"
    group: family
    maxDownloadRate: 100kb
    quota: { maxFiles: 10 }
`);
    expect(options.limits).toMatchObject({ maxUploadRate: 2 * 1024 ** 2, maxDownloadRate: 1536, maxHashSize: 1.5 * 1024 ** 3 });
    const [anonymous, alice] = options.accounts;
    expect(anonymous).toMatchObject({ maxUploadRate: 0, maxDownloadRate: 512 * 1024, quota: { maxBytes: 10 * 1024 ** 3, maxFiles: 0 } });
    expect(alice).toMatchObject({ maxUploadRate: 1024 ** 2, maxDownloadRate: 100 * 1024, quota: { maxBytes: 50 * 1024 ** 3, maxFiles: 10 } });
    expect(problemsOf("limits: { maxUploadRate: fast, maxDownloadRate: -1 }\nanonymous: { quota: { maxByte: 1 } }\n").map(formatProblem)).toEqual([
      'ftpi.yaml:1:26: limits.maxUploadRate: "fast" is not a number of bytes, or one with a unit like 512K, 10M, 4 GiB (K, M, G, T are powers of 1024)',
      "ftpi.yaml:1:49: limits.maxDownloadRate: must be a whole number of bytes, 0 or more",
      'ftpi.yaml:2:23: anonymous.quota.maxByte: unknown key "maxByte" (did you mean "maxBytes"?)',
    ]);
  });

  it("limits.shutdownGrace: seconds, 0 allowed (cut at once), checked like the other durations", () => {
    expect(resolveText("limits: { shutdownGrace: 5 }\n").limits.shutdownGraceMs).toBe(5000);
    expect(resolveText("limits: { shutdownGrace: 0.25 }\n").limits.shutdownGraceMs).toBe(250);
    expect(resolveText("limits: { shutdownGrace: 0 }\n").limits.shutdownGraceMs).toBe(0);
    expect(problemsOf("limits:\n  shutdownGrace: -1\n").map(formatProblem)).toEqual(["ftpi.yaml:2:18: limits.shutdownGrace: must be 0 or more seconds"]);
    expect(problemsOf("limits:\n  shutdownGrace: soon\n").map(formatProblem)).toEqual(['ftpi.yaml:2:18: limits.shutdownGrace: must be a number of seconds']);
    expect(problemsOf("limits:\n  shutdownGrace: 9999999\n").map(formatProblem)).toEqual(["ftpi.yaml:2:18: limits.shutdownGrace: must be at most 2147483 seconds"]);
    expect(problemsOf("limits:\n  shutdown_grace: 5\n").map(formatProblem)).toEqual(['ftpi.yaml:2:3: limits.shutdown_grace: unknown key "shutdown_grace" (did you mean "shutdownGrace"?)']);
  });

  it("syncUploads: on by default, false turns the fsync before 226 off", () => {
    expect(resolveText("").syncUploads).toBe(true);
    expect(resolveText("syncUploads: false\n").syncUploads).toBe(false);
    expect(problemsOf("syncUploads: sometimes\n").map(formatProblem)).toEqual(["ftpi.yaml:1:14: syncUploads: must be true or false"]);
  });

  it("tls.require leaves anonymous free by default; anonymous.requireTls asks TLS of it too", () => {
    const options = resolveText("tls: { require: true }\n");
    expect(options.tls.require).toBe(true);
    expect(options.accounts[0]).toMatchObject({ anonymous: true, requireTls: false });
    expect(resolveText("tls: { require: true }\nanonymous: { requireTls: true }\n").accounts[0]).toMatchObject({ anonymous: true, requireTls: true });
  });

  it("anonymous: false switches anonymous off", () => {
    expect(resolveText("anonymous: false\n").accounts).toEqual([]);
  });

  it("keeps empty sections (everything commented out) at their defaults", () => {
    expect(resolveText("users:\ngroups:\nplugins:\nlimits:\n")).toEqual(embeddedDefaults(BASE));
  });

  it("resolves relative paths against the config file's folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ftpi-paths-"));
    await writeFile(join(dir, "ftpi.yaml"), "anonymous: { home: pub }\ndataDir: state\n");
    const options = await loadConfig("ftpi.yaml", { cwd: dir });
    expect(options.accounts[0]!.home).toBe(join(dir, "pub"));
    expect(options.dataDir).toBe(join(dir, "state"));
  });

  it("names a missing file", async () => {
    await expect(loadConfig("nope.yaml", { cwd: tmpdir() })).rejects.toThrow("nope.yaml: (file): no such file");
  });
});
