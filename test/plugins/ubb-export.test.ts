import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, truncate, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Hono } from "hono";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { definePlugin, type Account } from "../../core/index.ts";
import ubbExport from "../../plugins/ubb-export/index.ts";
import { crawlTree } from "../../plugins/ubb-export/crawl.ts";
import { bbcodeUrl, escapeBbcode } from "../../plugins/ubb-export/render/bbcode.ts";
import { localFolderSource } from "../../plugins/ubb-export/sources/local.ts";
import { globMatcher } from "../../plugins/ubb-export/glob.ts";
import { renderListing } from "../../plugins/ubb-export/render/index.ts";
import { parseListDate } from "../../plugins/ubb-export/sources/list-dates.ts";
import { ftpLinkBase, parseFtpUrl } from "../../plugins/ubb-export/sources/ftp-url.ts";
import type { FileItem, FolderItem, TreeItem } from "../../plugins/ubb-export/tree.ts";
import { formatSize } from "../../plugins/ubb-export/units.ts";
import { ensureTlsCertificate } from "../../cli/tls-certificate.ts";
import { ControlClient, type ParsedReply } from "../support/control.ts";
import { REPO, RUNTIMES } from "../support/process.ts";
import { startPyftpdlib, type RunningPyftpdlib } from "../support/pyftpdlib.ts";
import { account, FULL, startServer, type TestServer } from "../support/server.ts";

const MB = 1024 * 1024;
const file = (name: string, size: number, date?: string): FileItem => ({ kind: "file", name, size, modified: date ? new Date(date) : null });
const folder = (name: string, children: TreeItem[], extra: Partial<FolderItem> = {}): FolderItem => ({ kind: "folder", name, modified: null, children, ...extra });

const TREE = folder("", [
  file("readme.txt", 3, "2024-03-05T12:00:00Z"),
  folder("Video", [file("movie.mkv", 700 * MB, "2022-01-01T12:00:00Z")]),
  folder("Music", [file("b [live] (2004).mp3", 1536, "2023-05-06T12:00:00Z"), folder("Rock", [file("a.mp3", 4 * MB, "2024-01-02T12:00:00Z")])]),
  folder("Empty", []),
]);

const lines = (...l: string[]) => l.join("\n") + "\n";

