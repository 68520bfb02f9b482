import { stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { crawlTree, type CrawlProgress } from "../plugins/ubb-export/crawl.ts";
import { globMatcher } from "../plugins/ubb-export/glob.ts";
import { LISTING_FORMATS, SORT_KEYS, type ListingFormat, type ListingOptions, type SortKey } from "../plugins/ubb-export/options.ts";
import { renderListing } from "../plugins/ubb-export/render/index.ts";
import { openFtpSource } from "../plugins/ubb-export/sources/ftp.ts";
import { ftpLinkBase, parseFtpUrl } from "../plugins/ubb-export/sources/ftp-url.ts";
import { localFolderSource } from "../plugins/ubb-export/sources/local.ts";
import type { FolderItem } from "../plugins/ubb-export/tree.ts";
import { formatSize } from "../plugins/ubb-export/units.ts";
import { UsageError } from "./args.ts";
import type { CliIo } from "./io.ts";

export const ubbHelp = `Usage: ftpi ubb [DIR | ftp://user:password@host:port/folder] [options]

Prints a folder tree as a listing to paste into a forum: BBCode (the "UBB output" of
FTP Content Maker), plain text or Markdown. Lists a local folder (default: the current
one) or any FTP server (MLSD where offered, else LIST in Unix or DOS format).

Options:
  -f, --format FORMAT    bbcode (default), text or markdown
      --depth N          show N folder levels, deeper folders as totals only (0 = all)
      --include GLOB     list only files matching GLOB (repeatable): "*.mp3", "music/**"
      --exclude GLOB     leave out files and folders matching GLOB (repeatable)
      --sort KEY         name (default), size or date
      --desc             largest, newest or Z first
      --dates            show modification dates (YYYY-MM-DD, UTC)
      --links            link every entry to ftp://host:port/path (for a local DIR,
                         give --link-base)
      --link-base URL    where links point, e.g. ftp://myhost.ddns.net:2121
      --title TEXT       the heading (default: the listed folder)
      --ftps             FTP over TLS (AUTH TLS)
      --insecure         accept a self-signed certificate with --ftps
      --concurrency N    folders listed at once, i.e. FTP connections (default 2)
      --max-folders N    stop after listing N folders (default 50000; 0 = no limit), so
                         that a huge or endless remote tree cannot run forever
  -h, --help             show this help

Examples:
  ftpi ubb ./ftp-root --dates > listing.txt
  ftpi ubb ftp://anonymous@friend.ddns.net:2121/music --format markdown --depth 2
  ftpi ubb "ftp://alice:s%40cret@nas.local/" --ftps --insecure --exclude "*.nfo"

A folder the server refuses (550) is reported on stderr and left out; the listing goes on.
A folder reached again through a symbolic link (e.g. "up -> ..") is shown once, as
"same folder as PATH", and not entered again.
`;

const OPTIONS = {
  format: { type: "string", short: "f" },
  depth: { type: "string" },
  include: { type: "string", multiple: true },
  exclude: { type: "string", multiple: true },
  sort: { type: "string" },
  desc: { type: "boolean" },
  dates: { type: "boolean" },
  links: { type: "boolean" },
  "link-base": { type: "string" },
  title: { type: "string" },
  ftps: { type: "boolean" },
  insecure: { type: "boolean" },
  concurrency: { type: "string" },
  "max-folders": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** `ftpi ubb`: exit 0 with the listing on stdout (skipped folders on stderr), 1 when nothing could be listed. */
export async function ubbCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseUbbArgs(args);
  if (values.help) {
    io.stdout(ubbHelp);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`one folder or ftp:// URL, not ${positionals.length}`, "ubb");
  const where = positionals[0] ?? ".";
  const concurrency = integer(values.concurrency ?? "2", "--concurrency", 1, 32);
  const maxFolders = integer(values["max-folders"] ?? String(DEFAULT_MAX_FOLDERS), "--max-folders", 0, 100_000_000);
  const listing: Partial<ListingOptions> = {
    format: choice(values.format ?? "bbcode", LISTING_FORMATS, "--format") as ListingFormat,
    depth: integer(values.depth ?? "0", "--depth", 0, 999),
    include: values.include ?? [],
    exclude: values.exclude ?? [],
    sort: choice(values.sort ?? "name", SORT_KEYS, "--sort") as SortKey,
    order: values.desc ? "desc" : "asc",
    dates: values.dates ?? false,
    title: values.title ?? null,
  };
  if (values["link-base"] !== undefined && !/^ftp:\/\/[^/\s]+\/?$/.test(values["link-base"])) {
    throw new UsageError("--link-base must look like ftp://host:port", "ubb");
  }
  const progress = new ProgressLine(io, progressDelayMs());
  let limited = false;
  const crawl = {
    concurrency,
    skip: globMatcher(listing.exclude ?? []),
    ...(maxFolders ? { maxFolders } : {}),
    onLimit: () => {
      limited = true;
    },
    onProgress: (p: CrawlProgress) => progress.update(p),
  };
  let tree: FolderItem;
  let rootPath: string;
  let skipped = 0;
  const onError = (folder: string, message: string) => {
    skipped++;
    progress.clear();
    io.stderr(`ftpi ubb: skipped ${folder}: ${message}\n`);
  };

  if (/^ftps?:\/\//i.test(where)) {
    if (/^ftps:/i.test(where)) throw new UsageError("write ftp:// and add --ftps for FTP over TLS", "ubb");
    const target = parseUrl(where);
    let remote;
    try {
      remote = await openFtpSource(target, {
        connections: concurrency,
        secure: values.ftps ?? false,
        insecure: values.insecure ?? false,
        onNotice: (message) => {
          progress.clear();
          io.stderr(`ftpi ubb: ${message}\n`);
        },
      });
    } catch (err) {
      io.stderr(`ftpi ubb: cannot log in to ${target.host}:${target.port}: ${firstLine(err)}\n`);
      return 1;
    }
    try {
      tree = await crawlTree(remote.source, remote.rootPath, { ...crawl, onError });
    } catch (err) {
      progress.clear();
      io.stderr(`ftpi ubb: cannot list ${remote.rootPath}: ${firstLine(err)}\n`);
      return 1;
    } finally {
      remote.close();
    }
    rootPath = target.path || "/";
    if (values.links) listing.linkBase = values["link-base"] ?? ftpLinkBase(target);
  } else {
    const dir = path.resolve(io.cwd, where);
    if (!(await stat(dir).catch(() => null))?.isDirectory()) {
      io.stderr(`ftpi ubb: ${where}: no such folder\n`);
      return 1;
    }
    if (values.links && values["link-base"] === undefined) throw new UsageError("--links on a local folder needs --link-base ftp://host:port", "ubb");
    tree = await crawlTree(localFolderSource(dir), "/", { ...crawl, onError: (folder, message) => onError(path.join(dir, folder), message) });
    rootPath = "/";
    listing.title ??= where;
    if (values.links) listing.linkBase = values["link-base"]!;
  }
  progress.clear();
  io.stdout(renderListing(tree, rootPath, listing));
  if (skipped) io.stderr(`ftpi ubb: ${skipped} folder${skipped === 1 ? "" : "s"} could not be listed\n`);
  if (limited) io.stderr(`ftpi ubb: stopped at ${maxFolders} folders (--max-folders); the listing is incomplete\n`);
  return 0;
}

function parseUbbArgs(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const first = message.split(/\.\s/)[0]!.replace(/\.$/, "");
    throw new UsageError(first.charAt(0).toLowerCase() + first.slice(1), "ubb");
  }
}

