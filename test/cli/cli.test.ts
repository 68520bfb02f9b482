import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { verifyPassword } from "../../core/auth/password.ts";
import { ConfigError, formatProblem } from "../../core/config/problems.ts";
import { CONFIG_TEMPLATE } from "../../core/config/template.ts";
import { main } from "../../cli/ftpi.ts";
import type { CliIo } from "../../cli/io.ts";
import { prepareSharedFolders, serveOptions } from "../../cli/serve.ts";
import { startupBlock } from "../../cli/startup-block.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const TSX = join(ROOT, "node_modules/.bin/tsx");

/** Runs the real entry point in a child process, as a user would. */
function ftpi(args: string[], options: { cwd: string; input?: string }) {
  const result = spawnSync(TSX, [join(ROOT, "cli/main.ts"), ...args], {
    cwd: options.cwd,
    input: options.input ?? "",
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function memoryIo(cwd: string, input = ""): CliIo & { out: string; err: string } {
  const io = {
    cwd,
    out: "",
    err: "",
    stdout: (text: string) => void (io.out += text),
    stderr: (text: string) => void (io.err += text),
    stdin: Readable.from([input]) as unknown as NodeJS.ReadStream,
  };
  return io;
}

const tempDir = () => mkdtemp(join(tmpdir(), "ftpi-cli-"));

const BAD_CONFIG = `listen: ["0.0.0.0:2121"]
web: { port: 70000 }
users:
  - name: alice
    password: plaintext
    home: /srv/alice
    grup: friends
`;

describe("ftpi check (child process)", () => {
  it("exits 2 with one line per problem and no stack trace", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "bad.yaml"), BAD_CONFIG);
    const { code, stdout, stderr } = ftpi(["check", "--config", "bad.yaml"], { cwd: dir });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain("plaintext");
    const lines = stderr.split("\n").filter((line) => line.startsWith("bad.yaml"));
    expect(lines).toEqual([
      "bad.yaml:2:14: web.port: must be a port number between 0 and 65535",
      expect.stringMatching(/^bad\.yaml:5:15: users\.0\.password: is not a password hash/),
      'bad.yaml:7:5: users.0.grup: unknown key "grup" (did you mean "group"?)',
    ]);
  });

  it("prints ok for a good file", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "ftpi.yaml"), CONFIG_TEMPLATE);
    expect(ftpi(["check"], { cwd: dir })).toMatchObject({ code: 0, stdout: "ok\n" });
  });
});

describe("ftpi passwd", () => {
  it("hashes the first line of stdin (child process)", async () => {
    const { code, stdout, stderr } = ftpi(["passwd"], { cwd: await tempDir(), input: "open sesame\n" });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const hash = stdout.trim();
    expect(hash).toMatch(/^\$scrypt\$/);
    expect(await verifyPassword("open sesame", hash)).toBe(true);
    expect(await verifyPassword("open sesame\n", hash)).toBe(false);
  });

  it("refuses an empty password", async () => {
    const io = memoryIo(await tempDir(), "\n");
    expect(await main(["passwd"], io)).toBe(1);
    expect(io.err).toBe("ftpi: no password given\n");
  });
});

