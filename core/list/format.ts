/**
 * Directory listing and timestamp formats: LIST (RFC 959 §4.1.3 leaves it free; every client
 * parses `ls -l`), MLSD/MLST facts (RFC 3659 §7) and MDTM/MFMT times (RFC 3659 §2.3, §3).
 *
 * All times are UTC. RFC 3659 requires it for MDTM and MLSx; LIST follows so that the three
 * never disagree about the same file, and so listings do not depend on the host's time zone.
 */
import type { Permission } from "../auth/types.ts";
import type { Entry, EntryType } from "../storage/types.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** GNU ls: half of an average Gregorian year (365.2425 days), in ms. */
const SIX_MONTHS_MS = (31_556_952 / 2) * 1000;
/** Tolerated clock skew: a file up to this far in the future still shows its time of day. */
const FUTURE_TOLERANCE_MS = 60 * 60 * 1000;

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** `map`'s text for `key`, built once. */
function spelled(map: Map<number, string>, key: number, build: () => string): string {
  let text = map.get(key);
  if (text === undefined) {
    text = build();
    map.set(key, text);
  }
  return text;
}

function modeString(type: EntryType, mode: number): string {
  return spelled(modeStrings, (type === "dir" ? 0o200000 : 0) | (mode & 0o7777), () => buildModeString(type, mode));
}

/** A folder holds few distinct modes: each is spelled out once (bounded: 2 × 4096 keys). */
const modeStrings = new Map<number, string>();

function buildModeString(type: EntryType, mode: number): string {
  const bit = (mask: number, ch: string) => (mode & mask ? ch : "-");
  const exec = (xMask: number, specialMask: number, set: string, unset: string) =>
    mode & specialMask ? (mode & xMask ? set : unset) : bit(xMask, "x");
  return (
    (type === "dir" ? "d" : "-") +
    bit(0o400, "r") + bit(0o200, "w") + exec(0o100, 0o4000, "s", "S") +
    bit(0o040, "r") + bit(0o020, "w") + exec(0o010, 0o2000, "s", "S") +
    bit(0o004, "r") + bit(0o002, "w") + exec(0o001, 0o1000, "t", "T")
  );
}

/**
 * The date column of `ls -l`: "Nov 23 14:05" for recent files, "Nov 23  2025" otherwise.
 * Recent is GNU ls's rule (newer than six months ago) except that up to an hour in the future
 * still counts as recent, so a little clock skew between disk and server does not flip formats.
 */
function listDate(mtime: Date, now: Date): string {
  const t = mtime.getTime();
  const minute = Math.floor(t / 60_000);
  const nowMinute = Math.floor(now.getTime() / 60_000);
  if (nowMinute !== dateCacheMinute || listDates.size > 50_000) {
    listDates.clear();
    dateCacheMinute = nowMinute;
  }
  const recent = t > now.getTime() - SIX_MONTHS_MS && t <= now.getTime() + FUTURE_TOLERANCE_MS;
  // Files of one folder share minutes (copied or unpacked together): each is spelled once.
  return spelled(listDates, recent ? minute : -minute - 1, () => buildListDate(minute, recent));
}

/** listDate's spelled-out minutes, valid while "now" stays in dateCacheMinute. */
const listDates = new Map<number, string>();
let dateCacheMinute = -1;

function buildListDate(minute: number, recent: boolean): string {
  const mtime = new Date(minute * 60_000);
  const day = `${MONTHS[mtime.getUTCMonth()]} ${String(mtime.getUTCDate()).padStart(2, " ")}`;
  return recent
    ? `${day} ${pad2(mtime.getUTCHours())}:${pad2(mtime.getUTCMinutes())}`
    : `${day} ${String(mtime.getUTCFullYear()).padStart(5, " ")}`;
}

const DEFAULT_OWNER = "ftp     ";

/**
 * One LIST line in the `ls -l` form FileZilla, lftp, curl and basic-ftp parse. Times in UTC.
 *
 * @example
 * formatListLine(entry, new Date())
 * // "-rw-r--r--   1 ftp      ftp          1234 Nov 23 14:05 notes.txt"
 */