describe("the listing renderer", () => {
  it("writes BBCode: nested [list]s, folders in [b], sizes, per-folder and total counts", () => {
    expect(renderListing(TREE, "/")).toBe(
      lines(
        "[b]/[/b]",
        "[list]",
        "[*][b]Empty[/b] (empty)",
        "[*][b]Music[/b] (1 folder, 2 files, 4.0 MB)",
        "[list]",
        "[*][b]Rock[/b] (1 file, 4.0 MB)",
        "[list]",
        "[*]a.mp3 (4.0 MB)",
        "[/list]",
        "[*]b ［live］ (2004).mp3 (1.5 KB)",
        "[/list]",
        "[*][b]Video[/b] (1 file, 700 MB)",
        "[list]",
        "[*]movie.mkv (700 MB)",
        "[/list]",
        "[*]readme.txt (3 B)",
        "[/list]",
        "Total: 4 folders, 4 files, 704 MB",
      ),
    );
  });

  it("writes plain text and Markdown from the same tree", () => {
    expect(renderListing(TREE, "/pub", { format: "text" })).toBe(
      lines(
        "/pub",
        "  Empty/ (empty)",
        "  Music/ (1 folder, 2 files, 4.0 MB)",
        "    Rock/ (1 file, 4.0 MB)",
        "      a.mp3 (4.0 MB)",
        "    b [live] (2004).mp3 (1.5 KB)",
        "  Video/ (1 file, 700 MB)",
        "    movie.mkv (700 MB)",
        "  readme.txt (3 B)",
        "Total: 4 folders, 4 files, 704 MB",
      ),
    );
    expect(renderListing(TREE, "/pub", { format: "markdown" })).toBe(
      lines(
        "**/pub**",
        "",
        "- **Empty/** (empty)",
        "- **Music/** (1 folder, 2 files, 4.0 MB)",
        "  - **Rock/** (1 file, 4.0 MB)",
        "    - a.mp3 (4.0 MB)",
        "  - b \\[live\\] (2004).mp3 (1.5 KB)",
        "- **Video/** (1 file, 700 MB)",
        "  - movie.mkv (700 MB)",
        "- readme.txt (3 B)",
        "",
        "Total: 4 folders, 4 files, 704 MB",
      ),
    );
  });

  it("links every entry to ftp://host:port/path with each segment URL-encoded, and shows dates", () => {
    const bbcode = renderListing(TREE, "/my pub", { linkBase: "ftp://nas.local:2121/", dates: true });
    expect(bbcode.split("\n").slice(0, 5)).toEqual([
      "[b][url=ftp://nas.local:2121/my%20pub/]/my pub[/url][/b]",
      "[list]",
      "[*][b][url=ftp://nas.local:2121/my%20pub/Empty/]Empty[/url][/b] (empty)",
      "[*][b][url=ftp://nas.local:2121/my%20pub/Music/]Music[/url][/b] (1 folder, 2 files, 4.0 MB)",
      "[list]",
    ]);
    expect(bbcode).toContain("[*][url=ftp://nas.local:2121/my%20pub/Music/b%20%5Blive%5D%20%282004%29.mp3]b ［live］ (2004).mp3[/url] (1.5 KB, 2023-05-06)");
    const markdown = renderListing(TREE, "/", { format: "markdown", linkBase: "ftp://nas.local" });
    expect(markdown).toContain("  - [b \\[live\\] (2004).mp3](ftp://nas.local/Music/b%20%5Blive%5D%20%282004%29.mp3) (1.5 KB)");
    expect(markdown).toContain("- **[Music/](ftp://nas.local/Music/)** (1 folder, 2 files, 4.0 MB)");
    expect(renderListing(TREE, "/", { format: "text", linkBase: "ftp://nas.local" })).toContain("      a.mp3 (4.0 MB) ftp://nas.local/Music/Rock/a.mp3\n");
  });

  it("stops at the depth limit, deeper folders showing their totals", () => {
    expect(renderListing(TREE, "/", { depth: 1, format: "text" })).toBe(
      lines("/", "  Empty/ (empty)", "  Music/ (1 folder, 2 files, 4.0 MB)", "  Video/ (1 file, 700 MB)", "  readme.txt (3 B)", "Total: 4 folders, 4 files, 704 MB"),
    );
    expect(renderListing(TREE, "/", { depth: 2, format: "text" })).toContain("    Rock/ (1 file, 4.0 MB)\n    b [live]");
  });

  it("keeps only files matching --include (and the folders holding them), drops what --exclude matches", () => {
    expect(renderListing(TREE, "/", { include: ["*.MP3"], format: "text" })).toBe(
      lines("/", "  Music/ (1 folder, 2 files, 4.0 MB)", "    Rock/ (1 file, 4.0 MB)", "      a.mp3 (4.0 MB)", "    b [live] (2004).mp3 (1.5 KB)", "Total: 2 folders, 2 files, 4.0 MB"),
    );
    expect(renderListing(TREE, "/", { exclude: ["Music/Rock", "*.mkv", "Empty"], format: "text" })).toBe(
      lines("/", "  Music/ (1 file, 1.5 KB)", "    b [live] (2004).mp3 (1.5 KB)", "  Video/ (empty)", "  readme.txt (3 B)", "Total: 2 folders, 2 files, 1.5 KB"),
    );
    expect(renderListing(TREE, "/", { include: ["music/**"], format: "text" })).toContain("Total: 2 folders, 2 files, 4.0 MB");
  });

  it("sorts by name, size or date, either way, folders first or mixed in", () => {
    const names = (options: Parameters<typeof renderListing>[2]) =>
      renderListing(folder("", [file("b10.txt", 5, "2020-01-01"), file("b9.txt", 20, "2022-01-01"), file("A.txt", 10, "2021-01-01"), folder("zeta", [file("big", 100)])]), "/", { format: "text", depth: 1, ...options })
        .split("\n")
        .slice(1, 5)
        .map((l) => l.trim().split(" ")[0]);
    expect(names({})).toEqual(["zeta/", "A.txt", "b9.txt", "b10.txt"]);
    expect(names({ order: "desc" })).toEqual(["zeta/", "b10.txt", "b9.txt", "A.txt"]);
    expect(names({ sort: "size", foldersFirst: false })).toEqual(["b10.txt", "A.txt", "b9.txt", "zeta/"]);
    expect(names({ sort: "size", order: "desc", foldersFirst: false })).toEqual(["zeta/", "b9.txt", "A.txt", "b10.txt"]);
    expect(names({ sort: "date", order: "desc" })).toEqual(["zeta/", "b9.txt", "A.txt", "b10.txt"]);
  });

  it("shows a folder that could not be listed, and counts it", () => {
    const text = renderListing(folder("", [folder("secret", [], { error: "550 Permission denied." }), file("a", 1)]), "/", { format: "text" });
    expect(text).toBe(lines("/", "  secret/ (not listed: 550 Permission denied.)", "  a (1 B)", "Total: 1 folder, 1 file, 1 B (1 folder could not be listed)"));
  });

  it("formats sizes as file managers do, and globs as .gitignore does", () => {
    expect([0, 1023, 1024, 1536, 1048575, 10 * MB, 734003200, 3 * 1024 * MB, 5 * 1024 ** 4].map(formatSize)).toEqual([
      "0 B",
      "1023 B",
      "1.0 KB",
      "1.5 KB",
      "1.0 MB",
      "10.0 MB",
      "700 MB",
      "3.0 GB",
      "5.0 TB",
    ]);
    const match = globMatcher(["*.mp?", "video/**", "**/tmp/*.part"]);
    expect(["a.mp3", "x/y/A.MP4", "video/a/b.mkv", "tmp/x.part", "a/b/tmp/x.part"].map(match)).toEqual([true, true, true, true, true]);
    expect(["a.mp33", "video", "videos/a", "tmp/x/y.part", "a.flac"].map(match)).toEqual([false, false, false, false, false]);
    expect(globMatcher([])("anything")).toBe(false);
  });

  it("reads the date column of Unix and DOS LIST lines", () => {
    const now = new Date("2024-06-01T00:00:00Z");
    expect(parseListDate("Mar  5  2020", now)?.toISOString()).toBe("2020-03-05T00:00:00.000Z");
    expect(parseListDate("Mar 05 14:02", now)?.toISOString()).toBe("2024-03-05T14:02:00.000Z");
    expect(parseListDate("Dec 24 10:00", now)?.toISOString()).toBe("2023-12-24T10:00:00.000Z");
    expect(parseListDate("03-05-20 02:02PM")?.toISOString()).toBe("2020-03-05T14:02:00.000Z");
    expect(parseListDate("12-31-1999 12:15AM")?.toISOString()).toBe("1999-12-31T00:15:00.000Z");
    expect(parseListDate("yesterday")).toBeNull();
  });

  it("reads ftp:// URLs, percent-encoded credentials included; links never carry the password", () => {
    const target = parseFtpUrl("ftp://alice:s%40cret@nas.local:2121/my%20music/");
    expect(target).toEqual({ host: "nas.local", port: 2121, user: "alice", password: "s@cret", anonymous: false, path: "/my music" });
    expect(ftpLinkBase(target)).toBe("ftp://alice@nas.local:2121");
    expect(parseFtpUrl("ftp://[::1]/")).toMatchObject({ host: "::1", port: 21, user: "anonymous", anonymous: true, path: "" });
    expect(ftpLinkBase(parseFtpUrl("ftp://[::1]/"))).toBe("ftp://[::1]");
    expect(() => parseFtpUrl("http://x/")).toThrow(/not supported/);
  });
});

