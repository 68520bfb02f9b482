import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, truncate, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Hono } from "hono";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import ubbExport from "../../plugins/ubb-export/index.ts";
import { globMatcher } from "../../plugins/ubb-export/glob.ts";
import { renderListing } from "../../plugins/ubb-export/render/index.ts";
import { parseListDate } from "../../plugins/ubb-export/sources/list-dates.ts";
import { ftpLinkBase, parseFtpUrl } from "../../plugins/ubb-export/sources/ftp-url.ts";
import type { FileItem, FolderItem, TreeItem } from "../../plugins/ubb-export/tree.ts";
import { formatSize } from "../../plugins/ubb-export/units.ts";
import { ensureTlsCertificate } from "../../cli/tls-certificate.ts";
import { ControlClient } from "../support/control.ts";
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
        "[*]b [live] (2004).mp3 (1.5 KB)",
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
    expect(bbcode).toContain("[*][url=ftp://nas.local:2121/my%20pub/Music/b%20%5Blive%5D%20%282004%29.mp3]b [live] (2004).mp3[/url] (1.5 KB, 2023-05-06)");
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
async function ftpiUbb(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [cmd, ...pre] = RUNTIMES.node!;
  try {
    const { stdout, stderr } = await run(cmd!, [...pre, "ubb", ...args], { cwd: REPO, timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("SITE UBB and the status panel (ftpi's own storage)", () => {
  let t: TestServer | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  const start = (options: Record<string, unknown> = {}) =>
    startServer({
      options: { plugins: [{ name: "ubb-export", path: null, options }] },
      extras: { builtinPlugins: { "ubb-export": ubbExport } },
    });

  it("answers SITE UBB [path] with the listing as a multi-line 200, from the current folder by default", async () => {
    t = await start({ exclude: ["secret", "deep"] });
    await writeFixture(t.root);
    const c = await ControlClient.connect(t.port);
    await c.login();
    const reply = await c.send("SITE UBB /Music");
    expect(reply.code).toBe(200);
    expect(reply.lines).toEqual([
      "200-Listing of /Music (bbcode):",
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
      "[*]b [live] (2004).mp3 (1.5 KB)",
      "[/list]",
      "Total: 2 folders, 3 files, 127 KB",
      "200 End of listing.",
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
    t = await start({ links: true, format: "markdown", maxLines: 10, maxFolders: 3 });
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
    t = await start({ linkBase: "ftp://myhost.ddns.net:2121", account: "alice" });
    await writeFixture(t.root);
    const app = new Hono();
    for (const { plugin, mount } of t.server.host.webMounts) {
      const panel = new Hono();
      mount(panel);
      app.route(`/plugins/${plugin}`, panel);
    }
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
      expect(ok.stdout).toContain("[*]b [live] (2004).mp3 (1.5 KB)\n");
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
