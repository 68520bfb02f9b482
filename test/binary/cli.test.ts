import { spawnSync } from "node:child_process";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { binaryInEmptyFolder, ensureBinaries } from "../support/binary.ts";

const FIXTURES = path.join(import.meta.dirname, "fixtures");

let dir = "";
let binary = "";
let removeFolder = async () => {};

beforeAll(async () => {
  ensureBinaries("linux-x64");
  ({ dir, binary, remove: removeFolder } = await binaryInEmptyFolder("linux-x64"));
}, 180_000);

afterAll(() => removeFolder());

function ftpi(...args: string[]) {
  const result = spawnSync(binary, args, { cwd: dir, encoding: "utf8", input: "", timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the compiled executable's command line", () => {
  it("--version prints the version, the target and the commit it was built from", () => {
    for (const flag of ["--version", "-v", "version"]) {
      const { code, stdout } = ftpi(flag);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^${pkg.version.replaceAll(".", "\\.")} \\(linux-x64(, commit [0-9a-f]+(-dirty)?)?\\)\\n$`));
    }
  });

  it("--help lists the commands, and each command has its own help", () => {
    const main = ftpi("--help");
    expect(main.code).toBe(0);
    expect(main.stdout).toContain(`ftpi ${pkg.version}`);
    const listed = [...main.stdout.split("\nCommands:\n")[1]!.split("\n\n")[0]!.matchAll(/^  (\S+)/gm)].map((m) => m[1]!);
    expect(listed).toEqual(expect.arrayContaining(["serve", "init", "passwd", "check"]));
    for (const command of listed) {
      const help = ftpi(command, "--help");
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`^Usage: ftpi ${command}`));
    }
    expect(ftpi("serve", "-h").stdout).toContain("--plugin NAME|PATH");
    expect(ftpi("help", "init").stdout).toMatch(/^Usage: ftpi init/);
  });

  it("unknown options, commands and bad values are one line on stderr and exit code 2", () => {
    const cases: [string[], RegExp][] = [
      [["serve", "--bogus"], /^ftpi: unknown option '--bogus' \(see "ftpi serve --help"\)\n$/],
      [["--bogus"], /^ftpi: unknown option '--bogus'; options go after the command/],
      [["serv"], /^ftpi: unknown command "serv"; did you mean "serve"\?/],
      [["init", "--force", "extra"], /^ftpi: .*extra/],
      [["serve", "--user", "alice"], /^ftpi: --user expects NAME:PASSWORD/],
      [[], /^ftpi .*\n\nUsage: ftpi <command>/],
    ];
    for (const [args, stderr] of cases) {
      const result = ftpi(...args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toMatch(stderr);
      expect(result.stderr, args.join(" ")).not.toMatch(/^\s+at /m);
    }
  });

  it("init writes the config template it carries; check loads a .ts plugin from ftpi.yaml", async () => {
    expect(ftpi("init").code).toBe(0);
    const template = await readFile(path.join(dir, "ftpi.yaml"), "utf8");
    expect(template).toContain("plugins: []");
    await copyFile(path.join(FIXTURES, "hello.ts"), path.join(dir, "hello.ts"));
    await writeFile(path.join(dir, "ftpi.yaml"), template.replace("plugins: []", "plugins:\n  - path: ./hello.ts\n    options: { deny: eve }"));
    expect(ftpi("check")).toMatchObject({ code: 0, stdout: "ok\n" });

    await writeFile(path.join(dir, "wrong-options.yaml"), "plugins:\n  - path: ./hello.ts\n    options: { greeting: '' }\n");
    const wrong = ftpi("check", "--config", "wrong-options.yaml");
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^wrong-options\.yaml:2:5: plugins\.0\.options\.greeting: /m);
  });

  it("a plugin file that imports a package instead of types is refused with the fix", async () => {
    await writeFile(path.join(dir, "imports.ts"), `import * as v from "valibot";\nexport default { name: "imports", options: v.object({}) };\n`);
    await writeFile(path.join(dir, "imports.yaml"), "plugins: [./imports.ts, ./missing.ts]\n");
    const { code, stderr } = ftpi("check", "--config", "imports.yaml");
    expect(code).toBe(2);
    expect(stderr).toContain('plugins.0: cannot load plugin');
    expect(stderr).toContain('it imports "valibot", which cannot be found; a plugin file should only "import type"');
    expect(stderr).toMatch(/plugins\.1: cannot load plugin .*missing\.ts: no such file/);
  });

  it("passwd hashes a password from stdin", () => {
    const result = spawnSync(binary, ["passwd"], { cwd: dir, encoding: "utf8", input: "s3cret\n" });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$\S+\$\S+\n$/);
  });
});