/** The fixture every server lists: odd names, a sparse 3 GB file, an empty and a deep folder. */
async function writeFixture(root: string): Promise<void> {
  const put = async (rel: string, content: string | number) => {
    const full = path.join(root, rel);
    await mkdir(path.dirname(full), { recursive: true });
    if (typeof content === "number") {
      await writeFile(full, "");
      await truncate(full, content);
    } else await writeFile(full, content);
  };
  await put("readme.txt", "hi\n");
  await put("Music/Rock/a.mp3", 5000);
  await put("Music/b [live] (2004).mp3", 1536);
  await put("Music/Jazz & Blues/c.flac", 123_456);
  await put("Video/movie.mkv", 3 * 1024 * MB);
  await put("names/ünïcødé.txt", "unicode");
  await put("names/-dash.txt", "dash");
  await put("names/two  spaces.txt", "spaces");
  await put("deep/a/b/c/d/e.txt", "deep");
  await mkdir(path.join(root, "Empty"));
  await put("secret/hidden.txt", "not for you");
}

/** Sets every mtime (files and folders) to one noon long ago, so LIST shows a year and no zone shifts the day. */
async function ageFixture(root: string, dir = root): Promise<void> {
  const { readdir } = await import("node:fs/promises");
  const when = new Date("2020-06-15T12:00:00Z");
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await ageFixture(root, full);
    await utimes(full, when, when);
  }
  await utimes(dir, when, when);
}

const run = promisify(execFile);

/** stderr without the progress lines a slow (busy) machine may print. */
const withoutProgress = (stderr: string) => stderr.replace(/^listed \d+ folders.*\n/gm, "");

/** Runs `ftpi ubb ...` from source on Node, as a user would. */
function ftpiUbb(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return ftpiUbbWith({}, ...args);
}

