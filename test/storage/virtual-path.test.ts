import { describe, expect, it } from "vitest";
import { StorageError } from "../../core/storage/types.ts";
import { baseName, joinPath, parentOf, resolvePath, splitPath } from "../../core/storage/virtual-path.ts";

describe("resolvePath", () => {
  const longName = "x".repeat(5000);
  const cases: Array<[cwd: string, arg: string, expected: string]> = [
    ["/", "", "/"],
    ["/home/user", "", "/home/user"],
    ["/", "/", "/"],
    ["/", "file.txt", "/file.txt"],
    ["/a/b", "file.txt", "/a/b/file.txt"],
    ["/a/b", "/file.txt", "/file.txt"],
    ["/", "../../etc/passwd", "/etc/passwd"],
    ["/home/user", "../../etc/passwd", "/etc/passwd"],
    ["/home/user", "../../../../../../etc/passwd", "/etc/passwd"],
    ["/", "..\\..\\windows", "/windows"],
    ["/a", "..\\..\\windows\\system32", "/windows/system32"],
    ["/", "C:\\Windows", "/C:/Windows"],
    ["/", "/a/./b//c/", "/a/b/c"],
    ["/", "a/../../..", "/"],
    ["/x/y", "a/../../..", "/"],
    ["/", "/../..", "/"],
    ["/", "..", "/"],
    ["/a/b", "..", "/a"],
    ["/a/b", ".", "/a/b"],
    ["/a/b", "./", "/a/b"],
    ["/", "//server/share", "/server/share"],
    ["/", "a//b///c", "/a/b/c"],
    ["/", "%2e%2e/%2e%2e/etc", "/%2e%2e/%2e%2e/etc"],
    ["/", "~", "/~"],
    ["/", "~/file", "/~/file"],
    ["/", "...", "/..."],
    ["/", "....//x", "/..../x"],
    ["/", ".hidden", "/.hidden"],
    ["/", "dir/..hidden", "/dir/..hidden"],
    ["/", "über/日本語 ファイル.txt", "/über/日本語 ファイル.txt"],
    ["/ü", "🎵.mp3", "/ü/🎵.mp3"],
    ["/", " leading and trailing ", "/ leading and trailing "],
    ["/", "dir / name ", "/dir / name "],
    ["/", "a b/c d", "/a b/c d"],
    ["/", "*?<>|\"'", "/*?<>|\"'"],
    ["/", longName, `/${longName}`],
  ];

  it.each(cases)("(%j, %j) → %j", (cwd, arg, expected) => {
    expect(resolvePath(cwd, arg)).toBe(expected);
  });

  it.each([
    ["nul", "file\0.txt"],
    ["nul alone", "\0"],
    ["CR", "file\r.txt"],
    ["LF", "a\nb"],
    ["CRLF injection", "x\r\n226 fake"],
    ["tab", "a\tb"],
    ["escape", "\u001b[31mred"],
    ["DEL", "a\u007fb"],
  ])("rejects a %s with invalid-path", (_label, arg) => {
    let caught: unknown;
    try {
      resolvePath("/", arg);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StorageError);
    expect((caught as StorageError).kind).toBe("invalid-path");
  });

  it("keeps characters beyond the C0 range, such as U+0085 and U+2028", () => {
    expect(resolvePath("/", "a\u0085b\u2028c")).toBe("/a\u0085b\u2028c");
  });

  it("is idempotent on its own output", () => {
    for (const [cwd, arg] of cases) {
      const once = resolvePath(cwd, arg);
      expect(resolvePath("/elsewhere", once)).toBe(once);
    }
  });
});

describe("virtual path arithmetic", () => {
  it.each([
    ["/", "/"],
    ["/a", "/"],
    ["/a/b", "/a"],
    ["/a/b/c.txt", "/a/b"],
  ])("parentOf(%j) = %j", (path, parent) => {
    expect(parentOf(path)).toBe(parent);
  });

  it.each([
    ["/", ""],
    ["/a", "a"],
    ["/a/b c.txt", "b c.txt"],
  ])("baseName(%j) = %j", (path, name) => {
    expect(baseName(path)).toBe(name);
  });

  it.each([
    ["/", "a", "/a"],
    ["/a", "b", "/a/b"],
    ["/a/b", " c ", "/a/b/ c "],
  ])("joinPath(%j, %j) = %j", (dir, name, path) => {
    expect(joinPath(dir, name)).toBe(path);
  });

  it("splits into names", () => {
    expect(splitPath("/")).toEqual([]);
    expect(splitPath("/a/b")).toEqual(["a", "b"]);
  });

  it("joinPath and parentOf/baseName undo each other", () => {
    for (const path of ["/a", "/a/b", "/x/y/z.txt"]) {
      expect(joinPath(parentOf(path), baseName(path))).toBe(path);
    }
  });
});
