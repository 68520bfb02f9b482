import { FileType } from "basic-ftp";
import { parseList } from "basic-ftp/dist/parseList.js";
import { describe, expect, it } from "vitest";
import type { Permission } from "../../core/auth/types.ts";
import {
  formatListLine,
  formatMdtm,
  formatMlsxFacts,
  mlsxPerm,
  parseMdtmTime,
} from "../../core/list/format.ts";
import type { Entry } from "../../core/storage/types.ts";

const NOW = new Date("2026-11-23T18:00:00Z");

function entry(over: Partial<Entry> = {}): Entry {
  return {
    name: "notes.txt",
    type: "file",
    size: 1234,
    mtime: new Date("2026-11-23T14:05:09Z"),
    mode: 0o644,
    nlink: 1,
    unique: "803.2a1f",
    ...over,
  };
}

describe("formatListLine", () => {
  it("writes the ls -l form", () => {
    expect(formatListLine(entry(), NOW)).toBe("-rw-r--r--   1 ftp      ftp          1234 Nov 23 14:05 notes.txt");
  });

  it("marks directories and uses their mode", () => {
    const line = formatListLine(entry({ name: "music", type: "dir", mode: 0o755, nlink: 3, size: 4096 }), NOW);
    expect(line).toBe("drwxr-xr-x   3 ftp      ftp          4096 Nov 23 14:05 music");
  });

  it("shows setuid, setgid and sticky bits as ls does", () => {
    const mode = (m: number) => formatListLine(entry({ mode: m }), NOW).slice(0, 10);
    expect(mode(0o4755)).toBe("-rwsr-xr-x");
    expect(mode(0o4644)).toBe("-rwSr--r--");
    expect(mode(0o2755)).toBe("-rwxr-sr-x");
    expect(mode(0o1777)).toBe("-rwxrwxrwt");
    expect(mode(0o1666)).toBe("-rw-rw-rwT");
    expect(mode(0)).toBe("----------");
  });

  it("takes owner and group", () => {
    expect(formatListLine(entry(), NOW, { owner: "alice", group: "users" })).toBe(
      "-rw-r--r--   1 alice    users        1234 Nov 23 14:05 notes.txt",
    );
  });

  it("pads the day with a space and writes English month names in UTC", () => {
    const line = formatListLine(entry({ mtime: new Date("2026-11-03T00:30:00Z") }), NOW);
    expect(line).toContain(" Nov  3 00:30 ");
  });

  it("shows the year for files older than six months", () => {
    const line = formatListLine(entry({ mtime: new Date("2025-01-02T03:04:05Z") }), NOW);
    expect(line).toBe("-rw-r--r--   1 ftp      ftp          1234 Jan  2  2025 notes.txt");
  });

  it("switches to the year at GNU ls's six months (half of 365.2425 days)", () => {
    const halfYearMs = (31_556_952 / 2) * 1000;
    const justRecent = new Date(NOW.getTime() - halfYearMs + 1000);
    const justOld = new Date(NOW.getTime() - halfYearMs);
    expect(formatListLine(entry({ mtime: justRecent }), NOW)).toMatch(/ \d\d:\d\d notes\.txt$/);
    expect(formatListLine(entry({ mtime: justOld }), NOW)).toMatch(/  2026 notes\.txt$/);
  });

  it("tolerates an hour of clock skew into the future, then shows the year", () => {
    const soon = new Date(NOW.getTime() + 59 * 60_000);
    const later = new Date(NOW.getTime() + 61 * 60_000);
    expect(formatListLine(entry({ mtime: soon }), NOW)).toContain(" Nov 23 18:59 ");
    expect(formatListLine(entry({ mtime: later }), NOW)).toContain(" Nov 23  2026 ");
  });

  it("keeps a space between columns when sizes and names are long", () => {
    const line = formatListLine(entry({ size: 123_456_789_012, nlink: 1234 }), NOW, { owner: "averyverylongowner" });
    expect(line).toBe("-rw-r--r-- 1234 averyverylongowner ftp      123456789012 Nov 23 14:05 notes.txt");
  });

  describe("as basic-ftp parses it", () => {
    const entries: Entry[] = [
      entry(),
      entry({ name: "my holiday photos", type: "dir", mode: 0o755, size: 4096, nlink: 2 }),
      entry({ name: " leading and trailing ", size: 0 }),
      entry({ name: "old.iso", size: 4_700_000_000, mtime: new Date("2019-07-14T08:00:00Z") }),
      entry({ name: "Ünïcødé – 日本語.txt", size: 7 }),
      entry({ name: "Jan 12 12:00 tricky", size: 9 }),
    ];
    const listing = entries.map((e) => `${formatListLine(e, NOW)}\r\n`).join("");
    const parsed = parseList(listing);

    it("reads every entry back", () => {
      expect(parsed.map((f) => f.name)).toEqual(entries.map((e) => e.name));
    });

    it("reads sizes and types", () => {
      expect(parsed.map((f) => f.size)).toEqual(entries.map((e) => e.size));
      expect(parsed.map((f) => f.type)).toEqual(
        entries.map((e) => (e.type === "dir" ? FileType.Directory : FileType.File)),
      );
    });

    it("reads dates: time of day when recent, year when old", () => {
      expect(parsed[0]!.rawModifiedAt).toBe("Nov 23 14:05");
      expect(parsed[3]!.rawModifiedAt).toBe("Jul 14 2019");
    });

    it("reads permissions, owner and group", () => {
      expect(parsed[1]!.permissions).toEqual({ user: 7, group: 5, world: 5 });
      expect(parsed[0]!.user).toBe("ftp");
      expect(parsed[0]!.group).toBe("ftp");
    });
  });
});