export function formatListLine(entry: Entry, now: Date, opts: { owner?: string; group?: string } = {}): string {
  const owner = opts.owner === undefined ? DEFAULT_OWNER : opts.owner.padEnd(8, " ");
  const group = opts.group === undefined ? DEFAULT_OWNER : opts.group.padEnd(8, " ");
  const nlink = entry.nlink < 10 ? `  ${entry.nlink}` : String(entry.nlink).padStart(3, " ");
  return `${modeString(entry.type, entry.mode)} ${nlink} ${owner} ${group} ${String(entry.size).padStart(8, " ")} ${listDate(entry.mtime, now)} ${entry.name}`;
}

/** RFC 3659 §2.3 time-val: YYYYMMDDHHMMSS in UTC. */
export function formatMdtm(date: Date): string {
  return (
    String(date.getUTCFullYear()).padStart(4, "0") +
    pad2(date.getUTCMonth() + 1) +
    pad2(date.getUTCDate()) +
    pad2(date.getUTCHours()) +
    pad2(date.getUTCMinutes()) +
    pad2(date.getUTCSeconds())
  );
}

/**
 * Parses an RFC 3659 §2.3 time-val (`YYYYMMDDHHMMSS[.F+]`, UTC), as MFMT receives it.
 * Returns null when the text is not one or names an impossible time (month 13, Feb 30...).
 * §2.3 allows a leap second (SS = 60); it is taken as the next second.
 */
export function parseMdtmTime(text: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (hour > 23 || minute > 59 || second > 60) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, keeps years 0..99 as they are
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  date.setUTCHours(hour, minute, second, ms);
  return date;
}

/** RFC 3659 §7.5.3 modify fact: time-val with milliseconds when there are any. */
function modifyFact(date: Date): string {
  const ms = date.getUTCMilliseconds();
  return ms === 0 ? formatMdtm(date) : `${formatMdtm(date)}.${String(ms).padStart(3, "0")}`;
}

/**
 * RFC 3659 §7.5.5 perm letters for an entry, from the rights (core/auth Permission names)
 * that apply to it.
 * Files: a (APPE) r (RETR) w (STOR) d (DELE) f (RNFR).
 * Directories: e (CWD) l (LIST/MLSD) c (STOR inside) m (MKD inside) p (DELE/RMD inside)
 * d (RMD of the directory itself) f (RNFR).
 */
export function mlsxPerm(entryType: EntryType, rights: ReadonlySet<string>): string {
  const has = (right: Permission) => rights.has(right);
  const letters: [string, boolean][] =
    entryType === "dir"
      ? [
          ["e", has("list") || has("read")],
          ["l", has("list")],
          ["c", has("write")],
          ["m", has("mkdir")],
          ["p", has("delete") || has("rmdir")],
          ["d", has("rmdir")],
          ["f", has("rename")],
        ]
      : [
          ["a", has("append")],
          ["r", has("read")],
          ["w", has("write")],
          ["d", has("delete")],
          ["f", has("rename")],
        ];
  return letters.filter(([, granted]) => granted).map(([letter]) => letter).join("");
}

export interface MlsxFactOptions {
  /** perm fact value, usually from mlsxPerm(). */
  perm: string;
  /** Facts chosen with OPTS MLST (lower-case names); all facts when absent. */
  selected?: ReadonlySet<string>;
  /** Marks the entry as the listed directory itself (cdir) or its parent (pdir), §7.5.1. */
  kind?: "cdir" | "pdir";
}

/** The §7.5.1 type fact; special files get an OS-specific type so clients do not fetch them. */
function typeFact(entry: Entry, kind: MlsxFactOptions["kind"]): string {
  if (kind) return kind;
  if (entry.type === "other") return "OS.unix=special";
  return entry.type;
}

/**
 * An MLSD line / MLST entry (RFC 3659 §7.2): `fact=value;...` a single space, the name.
 * The size fact is given for files only, as §7.5.7 defines it.
 *
 * @example
 * formatMlsxFacts(entry, { perm: "adfrw" })
 * // "type=file;size=1234;modify=20261123140500;perm=adfrw;unique=803.2a1f; notes.txt"
 */
export function formatMlsxFacts(entry: Entry, opts: MlsxFactOptions): string {
  const facts: [string, string | null][] = [
    ["type", typeFact(entry, opts.kind)],
    ["size", entry.type === "file" ? String(entry.size) : null],
    ["modify", modifyFact(entry.mtime)],
    ["perm", opts.perm],
    ["unique", entry.unique],
  ];
  const text = facts
    .filter(([name, value]) => value !== null && (!opts.selected || opts.selected.has(name)))
    .map(([name, value]) => `${name}=${value};`)
    .join("");
  return `${text} ${entry.name}`;
}
