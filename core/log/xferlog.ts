/**
 * The wu-ftpd xferlog(5) format that vsftpd, proftpd and pure-ftpd write and that log
 * analysers (webalizer, awstats, goaccess, fail2ban filters) read: one transfer per line,
 * fourteen space-separated fields. Details follow vsftpd (logging.c).
 */
import { createWriteStream, type WriteStream } from "node:fs";

export interface XferlogTransfer {
  /** When the transfer ended. Written in the server's local time, as every xferlog writer does. */
  time: Date;
  durationMs: number;
  remoteHost: string;
  bytes: number;
  /** Path of the file; spaces become "_" so the line still splits into fourteen fields. */
  path: string;
  type: "ascii" | "binary";
  direction: "incoming" | "outgoing" | "delete";
  anonymous: boolean;
  /** The login name; for anonymous sessions wu-ftpd and vsftpd log the e-mail given as password. */
  user: string;
  completed: boolean;
  /** Default "ftp". */
  serviceName?: string;
  /** 0 = none, 1 = RFC 931 ident. Default 0. */
  authMethod?: number;
  /** The ident user id, "*" when not available (the default). */
  authUserId?: string;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** ctime(3) without the newline, local time, English names: "Mon Nov  3 18:00:00 2026". */
function ctime(d: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, " ")} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`
  );
}

/** A value that must stay one field: whitespace becomes "_" (vsftpd does this for file names). */
function field(text: string): string {
  return text === "" ? "_" : text.replace(/\s/g, "_");
}

/**
 * One xferlog line (without newline).
 *
 * @example
 * formatXferlogLine({ time, durationMs: 2300, remoteHost: "192.168.1.20", bytes: 1048576,
 *   path: "/music/my song.mp3", type: "binary", direction: "outgoing", anonymous: false,
 *   user: "alice", completed: true })
 * // "Mon Nov 23 18:00:00 2026 2 192.168.1.20 1048576 /music/my_song.mp3 b _ o r alice ftp 0 * c"
 */
export function formatXferlogLine(t: XferlogTransfer): string {
  const line = [
    ctime(t.time),
    // Whole seconds, at least 1: analysers divide bytes by it.
    String(Math.max(1, Math.round(t.durationMs / 1000))),
    field(t.remoteHost),
    String(t.bytes),
    field(t.path),
    t.type === "ascii" ? "a" : "b",
    "_", // special action: none (no on-the-fly tar/compress)
    t.direction === "incoming" ? "i" : t.direction === "outgoing" ? "o" : "d",
    t.anonymous ? "a" : "r",
    field(t.user),
    field(t.serviceName ?? "ftp"),
    String(t.authMethod ?? 0),
    field(t.authUserId ?? "*"),
    t.completed ? "c" : "i",
  ].join(" ");
  // As vsftpd: no control character may reach the file (a name could otherwise forge lines).
  return line.replace(/\p{Cc}/gu, "?");
}

/**
 * Appends xferlog lines to a file through one open stream.
 * A write error (disk full, file removed...) goes to `onError` once and later lines are
 * dropped: losing the transfer log must not stop transfers.
 */
export class XferLog {
  readonly #stream: WriteStream;
  #failed = false;
  #closed = false;

  constructor(
    readonly file: string,
    onError: (err: Error) => void = () => {},
  ) {
    this.#stream = createWriteStream(file, { flags: "a" });
    this.#stream.on("error", (err) => {
      if (this.#failed) return;
      this.#failed = true;
      onError(err);
    });
  }

  write(line: string): void {
    if (this.#failed || this.#closed) return;
    this.#stream.write(line.endsWith("\n") ? line : `${line}\n`);
  }

  /** Flushes what was written and closes the file. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    if (this.#failed) {
      this.#stream.destroy();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#stream.once("close", () => resolve());
      this.#stream.end();
    });
  }
}