describe("formatMdtm / parseMdtmTime", () => {
  it("formats in UTC without fraction", () => {
    expect(formatMdtm(new Date("2026-01-02T03:04:05.678Z"))).toBe("20260102030405");
  });

  it("parses what it formats", () => {
    const d = new Date("2026-11-23T14:05:09Z");
    expect(parseMdtmTime(formatMdtm(d))).toEqual(d);
  });

  it("accepts a fraction of a second, keeping milliseconds", () => {
    expect(parseMdtmTime("20261123140509.5")).toEqual(new Date("2026-11-23T14:05:09.500Z"));
    expect(parseMdtmTime("20261123140509.123456")).toEqual(new Date("2026-11-23T14:05:09.123Z"));
  });

  it("keeps early years as written", () => {
    expect(parseMdtmTime("00500101000000")?.getUTCFullYear()).toBe(50);
  });

  it("takes a leap second as the next second (RFC 3659 §2.3)", () => {
    expect(parseMdtmTime("20161231235960")).toEqual(new Date("2017-01-01T00:00:00Z"));
  });

  it.each([
    "",
    "2026112314050",
    "202611231405090",
    "20261323140509",
    "20260230140509",
    "20261100140509",
    "20261123240509",
    "20261123146009",
    "20261123140561",
    "20261123140509.",
    "2026-11-23 14:05:09",
    " 20261123140509",
    "20261123140509Z",
  ])("rejects %j", (text) => {
    expect(parseMdtmTime(text)).toBeNull();
  });
});

describe("mlsxPerm", () => {
  const all = new Set<Permission>(["read", "write", "append", "delete", "rename", "list", "mkdir", "rmdir"]);

  it("maps file rights to a r w d f", () => {
    expect(mlsxPerm("file", all)).toBe("arwdf");
    expect(mlsxPerm("file", new Set<Permission>(["read", "list"]))).toBe("r");
    expect(mlsxPerm("file", new Set<Permission>(["write", "delete"]))).toBe("wd");
    expect(mlsxPerm("file", new Set())).toBe("");
  });

  it("maps directory rights to e l c m p d f", () => {
    expect(mlsxPerm("dir", all)).toBe("elcmpdf");
    expect(mlsxPerm("dir", new Set<Permission>(["read", "list"]))).toBe("el");
    expect(mlsxPerm("dir", new Set<Permission>(["write", "mkdir"]))).toBe("cm");
    expect(mlsxPerm("dir", new Set<Permission>(["delete"]))).toBe("p");
  });
});

describe("formatMlsxFacts", () => {
  it("writes the RFC 3659 §7 facts, one space, the name", () => {
    expect(formatMlsxFacts(entry(), { perm: "adfrw" })).toBe(
      "type=file;size=1234;modify=20261123140509;perm=adfrw;unique=803.2a1f; notes.txt",
    );
  });

  it("adds milliseconds to modify when there are some", () => {
    const e = entry({ mtime: new Date("2026-11-23T14:05:09.042Z") });
    expect(formatMlsxFacts(e, { perm: "r" })).toContain("modify=20261123140509.042;");
  });

  it("gives directories no size fact", () => {
    const e = entry({ name: "music", type: "dir", size: 4096 });
    expect(formatMlsxFacts(e, { perm: "el" })).toBe("type=dir;modify=20261123140509;perm=el;unique=803.2a1f; music");
  });

  it("marks the current and parent directory", () => {
    const e = entry({ name: ".", type: "dir" });
    expect(formatMlsxFacts(e, { perm: "el", kind: "cdir" })).toMatch(/^type=cdir;/);
    expect(formatMlsxFacts({ ...e, name: ".." }, { perm: "el", kind: "pdir" })).toMatch(/^type=pdir;.* \.\.$/);
  });

  it("keeps only the facts chosen with OPTS MLST", () => {
    expect(formatMlsxFacts(entry(), { perm: "r", selected: new Set(["size", "type"]) })).toBe(
      "type=file;size=1234; notes.txt",
    );
    expect(formatMlsxFacts(entry(), { perm: "r", selected: new Set() })).toBe(" notes.txt");
  });

  it("keeps spaces in names", () => {
    expect(formatMlsxFacts(entry({ name: " my file " }), { perm: "r" })).toMatch(/; {2}my file $/);
  });

  it("is read back by basic-ftp's MLSD parser", () => {
    const lines = [
      formatMlsxFacts(entry({ name: "my file.txt", mtime: new Date("2026-11-23T14:05:09.250Z") }), { perm: "r" }),
      formatMlsxFacts(entry({ name: "music", type: "dir" }), { perm: "el" }),
      formatMlsxFacts(entry({ name: ".", type: "dir" }), { perm: "el", kind: "cdir" }),
    ];
    const parsed = parseList(lines.join("\r\n"));
    expect(parsed.map((f) => [f.name, f.type])).toEqual([
      ["my file.txt", FileType.File],
      ["music", FileType.Directory],
    ]);
    expect(parsed[0]!.size).toBe(1234);
    expect(parsed[0]!.modifiedAt).toEqual(new Date("2026-11-23T14:05:09.250Z"));
  });
});