/** `ftpi ubb ...` with extra environment variables. */
async function ftpiUbbWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [cmd, ...pre] = RUNTIMES.node!;
  try {
    const { stdout, stderr } = await run(cmd!, [...pre, "ubb", ...args], { cwd: REPO, timeout: 60_000, env: { ...process.env, NO_COLOR: "1", ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** A test server with the ubb-export plugin (given `options`) built in. */
function startWithUbb(options: Record<string, unknown> = {}, accounts?: (root: string) => Promise<Account[]>): Promise<TestServer> {
  return startServer({
    options: { plugins: [{ name: "ubb-export", path: null, options }] },
    extras: { builtinPlugins: { "ubb-export": ubbExport } },
    ...(accounts ? { accounts } : {}),
  });
}

/** The plugins' web panels of `t`, each under /plugins/NAME as the status page mounts them. */
function panelApp(t: TestServer): Hono {
  const app = new Hono();
  for (const { plugin, mount } of t.server.host.webMounts) {
    const panel = new Hono();
    mount(panel);
    app.route(`/plugins/${plugin}`, panel);
  }
  return app;
}

/** A SITE UBB answer: 200, then the BBCode listing of `folder` between its first and last line. */
function expectSiteListing(reply: ParsedReply, folder: string, listing: string[]): void {
  expect(reply.code).toBe(200);
  expect(reply.lines).toEqual([`200-Listing of ${folder} (bbcode):`, ...listing, "200 End of listing."]);
}

describe("SITE UBB and the status panel (ftpi's own storage)", () => {
  let t: TestServer | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it("answers SITE UBB [path] with the listing as a multi-line 200, from the current folder by default", async () => {
    t = await startWithUbb({ exclude: ["secret", "deep"] });
    await writeFixture(t.root);
    const c = await ControlClient.connect(t.port);
    await c.login();
    expectSiteListing(await c.send("SITE UBB /Music"), "/Music", [
      "[b]/Music[/b]",
      "[list]",
      "[*][b]Jazz & Blues[/b] (1 file, 121 KB)",
      "[list]",
      "[*]c.flac (121 KB)",
      "[/list]",
      "[*][b]Rock[/b] (1 file, 4.9 KB)",
      "[list]",
      "[*]a.mp3 (4.9 KB)",
      "[/list]",
      "[*]b ［live］ (2004).mp3 (1.5 KB)",
      "[/list]",
      "Total: 2 folders, 3 files, 127 KB",
    ]);
    expect((await c.send("CWD /Music/Rock")).code).toBe(250);
    expect((await c.send("SITE UBB")).lines.slice(1, 5)).toEqual(["[b]/Music/Rock[/b]", "[list]", "[*]a.mp3 (4.9 KB)", "[/list]"]);
    expect((await c.send("SITE UBB ..")).lines[1]).toBe("[b]/Music[/b]");
    const missing = await c.send("SITE UBB /nowhere");
    expect(missing.text).toBe("550 /nowhere: no such folder");
    expect((await c.send("SITE UBB /readme.txt")).code).toBe(550);
    expect((await c.send("SITE HELP")).text).toContain("UBB");
    c.close();
  });

  it("links to the address the client reached; cuts long replies and big trees", async () => {
    t = await startWithUbb({ links: true, format: "markdown", maxLines: 10, maxFolders: 3 });
    await writeFixture(t.root);
    const c = await ControlClient.connect(t.port);
    await c.login();
    const reply = await c.send("SITE UBB /Music/Rock");
    expect(reply.lines).toContain(`  - [a.mp3](ftp://127.0.0.1:${t.port}/Music/Rock/a.mp3) (4.9 KB)`.slice(2));
    const whole = await c.send("SITE UBB /");
    expect(whole.lines).toHaveLength(13);
    expect(whole.lines[11]).toMatch(/^\.\.\. \d+ more lines; "ftpi ubb" lists without a limit\.$/);
    const text = (await c.send("SITE UBB /")).text;
    expect(text.match(/\(not listed: more than 3 folders\)/g)?.length).toBeGreaterThan(0);
    c.close();
  });

  it("serves a panel with the listing, a copy button and a preview; listing.txt gives the bare text", async () => {
    t = await startWithUbb({ linkBase: "ftp://myhost.ddns.net:2121", account: "alice" });
    await writeFixture(t.root);
    const app = panelApp(t);
    for (const url of ["/plugins/ubb-export", "/plugins/ubb-export/"]) {
      const res = await app.request(`${url}?path=/Music/Rock&format=markdown&links=1`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('<textarea id="ubb-output" class="ubb-output" readonly="">');
      expect(html).toContain("- [a.mp3](ftp://myhost.ddns.net:2121/Music/Rock/a.mp3) (4.9 KB)");
      expect(html).toContain('data-copy="ubb-output"');
      expect(html).toContain('<script src="/plugins/ubb-export/copy.js" defer="">');
      expect(html).toContain('<a href="ftp://myhost.ddns.net:2121/Music/Rock/a.mp3">a.mp3</a>');
    }
    const text = await app.request("/plugins/ubb-export/listing.txt?path=/Video&format=text&dates=1");
    expect(await text.text()).toMatch(/^\/Video\n  movie\.mkv \(3\.0 GB, \d{4}-\d\d-\d\d\)\nTotal: 0 folders, 1 file, 3\.0 GB\n$/);
    expect((await app.request("/plugins/ubb-export/copy.js")).headers.get("content-type")).toContain("javascript");
    expect((await app.request("/plugins/ubb-export/?format=html")).status).toBe(400);
    expect((await app.request("/plugins/ubb-export/?account=nobody")).status).toBe(404);
    expect((await app.request("/plugins/ubb-export/listing.txt?path=/nowhere")).status).toBe(404);
  });
});

describe("ftpi ubb", () => {
  let tmp = "";
  let ftpi: TestServer | null = null;
  const servers: RunningPyftpdlib[] = [];
  const script = path.join(import.meta.dirname, "fixtures", "pyftpd_server.py");

  beforeAll(async () => {
    ftpi = await startServer({
      accounts: async (root) => [await account("alice", root, { permissions: [...FULL, { path: "/secret", allow: ["read"], subdirs: true }] })],
    });
    await writeFixture(ftpi.root);
    await ageFixture(ftpi.root);
    tmp = await mkdtemp(path.join(os.tmpdir(), "ftpi-ubb-"));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await ftpi?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("prints the same listing of the same tree from ftpi, pyftpdlib (MLSD, Unix LIST, DOS LIST) and the local folder", async () => {
    const plain = await startPyftpdlib(ftpi!.root);
    const listOnly = await startPyftpdlib(ftpi!.root, { script, args: ["--no-mlsd"] });
    const dos = await startPyftpdlib(ftpi!.root, { script, args: ["--no-mlsd", "--dos"] });
    servers.push(plain, listOnly, dos);
    const common = ["--format", "text", "--exclude", "secret", "--concurrency", "3"];
    const [fromFtpi, fromPy, fromList, fromDos, fromDisk] = await Promise.all([
      ftpiUbb(`ftp://alice:secret@127.0.0.1:${ftpi!.port}/`, ...common),
      ftpiUbb(`ftp://user:pass@127.0.0.1:${plain.port}/`, ...common),
      ftpiUbb(`ftp://user:pass@127.0.0.1:${listOnly.port}/`, ...common),
      ftpiUbb(`ftp://user:pass@127.0.0.1:${dos.port}`, ...common),
      ftpiUbb(ftpi!.root, ...common, "--title", "/"),
    ]);
    for (const r of [fromFtpi, fromPy, fromList, fromDos, fromDisk]) expect(withoutProgress(r.stderr)).toBe("");
    expect(fromFtpi.stdout).toBe(
      lines(
        "/",
        "  deep/ (4 folders, 1 file, 4 B)",
        "    a/ (3 folders, 1 file, 4 B)",
        "      b/ (2 folders, 1 file, 4 B)",
        "        c/ (1 folder, 1 file, 4 B)",
        "          d/ (1 file, 4 B)",
        "            e.txt (4 B)",
        "  Empty/ (empty)",
        "  Music/ (2 folders, 3 files, 127 KB)",
        "    Jazz & Blues/ (1 file, 121 KB)",
        "      c.flac (121 KB)",
        "    Rock/ (1 file, 4.9 KB)",
        "      a.mp3 (4.9 KB)",
        "    b [live] (2004).mp3 (1.5 KB)",
        "  names/ (3 files, 17 B)",
        "    -dash.txt (4 B)",
        "    two  spaces.txt (6 B)",
        "    ünïcødé.txt (7 B)",
        "  Video/ (1 file, 3.0 GB)",
        "    movie.mkv (3.0 GB)",
        "  readme.txt (3 B)",
        "Total: 11 folders, 9 files, 3.0 GB",
      ),
    );
    expect(fromPy.stdout).toBe(fromFtpi.stdout);
    expect(fromList.stdout).toBe(fromFtpi.stdout);
    expect(fromDos.stdout).toBe(fromFtpi.stdout);
    expect(fromDisk.stdout).toBe(fromFtpi.stdout);
  });

  it("gives the same dates from MLSD and from parsed LIST lines, and BBCode links without the password", async () => {
    const [listOnly, dos] = [servers[1]!, servers[2]!];
    const args = ["--dates", "--links"];
    const [mlsd, list, dosList] = await Promise.all([
      ftpiUbb(`ftp://alice:secret@127.0.0.1:${ftpi!.port}/Music`, ...args),
      ftpiUbb(`ftp://user:pass@127.0.0.1:${listOnly.port}/Music`, ...args),
      ftpiUbb(`ftp://user:pass@127.0.0.1:${dos.port}/Music`, ...args),
    ]);
    expect(mlsd.stdout).toContain(`[*][url=ftp://alice@127.0.0.1:${ftpi!.port}/Music/Rock/a.mp3]a.mp3[/url] (4.9 KB, 2020-06-15)`);
    expect(mlsd.stdout).not.toContain("secret@");
    expect(list.stdout).toBe(mlsd.stdout.replaceAll(`alice@127.0.0.1:${ftpi!.port}`, `user@127.0.0.1:${listOnly.port}`));
    expect(dosList.stdout).toBe(mlsd.stdout.replaceAll(`alice@127.0.0.1:${ftpi!.port}`, `user@127.0.0.1:${dos.port}`));
  });

  it("reports a folder the server refuses (550) on stderr, skips it and lists the rest", async () => {
    const denying = await startPyftpdlib(ftpi!.root, { script, args: ["--deny", "secret"] });
    servers.push(denying);
    const [py, own] = await Promise.all([
      ftpiUbb(`ftp://user:pass@127.0.0.1:${denying.port}/`, "--format", "text", "--concurrency", "1"),
      ftpiUbb(`ftp://alice:secret@127.0.0.1:${ftpi!.port}/`, "--format", "text"),
    ]);
    for (const r of [py, own]) {
      expect(r.code).toBe(0);
      expect(withoutProgress(r.stderr)).toMatch(/^ftpi ubb: skipped \/secret: 550 .+\nftpi ubb: 1 folder could not be listed\n$/);
      expect(r.stdout).toMatch(/\n {2}secret\/ \(not listed: 550 [^)]+\)\n/);
      expect(r.stdout).toContain("      a.mp3 (4.9 KB)\n");
      expect(r.stdout).toContain("Total: 12 folders, 9 files, 3.0 GB (1 folder could not be listed)\n");
    }
  });

  it("lists over FTPS with --ftps (--insecure for a self-signed certificate)", async () => {
    const made = await ensureTlsCertificate({ dataDir: path.join(tmp, "cert"), tls: { enabled: true, certFile: null, keyFile: null, implicit: [], require: false, requireSessionReuse: true } } as never);
    const secure = await startServer({
      options: { tls: { ...made.options.tls, enabled: true, implicit: [], require: true, requireSessionReuse: true } },
    });
    try {
      await writeFixture(secure.root);
      const url = `ftp://alice:secret@127.0.0.1:${secure.port}/Music`;
      const [ok, untrusted, plain] = await Promise.all([ftpiUbb(url, "--ftps", "--insecure"), ftpiUbb(url, "--ftps"), ftpiUbb(url)]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain("[*]b ［live］ (2004).mp3 (1.5 KB)\n");
      expect(untrusted.code).toBe(1);
      expect(untrusted.stderr).toMatch(/^ftpi ubb: cannot log in to 127\.0\.0\.1:\d+: .*(self[- ]signed|certificate)/i);
      // The server requires TLS: the same URL without --ftps is refused, so the listing above went over TLS.
      expect(plain.code).toBe(1);
      expect(plain.stderr).toMatch(/^ftpi ubb: cannot log in to .*: 5\d\d /);
    } finally {
      await secure.close();
    }
  });

  it("fails clearly on a refused login, a missing folder and bad options; --help explains", async () => {
    const [badLogin, missing, badFlag, help, noFolder] = await Promise.all([
      ftpiUbb(`ftp://alice:wrong@127.0.0.1:${ftpi!.port}/`),
      ftpiUbb(`ftp://alice:secret@127.0.0.1:${ftpi!.port}/nowhere`),
      ftpiUbb(".", "--format", "html"),
      ftpiUbb("--help"),
      ftpiUbb(path.join(tmp, "nothing-here")),
    ]);
    expect(badLogin).toMatchObject({ code: 1 });
    expect(badLogin.stderr).toMatch(/^ftpi ubb: cannot log in to 127\.0\.0\.1:\d+: 530 /);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ftpi ubb: cannot list \/nowhere: 550 /);
    expect(badFlag).toMatchObject({ code: 2, stdout: "" });
    expect(badFlag.stderr).toContain('--format must be one of bbcode, text, markdown (see "ftpi ubb --help")');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: ftpi ubb [DIR | ftp://user:password@host:port/folder]");
    expect(noFolder.code).toBe(1);
    expect(noFolder.stderr).toContain("no such folder");
  });
});

describe("hostile names in BBCode", () => {
  const HOSTILE = folder("", [
    file("[/list][url=http://evil]x[/url]", 1),
    file("line\n[/list]break", 2),
    folder("[b]bold", [file("[img]http://evil/a.png[/img]", 3)]),
    folder("[quote]", [], { error: "550 [/list][url=http://evil]no[/url]" }),
  ]);
  /** Every BBCode tag in `text`, as a forum would find it: "b", "/b", "url", ... */
  const tagsOf = (text: string) => [...text.matchAll(/\[(\/?)([^\]=\s]*)(?:=[^\]]*)?\]/g)].map((m) => `${m[1]}${m[2]!.toLowerCase()}`);

  it("writes names, the title and server messages so that they open no tag, and reads them as brackets", () => {
    const out = renderListing(HOSTILE, "/[x]");
    expect(new Set(tagsOf(out))).toEqual(new Set(["b", "/b", "list", "/list", "*"]));
    expect(tagsOf(out).filter((t) => t === "list").length).toBe(tagsOf(out).filter((t) => t === "/list").length);
    expect(out).toBe(
      lines(
        "[b]/［x］[/b]",
        "[list]",
        "[*][b]［b］bold[/b] (1 file, 3 B)",
        "[list]",
        "[*]［img］http://evil/a.png［/img］ (3 B)",
        "[/list]",
        "[*][b]［quote］[/b] (not listed: 550 ［/list］［url=http://evil］no［/url］)",
        "[*]［/list］［url=http://evil］x［/url］ (1 B)",
        "[*]line?［/list］break (2 B)",
        "[/list]",
        "Total: 2 folders, 3 files, 6 B (1 folder could not be listed)",
      ),
    );
    expect(escapeBbcode("[*]a]")).toBe("［*］a］");
  });

  it("percent-encodes in [url=…] whatever could end the tag, the link base too", () => {
    const out = renderListing(folder("", [file(`a] b"'<c>[url].txt`, 1)]), "/", { linkBase: `ftp://h]o"s't:21` });
    expect(out).toContain(`[*][url=ftp://h%5Do%22s%27t:21/a%5D%20b%22%27%3Cc%3E%5Burl%5D.txt]a］ b"'<c>［url］.txt[/url] (1 B)`);
    expect(new Set(tagsOf(out))).toEqual(new Set(["b", "/b", "url", "/url", "list", "/list", "*"]));
    expect(bbcodeUrl("ftp://[::1]:2121/a b\u200b\n")).toBe("ftp://%5B::1%5D:2121/a%20b%E2%80%8B%0A");
  });
});

/** A tree with links back into itself: a/up -> .., b/here -> ., knot -> knot (dangling, a loop of one). */
async function writeLoops(root: string): Promise<void> {
  await mkdir(path.join(root, "a"), { recursive: true });
  await mkdir(path.join(root, "b"), { recursive: true });
  await writeFile(path.join(root, "a", "f.txt"), "abc");
  await writeFile(path.join(root, "b", "g.txt"), "abcd");
  await writeFile(path.join(root, "readme.txt"), "hi");
  await symlink("..", path.join(root, "a", "up"));
  await symlink(".", path.join(root, "b", "here"));
  await symlink("knot", path.join(root, "knot"));
}

const LOOPS_TEXT = lines(
  "/",
  "  a/ (1 file, 3 B)",
  "    up/ (same folder as /)",
  "    f.txt (3 B)",
  "  b/ (1 file, 4 B)",
  "    here/ (same folder as /b)",
  "    g.txt (4 B)",
  "  readme.txt (2 B)",
  "Total: 2 folders, 3 files, 9 B",
);

describe("symbolic link loops", () => {
  let t: TestServer | null = null;
  afterAll(async () => {
    await t?.close();
  });
  beforeAll(async () => {
    t = await startWithUbb();
    await writeLoops(t.root);
  });

  it("crawls a local tree once: a link to .. or to . is shown, not entered", async () => {
    const tree = await crawlTree(localFolderSource(t!.root), "/", { concurrency: 3 });
    expect(renderListing(tree, "/", { format: "text" })).toBe(LOOPS_TEXT);
    const cli = await ftpiUbb(t!.root, "--format", "text", "--title", "/");
    expect(cli).toMatchObject({ code: 0, stdout: LOOPS_TEXT });
    expect(withoutProgress(cli.stderr)).toBe("");
  });

  it("crawls the same tree served by ftpi over FTP once (MLSD unique facts), and SITE UBB ends too", async () => {
    const remote = await ftpiUbb(`ftp://alice:secret@127.0.0.1:${t!.port}/`, "--format", "text", "--concurrency", "3");
    expect(remote).toMatchObject({ code: 0, stdout: LOOPS_TEXT });
    expect(withoutProgress(remote.stderr)).toBe("");
    const c = await ControlClient.connect(t!.port);
    await c.login();
    expectSiteListing(await c.send("SITE UBB /"), "/", [
      "[b]/[/b]",
      "[list]",
      "[*][b]a[/b] (1 file, 3 B)",
      "[list]",
      "[*][b]up[/b] (same folder as /)",
      "[*]f.txt (3 B)",
      "[/list]",
      "[*][b]b[/b] (1 file, 4 B)",
      "[list]",
      "[*][b]here[/b] (same folder as /b)",
      "[*]g.txt (4 B)",
      "[/list]",
      "[*]readme.txt (2 B)",
      "[/list]",
      "Total: 2 folders, 3 files, 9 B",
    ]);
    // Entered through the link, the loop still ends at the first folder seen again.
    const through = await c.send("SITE UBB /a/up");
    expect(through.code).toBe(200);
    expect(through.lines).toContain("[*][b]up[/b] (same folder as /a/up)");
    c.close();
  });

  it("ends on a server that hides loops (LIST, links as links, PWD keeps the path): --max-folders", async () => {
    const script = path.join(import.meta.dirname, "fixtures", "pyftpd_server.py");
    const listOnly = await startPyftpdlib(t!.root, { script, args: ["--no-mlsd"] });
    try {
      // Nothing tells /b/here from /b here: only the cap ends the crawl, and says so.
      const r = await ftpiUbb(`ftp://user:pass@127.0.0.1:${listOnly.port}/`, "--format", "text", "--max-folders", "40");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("(not listed: more than 40 folders)");
      expect(r.stdout).toMatch(/^Total: \d+ folders, \d+ files, \d+ B \(\d+ folders could not be listed\)$/m);
      expect(withoutProgress(r.stderr)).toMatch(/ftpi ubb: stopped at 40 folders \(--max-folders\); the listing is incomplete\n$/);
    } finally {
      await listOnly.close();
    }
  });
});

describe("SITE UBB and the panel on a folder that cannot be listed", () => {
  let t: TestServer | null = null;
  afterAll(async () => {
    await t?.close();
  });

  it("answers 550 for a denied folder and a link out of the root (no plugin fault); the panel answers 403 / 404", async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), "ftpi-ubb-outside-"));
    try {
      t = await startWithUbb({ account: "alice" }, async (root) => [
        await account("alice", root, { permissions: [...FULL, { path: "/secret", allow: ["read"], subdirs: true }] }),
      ]);
      await writeFixture(t.root);
      await writeFile(path.join(outside, "private.txt"), "no");
      await symlink(outside, path.join(t.root, "out"));
      const c = await ControlClient.connect(t.port);
      await c.login();
      expect((await c.send("SITE UBB /secret")).text).toBe("550 /secret: permission denied");
      expect((await c.send("SITE UBB /out")).text).toBe("550 /out: permission denied");
      expect((await c.send("SITE UBB /out/private.txt")).code).toBe(550);
      expect((await c.send("SITE UBB /nowhere")).text).toBe("550 /nowhere: no such folder");
      // The link out of the root is left out of the listing of its folder, without an error.
      const whole = await c.send("SITE UBB /");
      expect(whole.code).toBe(200);
      expect(whole.text).not.toContain("out");
      expect(whole.text).not.toContain("private");
      c.close();
      expect(t.logs.filter((l) => l.includes("[ubb-export:"))).toEqual([]);

      const app = panelApp(t);
      const text = await app.request("/plugins/ubb-export/listing.txt?path=/out");
      expect(text.status).toBe(403);
      expect(await text.text()).toBe("/out: permission denied\n");
      const page = await app.request("/plugins/ubb-export?path=/out");
      expect(page.status).toBe(403);
      expect(await page.text()).toContain("<li>/out: permission denied</li>");
      expect((await app.request("/plugins/ubb-export?path=/readme.txt")).status).toBe(404);
      expect(t.logs.filter((l) => l.includes("[ubb-export:"))).toEqual([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe("ftpi ubb on a big remote tree", () => {
  let t: TestServer | null = null;
  let open = 0;
  let maxOpen = 0;
  const listing = new Set<string>();
  let maxListing = 0;
  // Counts control connections and sessions whose last command was a listing, and slows listings
  // down a little so that parallel ones overlap.
  const counter = definePlugin({
    name: "connection-counter",
    onConnect() {
      open++;
      maxOpen = Math.max(maxOpen, open);
    },
    onDisconnect({ session }) {
      open--;
      listing.delete(session.id);
    },
    async onCommand({ session, verb }) {
      if (verb !== "MLSD" && verb !== "LIST") {
        listing.delete(session.id);
        return;
      }
      listing.add(session.id);
      maxListing = Math.max(maxListing, listing.size);
      await new Promise((resolve) => setTimeout(resolve, 10));
    },
  });

  beforeAll(async () => {
    t = await startServer({
      options: { plugins: [{ name: "connection-counter", path: null, options: {} }] },
      extras: { builtinPlugins: { "connection-counter": counter } },
    });
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 10; j++) {
        const dir = path.join(t.root, `d${i}`, `e${j}`);
        await mkdir(dir, { recursive: true });
        await writeFile(path.join(dir, "f.txt"), "x");
      }
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it("keeps at most --concurrency connections (and listings) open, and shows progress on stderr", async () => {
    const r = await ftpiUbbWith({ FTPI_UBB_PROGRESS_MS: "0" }, `ftp://alice:secret@127.0.0.1:${t!.port}/`, "--format", "text", "--concurrency", "3");
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith("Total: 66 folders, 60 files, 60 B\n")).toBe(true);
    const progress = r.stderr.split("\n").filter((l) => l.startsWith("listed "));
    expect(progress.length).toBeGreaterThan(10);
    expect(progress.at(-1)).toMatch(/^listed \d+ folders, \d+ files, \d+ B; \d+ folders to go$/);
    expect(withoutProgress(r.stderr)).toBe("");
    expect(maxOpen).toBeLessThanOrEqual(3);
    expect(maxListing).toBeLessThanOrEqual(3);
    // The bound was reached, not merely respected by a crawl that ran one folder at a time.
    expect(maxListing).toBeGreaterThanOrEqual(2);
    expect(open).toBe(0);
  });

  it("stops at --max-folders and says so; the default run stays quiet", async () => {
    const capped = await ftpiUbb(`ftp://alice:secret@127.0.0.1:${t!.port}/`, "--format", "text", "--max-folders", "10");
    expect(capped.code).toBe(0);
    expect(withoutProgress(capped.stderr)).toBe("ftpi ubb: stopped at 10 folders (--max-folders); the listing is incomplete\n");
    expect(capped.stdout).toContain("(not listed: more than 10 folders)");
    const quiet = await ftpiUbb(`ftp://alice:secret@127.0.0.1:${t!.port}/`, "--format", "text");
    expect(quiet.stderr).toBe("");
    expect(quiet.stdout.endsWith("Total: 66 folders, 60 files, 60 B\n")).toBe(true);
  });
});
