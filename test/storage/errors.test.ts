import { describe, expect, it } from "vitest";
import { replyForStorageError } from "../../core/storage/errors.ts";
import { StorageError, type StorageErrorKind } from "../../core/storage/types.ts";

describe("replyForStorageError", () => {
  const table: Array<[StorageErrorKind, number, number]> = [
    ["not-found", 550, 550],
    ["exists", 550, 550],
    ["not-a-directory", 550, 550],
    ["is-a-directory", 550, 550],
    ["not-empty", 550, 550],
    ["denied", 550, 550],
    ["no-space", 452, 552],
    ["invalid-path", 553, 553],
    ["io", 451, 451],
  ];

  it.each(table)("%s → %i for a command, %i during a transfer", (kind, command, transfer) => {
    const err = new StorageError(kind, "/secret/real/path");
    expect(replyForStorageError(err, "command").code).toBe(command);
    expect(replyForStorageError(err, "transfer").code).toBe(transfer);
  });

  it("never repeats the error message, which may name a path", () => {
    for (const [kind] of table) {
      const reply = replyForStorageError(new StorageError(kind, "/srv/ftp/secret"), "command");
      expect(reply.text).not.toContain("secret");
      expect(reply.text.length).toBeGreaterThan(0);
    }
  });

  it("has the agreed texts", () => {
    expect(replyForStorageError(new StorageError("exists", "x"), "command").text).toBe("File exists");
    expect(replyForStorageError(new StorageError("denied", "x"), "command").text).toBe("Permission denied");
  });

  it("maps anything else to 451", () => {
    for (const err of [new Error("ENOENT /srv/ftp/x"), "string", null, undefined, { kind: "not-found" }]) {
      expect(replyForStorageError(err, "transfer")).toEqual({ code: 451, text: "Local error in processing" });
    }
  });

  it("returns a fresh object each time", () => {
    const a = replyForStorageError(new StorageError("io", "x"), "command");
    a.code = 999;
    expect(replyForStorageError(new StorageError("io", "x"), "command").code).toBe(451);
  });
});
