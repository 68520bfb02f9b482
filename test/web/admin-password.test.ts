import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyPassword } from "../../core/auth/password.ts";
import { parseConfigText, resolveConfig } from "../../core/config/load.ts";
import { ConfigError, formatProblem } from "../../core/config/problems.ts";
import { startupBlock } from "../../cli/startup-block.ts";
import { serveOptions } from "../../cli/serve.ts";
import { generateAdminPassword, resolveAdminPassword } from "../../web/auth/admin-password.ts";
import { adminHash, ADMIN_PASSWORD } from "./support.ts";

const tempDir = () => mkdtemp(join(tmpdir(), "ftpi-admin-"));

describe("the admin password", () => {
  it("is generated on first start, readable, stored only as a hash in a 0600 file", async () => {
    const dataDir = join(await tempDir(), "data");
    const first = await resolveAdminPassword({ dataDir, configured: null });
    expect(first.source).toBe("generated");
    expect(first.generated).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect(first.generated).not.toMatch(/[01ilo]/);
    const stored = await readFile(first.file, "utf8");
    expect(stored).not.toContain(first.generated!);
    expect(JSON.parse(stored).passwordHash).toBe(first.hash);
    expect(await verifyPassword(first.generated!, first.hash)).toBe(true);
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);

    const again = await resolveAdminPassword({ dataDir, configured: null });
    expect(again).toMatchObject({ source: "stored", generated: null, hash: first.hash });
  });

  it("comes from FTPI_ADMIN_PASSWORD first, then web.adminPassword, then the stored one", async () => {
    const dataDir = await tempDir();
    await resolveAdminPassword({ dataDir, configured: null });
    const fromEnv = await resolveAdminPassword({ dataDir, configured: await adminHash(), fromEnv: "from-env" });
    expect(fromEnv.source).toBe("env");
    expect(await verifyPassword("from-env", fromEnv.hash)).toBe(true);
    const fromConfig = await resolveAdminPassword({ dataDir, configured: await adminHash() });
    expect(fromConfig).toMatchObject({ source: "config", hash: await adminHash() });
    expect((await resolveAdminPassword({ dataDir, configured: null })).source).toBe("stored");
  });

  it("refuses a damaged admin.json instead of quietly making a new password", async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, "admin.json"), "{ not json");
    await expect(resolveAdminPassword({ dataDir, configured: null })).rejects.toThrow(/delete it/);
  });

  it("generated passwords differ", () => {
    expect(new Set(Array.from({ length: 20 }, generateAdminPassword)).size).toBe(20);
  });
});

describe("config", () => {
  const problemsOf = (text: string) => {
    try {
      resolveConfig(parseConfigText(text, "ftpi.yaml"), { file: "ftpi.yaml", baseDir: "/srv" });
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems.map(formatProblem);
      throw err;
    }
  };

  it("takes web.adminPassword as a hash and web.metricsToken as a long text", async () => {
    const options = resolveConfig(parseConfigText(`web:\n  adminPassword: "${await adminHash()}"\n  metricsToken: abcdefghijklmnopqrstuvwxyz\n`), { baseDir: "/srv" });
    expect(options.web).toMatchObject({ adminPassword: await adminHash(), metricsToken: "abcdefghijklmnopqrstuvwxyz" });
  });

  it("rejects a plain admin password and a short token, without quoting them", () => {
    const problems = problemsOf(`web:\n  adminPassword: ${ADMIN_PASSWORD}\n  metricsToken: short-secret\n`);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^ftpi\.yaml:2:\d+: web\.adminPassword: is not a password hash/);
    expect(problems[1]).toMatch(/^ftpi\.yaml:3:\d+: web\.metricsToken: must be at least 16 characters/);
    expect(problems.join("\n")).not.toContain("short-secret");
    expect(problems.join("\n")).not.toContain(ADMIN_PASSWORD);
  });
});

describe("startup block", () => {
  it("prints the status page URL and a generated password once; 'off' for port 0", async () => {
    const { options } = await serveOptions([], await tempDir());
    const base = { options, addresses: [{ host: "0.0.0.0", port: 2121 }], configFile: null, lanAddresses: ["192.168.1.23"] };
    const fresh = startupBlock({ ...base, statusPage: { port: 8080, generatedPassword: "abcd-efgh-jkmn-pqrs", passwordFile: "/d/admin.json" } });
    expect(fresh).toContain("Status page  http://192.168.1.23:8080/  (user admin)");
    expect(fresh).toContain("Admin login  admin / abcd-efgh-jkmn-pqrs  (new; shown only now, kept hashed in /d/admin.json)");
    const later = startupBlock({ ...base, statusPage: { port: 8080, generatedPassword: null, passwordFile: "/d/admin.json" } });
    expect(later).not.toContain("Admin login");
    expect(startupBlock({ ...base, statusPage: null })).toContain("Status page  off (web.port is 0)");
  });
});
