import { describe, expect, it } from "vitest";
import { PermissionTable } from "../../core/auth/permissions.ts";
import { ALL_PERMISSIONS, type Permission, type PermissionRule } from "../../core/auth/types.ts";

describe("PermissionTable", () => {
  describe("the classic home server", () => {
    const table = new PermissionTable([
      { path: "/", allow: ["read", "list"], subdirs: true },
      { path: "/upload", allow: ["read", "list", "write", "append", "mkdir"], subdirs: true },
    ]);

    it("lets everyone read and list everywhere", () => {
      for (const dir of ["/", "/music", "/music/jazz/1959", "/upload", "/upload/a/b"]) {
        expect(table.can("read", dir), dir).toBe(true);
        expect(table.can("list", dir), dir).toBe(true);
      }
    });

    it("allows uploads only in /upload and below", () => {
      expect(table.can("write", "/")).toBe(false);
      expect(table.can("write", "/music")).toBe(false);
      expect(table.can("write", "/upload")).toBe(true);
      expect(table.can("mkdir", "/upload/new/deeper")).toBe(true);
      expect(table.can("append", "/upload/x")).toBe(true);
    });

    it("grants nothing that no rule names", () => {
      for (const dir of ["/", "/upload", "/upload/x"]) {
        expect(table.can("delete", dir)).toBe(false);
        expect(table.can("rename", dir)).toBe(false);
        expect(table.can("rmdir", dir)).toBe(false);
      }
    });

    it("does not take a sibling with a common prefix for a subfolder", () => {
      expect(table.can("write", "/uploads")).toBe(false);
      expect(table.can("write", "/upload-old/x")).toBe(false);
    });

    it("lists the rights of a folder", () => {
      expect(table.rightsFor("/upload/x")).toEqual(new Set(["read", "list", "write", "append", "mkdir"]));
      expect(table.rightsFor("/music")).toEqual(new Set(["read", "list"]));
    });
  });

  it("allows nothing without a matching rule", () => {
    const empty = new PermissionTable([]);
    expect(empty.can("read", "/")).toBe(false);
    expect(empty.rightsFor("/")).toEqual(new Set());
    const onlyPub = new PermissionTable([{ path: "/pub", allow: ["read", "list"], subdirs: true }]);
    expect(onlyPub.can("list", "/")).toBe(false);
    expect(onlyPub.can("list", "/private")).toBe(false);
    expect(onlyPub.can("list", "/pub/x")).toBe(true);
  });

  it("a rule without subdirs does not leak to its children", () => {
    const table = new PermissionTable([{ path: "/inbox", allow: ["write", "list"], subdirs: false }]);
    expect(table.can("write", "/inbox")).toBe(true);
    expect(table.can("write", "/inbox/sub")).toBe(false);
    expect(table.can("list", "/inbox/sub")).toBe(false);
  });

  it("children of a rule without subdirs fall back to the nearest rule above that has them", () => {
    const table = new PermissionTable([
      { path: "/", allow: ["read", "list"], subdirs: true },
      { path: "/inbox", allow: ["write"], subdirs: false },
    ]);
    expect(table.rightsFor("/inbox")).toEqual(new Set(["write"]));
    expect(table.rightsFor("/inbox/sub")).toEqual(new Set(["read", "list"]));
  });

  it("a deeper rule overrides, even by taking rights away", () => {
    const table = new PermissionTable([
      { path: "/", allow: [...ALL_PERMISSIONS], subdirs: true },
      { path: "/photos/archive", allow: ["read", "list"], subdirs: true },
      { path: "/photos/archive/locked", allow: [], subdirs: true },
    ]);
    expect(table.can("delete", "/photos")).toBe(true);
    expect(table.can("delete", "/photos/archive")).toBe(false);
    expect(table.can("delete", "/photos/archive/2019")).toBe(false);
    expect(table.can("read", "/photos/archive/2019")).toBe(true);
    expect(table.can("read", "/photos/archive/locked/x")).toBe(false);
  });

  it("the rule for the folder itself applies even without subdirs", () => {
    const table = new PermissionTable([
      { path: "/", allow: ["read", "list"], subdirs: true },
      { path: "/drop", allow: ["write"], subdirs: false },
    ]);
    expect(table.can("read", "/drop")).toBe(false);
    expect(table.can("write", "/drop")).toBe(true);
  });

  it("normalises rule paths", () => {
    const variants: PermissionRule[][] = [
      [{ path: "/upload/", allow: ["write"], subdirs: true }],
      [{ path: "upload", allow: ["write"], subdirs: true }],
      [{ path: "//upload//", allow: ["write"], subdirs: true }],
      [{ path: "\\upload\\", allow: ["write"], subdirs: true }],
      [{ path: "/x/../upload/.", allow: ["write"], subdirs: true }],
    ];
    for (const rules of variants) {
      const table = new PermissionTable(rules);
      expect(table.can("write", "/upload"), rules[0]!.path).toBe(true);
      expect(table.can("write", "/upload/sub"), rules[0]!.path).toBe(true);
      expect(table.can("write", "/"), rules[0]!.path).toBe(false);
    }
    const root = new PermissionTable([{ path: "", allow: ["list"], subdirs: true }]);
    expect(root.can("list", "/a")).toBe(true);
  });

  it("the later of two rules for the same path wins, as an account overrides its group", () => {
    const table = new PermissionTable([
      { path: "/share", allow: ["read", "list", "write"], subdirs: true },
      { path: "/share/", allow: ["read", "list"], subdirs: false },
    ]);
    expect(table.rightsFor("/share")).toEqual(new Set(["read", "list"]));
    expect(table.can("read", "/share/sub")).toBe(false);
  });

  it("does not share its sets with callers", () => {
    const table = new PermissionTable([{ path: "/", allow: ["read"], subdirs: true }]);
    const rights = table.rightsFor("/");
    rights.add("delete" as Permission);
    expect(table.can("delete", "/")).toBe(false);
  });

  it("handles unicode folder names", () => {
    const table = new PermissionTable([{ path: "/Überweisungen", allow: ["read"], subdirs: true }]);
    expect(table.can("read", "/Überweisungen/2024")).toBe(true);
  });
});
