import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Permission } from "../../core/auth/types.ts";
import { ControlClient, readAll, type ParsedReply } from "../support/control.ts";
import { account, anonymousAccount, startServer, type TestServer } from "../support/server.ts";

let t: TestServer;
const ALL: Permission[] = ["read", "write", "append", "delete", "rename", "list", "mkdir", "rmdir"];

beforeAll(async () => {
  t = await startServer({
    accounts: async (root) => [
      // The classic home server: anonymous reads everything, uploads only under /upload.
      anonymousAccount(root),
      await account("alice", root),
      // Only "/" itself: the rule has no subdirs, so the folders below get nothing.
      await account("flat", root, { permissions: [{ path: "/", allow: ["read", "list"], subdirs: false }] }),
      // Everything, except that /pub is read-only, except that /pub/incoming takes uploads.
      await account("deep", root, {
        permissions: [
          { path: "/", allow: ALL, subdirs: true },
          { path: "/pub", allow: ["read", "list"], subdirs: true },
          { path: "/pub/incoming", allow: ["read", "list", "write"], subdirs: false },
        ],
      }),
      // A drop box: files go in, nothing comes out and nothing is shown.
      await account("dropper", root, { permissions: [{ path: "/dropbox", allow: ["write"], subdirs: true }] }),
    ],
  });
  await mkdir(path.join(t.root, "pub", "sub"), { recursive: true });
  await mkdir(path.join(t.root, "pub", "incoming"));
  await mkdir(path.join(t.root, "upload"));
  await mkdir(path.join(t.root, "dropbox"));
  await writeFile(path.join(t.root, "top.txt"), "top");
  await writeFile(path.join(t.root, "pub", "file.txt"), "public file");
  await writeFile(path.join(t.root, "pub", "sub", "nested.txt"), "nested");
  await writeFile(path.join(t.root, "upload", "existing.txt"), "someone's upload");
  await writeFile(path.join(t.root, "dropbox", "secret.txt"), "dropped earlier");
});
afterAll(() => t.close());

async function login(user: string): Promise<ControlClient> {
  const c = await ControlClient.connect(t.port);
  await c.login(user, user === "anonymous" ? "guest@example.com" : "secret");
  await c.send("TYPE I");
  return c;
}

/** A data command (RETR, LIST…): the final reply, and what came over the data connection. */
async function fetch(c: ControlClient, command: string): Promise<{ first: ParsedReply; final: ParsedReply; body: string }> {
  const data = await c.pasv();
  const body = readAll(data);
  const first = await c.send(command);
  if (first.code !== 150) {
    data.destroy();
    return { first, final: first, body: "" };
  }
  const final = await c.read();
  return { first, final, body: (await body).toString("utf8") };
}

/** An upload command (STOR, APPE, STOU): the final reply (the refusal, or 226). */
async function upload(c: ControlClient, command: string, payload: string): Promise<ParsedReply> {
  const data = await c.pasv();
  const first = await c.send(command);
  if (first.code !== 150) {
    data.destroy();
    return first;
  }
  data.end(payload);
  return c.read();
}

const disk = (p: string) => readFile(path.join(t.root, p), "utf8");