function parseUrl(text: string) {
  try {
    return parseFtpUrl(text);
  } catch (err) {
    throw new UsageError(firstLine(err), "ubb");
  }
}

function integer(text: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}`, "ubb");
  return Number(text);
}

function choice(text: string, allowed: readonly string[], flag: string): string {
  if (!allowed.includes(text)) throw new UsageError(`${flag} must be one of ${allowed.join(", ")}`, "ubb");
  return text;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split(/\r?\n/)[0]!;
}

/** Folders listed at most unless --max-folders says otherwise: big archives fit, an endless tree ends. */
export const DEFAULT_MAX_FOLDERS = 50_000;

/**
 * FTPI_UBB_PROGRESS_MS (milliseconds; tests set it low): how long a crawl runs before the progress
 * line shows, and how often it is redrawn when stderr is not a terminal. null: the defaults.
 */
function progressDelayMs(): number | null {
  const text = process.env.FTPI_UBB_PROGRESS_MS;
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
}

/**
 * "listed 1200 folders, 35000 files, 1.2 TB; 80 folders to go" on stderr while a big tree is
 * crawled. Small trees stay quiet: on a terminal the line appears after a second and is redrawn
 * in place; into a log, one line every 10 s.
 */
class ProgressLine {
  private readonly started = Date.now();
  private last = 0;
  private shown = false;
  private readonly tty = process.stderr.isTTY === true;
  /** Quiet for `first` ms after the start, then at most one line every `every` ms. */
  private readonly first: number;
  private readonly every: number;

  constructor(
    private readonly io: CliIo,
    delayMs: number | null,
  ) {
    this.first = delayMs ?? (this.tty ? 1000 : 10_000);
    this.every = this.tty ? Math.min(200, this.first) : this.first;
  }

  update(p: CrawlProgress): void {
    const now = Date.now();
    if (now - this.started < this.first || now - this.last < this.every) return;
    this.last = now;
    const text = `listed ${p.folders} folders, ${p.files} files, ${formatSize(p.bytes)}; ${p.pending} folders to go`;
    this.io.stderr(this.tty ? `\r${text}\x1b[K` : `${text}\n`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown && this.tty) this.io.stderr("\r\x1b[K");
    this.shown = false;
  }
}