describe("usage errors", () => {
  it("an unknown option exits 2 with one line (child process)", async () => {
    const { code, stderr } = ftpi(["serve", "--prot", "21"], { cwd: await tempDir() });
    expect(code).toBe(2);
    expect(stderr).toBe(`ftpi: unknown option '--prot' (see "ftpi serve --help")\n`);
  });

  it.each([
    [["frobnicate"], 'ftpi: unknown command "frobnicate" (see "ftpi --help")\n'],
    [["chek"], 'ftpi: unknown command "chek"; did you mean "check"? (see "ftpi --help")\n'],
    [["check", "extra"], /unexpected argument 'extra'/],
    [["serve", "--port"], /argument missing/],
    [["serve", "--user", "alice"], 'ftpi: --user expects NAME:PASSWORD (see "ftpi serve --help")\n'],
    [["--port", "21"], /options go after the command/],
  ])("%j exits 2", async (args, message) => {
    const io = memoryIo(await tempDir());
    expect(await main(args, io)).toBe(2);
    if (typeof message === "string") expect(io.err).toBe(message);
    else expect(io.err).toMatch(message);
    expect(io.err.trim().split("\n")).toHaveLength(1);
  });

  it("prints help and version", async () => {
    const io = memoryIo(await tempDir());
    expect(await main(["--help"], io)).toBe(0);
    expect(io.out).toContain("Usage: ftpi <command>");
    expect(await main(["serve", "--help"], io)).toBe(0);
    expect(io.out).toContain("--passive-ports A-B");
    expect(await main(["help", "passwd"], io)).toBe(0);
    expect(io.out).toContain("Usage: ftpi passwd");
    expect(await main(["--version"], io)).toBe(0);
    expect(io.out).toMatch(/^\d+\.\d+\.\d+/m);
  });
});

describe("ftpi init", () => {
  it("writes the template, refuses to overwrite, and --force overwrites", async () => {
    const dir = await tempDir();
    const io = memoryIo(dir);
    expect(await main(["init"], io)).toBe(0);
    expect(await readFile(join(dir, "ftpi.yaml"), "utf8")).toBe(CONFIG_TEMPLATE);
    await writeFile(join(dir, "ftpi.yaml"), "banner: mine\n");
    expect(await main(["init"], io)).toBe(1);
    expect(io.err).toContain("ftpi.yaml already exists; add --force");
    expect(await readFile(join(dir, "ftpi.yaml"), "utf8")).toBe("banner: mine\n");
    expect(await main(["init", "--force", "--config", "etc/other.yaml"], io)).toBe(0);
    expect(await readFile(join(dir, "etc/other.yaml"), "utf8")).toBe(CONFIG_TEMPLATE);
  });
});

describe("serveOptions", () => {
  it("runs the defaults with no config and no flags", async () => {
    const dir = await tempDir();
    const { options, configFile } = await serveOptions([], dir);
    expect(configFile).toBeNull();
    expect(options.listen).toEqual([{ host: "0.0.0.0", port: 2121 }]);
    expect(options.accounts.map((a) => [a.name, a.home])).toEqual([["anonymous", join(dir, "ftp-root")]]);
  });

  it("lets flags override the config file found in the working folder", async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, "ftpi.yaml"),
      `listen: ["0.0.0.0:2121", "[::]:2121"]
passivePorts: 40000-40010
web: { port: 9000 }
anonymous: { home: pub }
log: { format: json }
plugins: [autoban]
`,
    );
    const { options, configFile } = await serveOptions(
      [
        "--port", "2222",
        "--passive-ports", "41000-41005",
        "--root", "share",
        "--user", "alice:pass:with:colons",
        "--web-port", "9090",
        "--log-format", "text",
        "--external-address", "ftp.example.org",
        "--data-dir", "/var/lib/ftpi",
        "--plugin", "./mine.ts",
      ],
      dir,
    );
    expect(configFile).toBe("ftpi.yaml");
    expect(options.listen).toEqual([
      { host: "0.0.0.0", port: 2222 },
      { host: "::", port: 2222 },
    ]);
    expect(options.passivePorts).toEqual({ min: 41000, max: 41005 });
    expect(options.web.port).toBe(9090);
    expect(options.log.format).toBe("text");
    expect(options.externalAddress).toBe("ftp.example.org");
    expect(options.dataDir).toBe("/var/lib/ftpi");
    expect(options.plugins.map((p) => p.name ?? p.path)).toEqual(["autoban", join(dir, "mine.ts")]);
    // --user without --anonymous: only alice, full rights on the shared folder.
    expect(options.accounts).toHaveLength(1);
    const [alice] = options.accounts;
    expect(alice).toMatchObject({ name: "alice", anonymous: false, home: join(dir, "share") });
    expect(alice!.permissions[0]!.allow).toContain("delete");
    expect(await verifyPassword("pass:with:colons", alice!.passwordHash!)).toBe(true);
  });

  it("keeps anonymous on with --anonymous, and --listen replaces the addresses", async () => {
    const dir = await tempDir();
    const { options } = await serveOptions(["--user", "bob:x", "--anonymous", "--listen", "127.0.0.1:2100"], dir);
    expect(options.accounts.map((a) => a.name)).toEqual(["anonymous", "bob"]);
    expect(options.accounts[1]!.home).toBe(options.accounts[0]!.home);
    expect(options.listen).toEqual([{ host: "127.0.0.1", port: 2100 }]);
  });

  it("reports bad flag values and config problems together", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "c.yaml"), "web: { prt: 1 }\n");
    const error = await serveOptions(["--config", "c.yaml", "--port", "http", "--user", "ftp:x"], dir).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map(formatProblem)).toEqual([
      'c.yaml:1:8: web.prt: unknown key "prt" (did you mean "port"?)',
      '--port: "http" is not a port number (0-65535)',
      '--user: ftp: "ftp" is the anonymous login; configure it under anonymous: instead',
    ]);
  });

  it("creates the shared folder with upload/ inside, only when missing", async () => {
    const dir = await tempDir();
    const setup = await serveOptions([], dir);
    expect(await prepareSharedFolders(setup)).toEqual([join(dir, "ftp-root"), join(dir, "ftp-root/upload")]);
    expect(existsSync(join(dir, "ftp-root/upload"))).toBe(true);
    expect(await prepareSharedFolders(setup)).toEqual([]);
  });
});