describe("anonymous on the classic home server", () => {
  it("lists and downloads everywhere", async () => {
    const c = await login("anonymous");
    for (const dir of ["/", "/pub", "/pub/sub", "/upload"]) expect((await fetch(c, `LIST ${dir}`)).final.code).toBe(226);
    expect((await fetch(c, "NLST /pub")).body.split("\r\n")).toContain("file.txt");
    expect((await fetch(c, "RETR /pub/file.txt")).body).toBe("public file");
    expect((await fetch(c, "RETR /pub/sub/nested.txt")).body).toBe("nested");
    expect((await fetch(c, "RETR /upload/existing.txt")).body).toBe("someone's upload");
    expect((await c.send("CWD /pub/sub")).code).toBe(250);
    expect((await c.send("SIZE nested.txt")).text).toBe("213 6");
    c.close();
  });

  it("uploads only under /upload (and its subfolders)", async () => {
    const c = await login("anonymous");
    expect((await upload(c, "STOR /new.txt", "x")).code).toBe(550);
    expect((await upload(c, "STOR /pub/new.txt", "x")).code).toBe(550);
    expect((await upload(c, "STOU", "x")).code).toBe(550);
    expect((await upload(c, "APPE /pub/file.txt", "x")).code).toBe(550);
    expect((await upload(c, "STOR /upload/anon.txt", "from anonymous")).code).toBe(226);
    expect(await disk("upload/anon.txt")).toBe("from anonymous");
    expect(await disk("pub/file.txt")).toBe("public file");
    expect((await readdir(t.root)).sort()).toEqual(["dropbox", "pub", "top.txt", "upload"]);
    c.close();
  });

  it("cannot delete, rename or overwrite, even in /upload", async () => {
    const c = await login("anonymous");
    expect((await c.send("DELE /upload/existing.txt")).code).toBe(550);
    expect((await c.send("DELE /pub/file.txt")).code).toBe(550);
    expect((await c.send("RNFR /upload/existing.txt")).code).toBe(550);
    expect((await c.send("RNFR /pub/file.txt")).code).toBe(550);
    expect((await upload(c, "STOR /upload/existing.txt", "replaced!")).code).toBe(550);
    // A restart offset inside the file would rewrite its tail: that is overwriting too.
    expect((await c.send("REST 3")).code).toBe(350);
    expect((await upload(c, "STOR /upload/existing.txt", "XXXXXXXXXXXXXXXXXXXXXX")).code).toBe(550);
    expect((await c.send("REST 0")).code).toBe(350);
    expect((await upload(c, "STOR /upload/existing.txt", "replaced!")).code).toBe(550);
    expect(await disk("upload/existing.txt")).toBe("someone's upload");
    c.close();
  });

  it("may append to and resume an upload in /upload (the append right)", async () => {
    const c = await login("anonymous");
    expect((await upload(c, "STOR /upload/resume.txt", "first half,")).code).toBe(226);
    expect((await c.send("REST 11")).code).toBe(350);
    expect((await upload(c, "STOR /upload/resume.txt", " second half")).code).toBe(226);
    expect((await upload(c, "APPE /upload/resume.txt", ", appended")).code).toBe(226);
    expect(await disk("upload/resume.txt")).toBe("first half, second half, appended");
    c.close();
  });

  it("makes folders only under /upload, and removes none", async () => {
    const c = await login("anonymous");
    expect((await c.send("MKD /newdir")).code).toBe(550);
    expect((await c.send("MKD /pub/newdir")).code).toBe(550);
    expect((await c.send("MKD /upload/photos")).code).toBe(257);
    expect((await upload(c, "STOR /upload/photos/cat.jpg", "meow")).code).toBe(226);
    expect((await c.send("MKD /upload/photos/2024")).code).toBe(257);
    expect((await c.send("RMD /upload/photos/2024")).code).toBe(550);
    expect((await c.send("RMD /pub/sub")).code).toBe(550);
    expect(await disk("upload/photos/cat.jpg")).toBe("meow");
    c.close();
  });

  it("MLSD perm facts say what anonymous may do", async () => {
    const c = await login("anonymous");
    const facts = async (dir: string) => {
      const { final, body } = await fetch(c, `MLSD ${dir}`);
      expect(final.code).toBe(226);
      const byName = new Map<string, string>();
      for (const line of body.split("\r\n").filter(Boolean)) {
        const [f, name] = [line.slice(0, line.indexOf(" ")), line.slice(line.indexOf(" ") + 1)];
        byName.set(name, /perm=([^;]*);/.exec(f)![1]!);
      }
      return byName;
    };
    const root = await facts("/");
    expect(root.get("top.txt")).toBe("r");
    expect(root.get("pub")).toBe("el");
    // Enter, list, create files, make folders; not purge, delete or rename the folder itself.
    expect(root.get("upload")).toBe("elcm");
    const uploads = await facts("/upload");
    // Append and read; no "w": STOR over an existing file needs the delete right as well.
    expect(uploads.get("existing.txt")).toBe("ar");
    const mlst = await c.send("MLST /pub/file.txt");
    expect(mlst.lines[1]).toMatch(/;perm=r;/);
    c.close();
  });
});

