import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { XferLog, formatXferlogLine, type XferlogTransfer } from "../../core/log/xferlog.ts";

// Local time, as xferlog writes it: Monday, 23 November 2026, 18:00:00 wherever the test runs.
const TIME = new Date(2026, 10, 23, 18, 0, 0);

function transfer(over: Partial<XferlogTransfer> = {}): XferlogTransfer {
  return {
    time: TIME,
    durationMs: 2300,
    remoteHost: "192.168.1.20",
    bytes: 1048576,
    path: "/music/song.mp3",
    type: "binary",
    direction: "outgoing",
    anonymous: false,
    user: "alice",
    completed: true,
    ...over,
  };
}

describe("formatXferlogLine", () => {
  it("writes the fourteen wu-ftpd fields", () => {
    expect(formatXferlogLine(transfer())).toBe(
      "Mon Nov 23 18:00:00 2026 2 192.168.1.20 1048576 /music/song.mp3 b _ o r alice ftp 0 * c",
    );
  });

  it("splits into exactly 14 fields after the 5-word date, whatever the input", () => {
    const line = formatXferlogLine(
      transfer({ path: "/my music/a\tb\nc.mp3", user: "odd user", remoteHost: "", authUserId: "x y" }),
    );
    expect(line.split(" ")).toHaveLength(5 + 13);
    expect(line).not.toMatch(/[\r\n\t]/);
  });

  it("replaces spaces in file names with underscores, as vsftpd does", () => {
    expect(formatXferlogLine(transfer({ path: "/my music/best of.mp3" }))).toContain(" /my_music/best_of.mp3 ");
  });

  it("replaces other control characters with '?'", () => {
    expect(formatXferlogLine(transfer({ path: "/a\u0007b\u0085c" }))).toContain(" /a?b?c ");
  });

  it("pads the day of month with a space, like ctime", () => {
    const line = formatXferlogLine(transfer({ time: new Date(2026, 10, 3, 7, 8, 9) }));
    expect(line.startsWith("Tue Nov  3 07:08:09 2026 ")).toBe(true);
  });

  it("writes transfer time in whole seconds, at least 1", () => {
    const seconds = (durationMs: number) => formatXferlogLine(transfer({ durationMs })).split(" ")[5];
    expect(seconds(0)).toBe("1");
    expect(seconds(400)).toBe("1");
    expect(seconds(1499)).toBe("1");
    expect(seconds(1500)).toBe("2");
    expect(seconds(125_000)).toBe("125");
  });

  it("writes type, direction, access mode and status letters", () => {
    const fields = (over: Partial<XferlogTransfer>) => formatXferlogLine(transfer(over)).split(" ").slice(9);
    expect(fields({})).toEqual(["b", "_", "o", "r", "alice", "ftp", "0", "*", "c"]);
    expect(fields({ type: "ascii", direction: "incoming", completed: false })).toEqual([
      "a", "_", "i", "r", "alice", "ftp", "0", "*", "i",
    ]);
    expect(fields({ direction: "delete" })[2]).toBe("d");
    expect(fields({ anonymous: true, user: "guest@example.org" }).slice(3, 5)).toEqual(["a", "guest@example.org"]);
  });

  it("takes service name and authentication fields", () => {
    const line = formatXferlogLine(transfer({ serviceName: "ftps", authMethod: 1, authUserId: "alice" }));
    expect(line.endsWith(" r alice ftps 1 alice c")).toBe(true);
  });

  it("writes large sizes exactly", () => {
    expect(formatXferlogLine(transfer({ bytes: 5_000_000_000 }))).toContain(" 5000000000 ");
  });
});

describe("XferLog", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ftpi-xferlog-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("appends lines to the file and flushes on close", async () => {
    const file = join(dir, "xferlog");
    writeFileSync(file, "earlier line\n");
    const log = new XferLog(file);
    log.write(formatXferlogLine(transfer()));
    log.write("already terminated\n");
    await log.close();
    expect(readFileSync(file, "utf8")).toBe(
      "earlier line\nMon Nov 23 18:00:00 2026 2 192.168.1.20 1048576 /music/song.mp3 b _ o r alice ftp 0 * c\nalready terminated\n",
    );
  });

  it("ignores writes after close, and a second close", async () => {
    const file = join(dir, "xferlog");
    const log = new XferLog(file);
    log.write("one");
    await log.close();
    log.write("two");
    await log.close();
    expect(readFileSync(file, "utf8")).toBe("one\n");
  });

  it("reports a file it cannot open once, without throwing", async () => {
    const errors: Error[] = [];
    const log = new XferLog(join(dir, "missing", "xferlog"), (err) => errors.push(err));
    log.write("lost");
    await new Promise((r) => setTimeout(r, 50));
    log.write("lost too");
    await log.close();
    expect(errors).toHaveLength(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toBe("ENOENT");
  });
});