describe("startup block", () => {
  it("says where to connect and what to post for friends", async () => {
    const { options } = await serveOptions(["--web-port", "8081"], await tempDir());
    const text = startupBlock({
      options,
      addresses: [{ host: "0.0.0.0", port: 2121 }],
      configFile: null,
      lanAddresses: ["192.168.1.23"],
    });
    expect(text).toContain("ftp://192.168.1.23:2121/  user: anonymous  (any password; read-only, uploads go to /upload)");
    expect(text).toContain("Passive      ports 50000-50100");
    expect(text).toContain("Status page  http://192.168.1.23:8081/");
    expect(text).toContain("forward TCP 2121 and 50000-50100");
  });

  it("shows each FTP address once: implicit FTPS listeners and IPv4+IPv6 wildcards add no duplicate", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "ftpi.yaml"), 'listen: 127.0.0.1:2399\ntls: { implicit: ["127.0.0.1:2398"] }\n');
    const { options } = await serveOptions([], dir);
    const addressLine = (text: string) => text.split("\n").find((line) => line.startsWith("  Address"));
    const implicit = startupBlock({ options, addresses: [{ host: "127.0.0.1", port: 2399 }, { host: "127.0.0.1", port: 2398 }], configFile: "ftpi.yaml", lanAddresses: [] });
    expect(addressLine(implicit)).toBe("  Address      ftp://127.0.0.1:2399/");
    expect(implicit).toContain("implicit on 127.0.0.1:2398");

    const dual = await serveOptions(["--listen", "0.0.0.0:2121", "--listen", "[::]:2121"], dir);
    const both = startupBlock({ options: dual.options, addresses: [{ host: "0.0.0.0", port: 2121 }, { host: "::", port: 2121 }], configFile: null, lanAddresses: ["192.168.1.23"] });
    expect(addressLine(both)).toBe("  Address      ftp://192.168.1.23:2121/");

    const ports = await serveOptions(["--listen", "127.0.0.1:2121", "--listen", "127.0.0.1:2222"], dir);
    const two = startupBlock({ options: ports.options, addresses: [{ host: "127.0.0.1", port: 2121 }, { host: "127.0.0.1", port: 2222 }], configFile: null, lanAddresses: [] });
    expect(addressLine(two)).toBe("  Address      ftp://127.0.0.1:2121/  ftp://127.0.0.1:2222/");
  });
});