describe("rules", () => {
  it("a rule without subdirs does not extend to the folders below", async () => {
    const c = await login("flat");
    expect((await fetch(c, "LIST /")).final.code).toBe(226);
    expect((await fetch(c, "RETR /top.txt")).body).toBe("top");
    expect((await fetch(c, "LIST /pub")).final.code).toBe(550);
    expect((await fetch(c, "RETR /pub/file.txt")).final.code).toBe(550);
    expect((await c.send("CWD /pub")).code).toBe(550);
    expect((await c.send("SIZE /pub/file.txt")).code).toBe(550);
    c.close();
  });

  it("a deeper rule overrides the one above it, and a still deeper one overrides again", async () => {
    const c = await login("deep");
    expect((await upload(c, "STOR /deep-top.txt", "ok")).code).toBe(226);
    expect((await c.send("DELE /deep-top.txt")).code).toBe(250);
    expect((await upload(c, "STOR /pub/nope.txt", "x")).code).toBe(550);
    expect((await upload(c, "STOR /pub/sub/nope.txt", "x")).code).toBe(550);
    expect((await c.send("DELE /pub/file.txt")).code).toBe(550);
    expect((await c.send("MKD /pub/newdir")).code).toBe(550);
    expect((await fetch(c, "RETR /pub/file.txt")).body).toBe("public file");
    expect((await upload(c, "STOR /pub/incoming/in.txt", "in")).code).toBe(226);
    expect(await disk("pub/incoming/in.txt")).toBe("in");
    // The /pub/incoming rule has no subdirs, and its folders get nothing from it or from /pub.
    expect((await c.send("DELE /pub/incoming/in.txt")).code).toBe(550);
    c.close();
  });

  it("MLSD perm of a read-only folder offers no purge, though its parent grants rmdir", async () => {
    const c = await login("deep");
    const { body } = await fetch(c, "MLSD /");
    const pub = body.split("\r\n").find((l) => l.endsWith(" pub"))!;
    // Deleting and renaming /pub are decided in "/", which grants them; its contents are read-only.
    expect(/perm=([^;]*);/.exec(pub)![1]).toBe("eldf");
    c.close();
  });

  it("a write-only drop box takes uploads but cannot be listed or read", async () => {
    const c = await login("dropper");
    expect((await c.send("CWD /dropbox")).code).toBe(250);
    expect((await upload(c, "STOR report.pdf", "%PDF")).code).toBe(226);
    expect(await disk("dropbox/report.pdf")).toBe("%PDF");
    expect((await fetch(c, "LIST")).final.code).toBe(550);
    expect((await fetch(c, "NLST")).final.code).toBe(550);
    expect((await fetch(c, "MLSD")).final.code).toBe(550);
    expect((await fetch(c, "RETR secret.txt")).final.code).toBe(550);
    expect((await fetch(c, "RETR report.pdf")).final.code).toBe(550);
    expect((await c.send("SIZE secret.txt")).code).toBe(550);
    expect((await c.send("MLST secret.txt")).code).toBe(550);
    expect((await c.send("DELE secret.txt")).code).toBe(550);
    // Overwriting what someone dropped would need the delete right.
    expect((await upload(c, "STOR secret.txt", "mine now")).code).toBe(550);
    expect(await disk("dropbox/secret.txt")).toBe("dropped earlier");
    expect((await fetch(c, "LIST /")).final.code).toBe(550);
    c.close();
  });

  it("a user with every right sees them all in MLSD", async () => {
    const c = await login("alice");
    const { body } = await fetch(c, "MLSD /pub");
    const lines = body.split("\r\n");
    expect(lines.find((l) => l.endsWith(" file.txt"))).toMatch(/;perm=arwdf;/);
    expect(lines.find((l) => l.endsWith(" sub"))).toMatch(/;perm=elcmpdf;/);
    c.close();
  });
});
