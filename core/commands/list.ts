// RFC 959 §4.1.3 (LIST, NLST, STAT) and RFC 3659 §7 (MLST, MLSD).
import { Code } from "../codes.ts";
import type net from "node:net";
import type { Permission } from "../auth/types.ts";
import { openDataConnection, protectData, DataConnectionError, releaseAfterSending, startTransfer, transferFailure } from "../data/transfer.ts";
import { formatListLine, formatMlsxFacts, mlsxPerm } from "../list/format.ts";
import { reply, type Reply } from "../reply.ts";
import type { Session } from "../session.ts";
import type { Entry } from "../storage/types.ts";
import { joinPath, parentOf } from "../storage/virtual-path.ts";
import { guarded, pathOf, Refusal, storageOf } from "./access.ts";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";

/** Upload temp files (LocalStorage's `replace` mode) are nobody's business. */
const TEMP_FILE = /^\.(.+\.)?ftpi-[0-9a-z]+\.part$/;

/** `LIST -la dir` → "dir": clients pass `ls` options that FTP never defined. */
function listTarget(arg: string): string {
  let rest = arg.trimStart();
  while (/^-[a-zA-Z]+(\s|$)/.test(rest)) rest = rest.replace(/^-[a-zA-Z]+\s*/, "");
  return rest;
}

/** What the user may see of `path`: a folder's entries, or the file itself. */
async function entriesOf(s: Session, path: string): Promise<{ entries: Entry[]; dir: string; isDir: boolean }> {
  const storage = storageOf(s);
  const entry = await storage.stat(path);
  if (entry.type === "dir") {
    if (!s.permissions!.can("list", path)) throw new Refusal(reply(Code.ActionNotTaken, "Permission denied."));
    const entries = (await storage.list(path)).filter((e) => !TEMP_FILE.test(e.name));
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { entries, dir: path, isDir: true };
  }
  if (!s.permissions!.can("list", parentOf(path))) throw new Refusal(reply(Code.ActionNotTaken, "Permission denied."));
  return { entries: [{ ...entry, name: path.slice(path.lastIndexOf("/") + 1) }], dir: parentOf(path), isDir: false };
}

function factsFor(s: Session, dir: string, e: Entry): string {
  const outer: Set<Permission> = s.permissions!.rightsFor(dir);
  let perm: string;
  if (e.type === "dir") {
    // What can be done inside a folder (e l c m p) follows its own rights; removing or renaming
    // it (d f) is decided by the rights where it stands. mlsxPerm orders the letters so.
    const inner = mlsxPerm("dir", s.permissions!.rightsFor(joinPath(dir, e.name)));
    perm = inner.replace(/[df]/g, "") + mlsxPerm("dir", outer).replace(/[^df]/g, "");
  } else {
    // RFC 3659 §7.5.5 "w": STOR may replace the file, which here needs delete as well as write.
    if (!outer.has("delete")) outer.delete("write");
    perm = mlsxPerm(e.type, outer);
  }
  return formatMlsxFacts(e, { perm, selected: s.mlstFacts });
}

/** Sends a listing over the data connection as a background transfer. */
function sendListing(s: Session, verb: string, arg: string, format: (s: Session, dir: string, e: Entry) => string): Promise<Reply | void> {
  return guarded(async () => {
    const path = pathOf(s, listTarget(arg));
    const { entries, dir, isDir } = await entriesOf(s, path);
    if (verb === "MLSD" && !isDir) return reply(Code.SyntaxErrorArgs, "MLSD needs a folder; use MLST for a file.");
    let socket: net.Socket;
    try {
      socket = await openDataConnection(s);
    } catch (err) {
      if (err instanceof DataConnectionError) return reply(err.code, err.message);
      throw err;
    }
    s.send(reply(Code.FileStatusOkay, `Opening ASCII mode data connection for ${verb === "NLST" ? "file names" : "file list"}.`));
    startTransfer(s, { direction: "list", path, offset: 0, size: null }, async (t) => {
      const text = entries.map((e) => format(s, dir, e) + "\r\n").join("");
      const body = Buffer.from(text, "utf8");
      try {
        socket = await protectData(s, socket);
        await pipeline(Readable.from([body]), socket, { signal: t.abort.signal });
        releaseAfterSending(socket);
        t.bytes = body.length;
        return { reply: reply(Code.ClosingData, `Transfer complete (${entries.length} entries).`), outcome: "ok" };
      } catch (err) {
        socket.destroy();
        return transferFailure(t, err);
      }
    });
  });
}

export function LIST(s: Session, arg: string): Promise<Reply | void> {
  const now = new Date();
  return sendListing(s, "LIST", arg, (_s, _dir, e) => formatListLine(e, now));
}

export function NLST(s: Session, arg: string): Promise<Reply | void> {
  return sendListing(s, "NLST", arg, (_s, _dir, e) => e.name);
}

export function MLSD(s: Session, arg: string): Promise<Reply | void> {
  return sendListing(s, "MLSD", arg, factsFor);
}

export function MLST(s: Session, arg: string): Promise<Reply | void> {
  return guarded(async () => {
    const path = arg.trim() ? pathOf(s, arg) : s.cwd;
    const entry = await storageOf(s).stat(path);
    const dir = parentOf(path);
    if (!s.permissions!.can("list", dir) && !s.permissions!.can("list", path)) return reply(Code.ActionNotTaken, "Permission denied.");
    const facts = factsFor(s, dir, { ...entry, name: path });
    return reply(Code.FileActionOkay, `Listing ${path}`, ` ${facts}`, "End.");
  });
}

/** STAT: server status, the running transfer, or a listing over the control connection. */
export function STAT(s: Session, arg: string): Promise<Reply | void> | Reply {
  const t = s.transfer;
  if (t && !arg.trim()) {
    const secs = Math.max((Date.now() - t.startedAt) / 1000, 0.001);
    return reply(Code.FileStatus, `Transferring ${t.path}: ${t.bytes} bytes${t.size !== null ? ` of ${t.size}` : ""} in ${secs.toFixed(1)} s.`);
  }
  if (!arg.trim()) {
    const lines = [
      "ftpi FTP server status:",
      `Connected from ${s.remoteAddress}`,
      s.account ? `Logged in as ${s.account.name}` : "Not logged in",
      `TYPE: ${s.type === "A" ? "ASCII" : "BINARY"}, STRUcture: File, MODE: Stream`,
      s.data ? `Data connection: ${s.data.kind} offer waiting` : "No data connection",
      "End of status.",
    ];
    return reply(Code.SystemStatus, ...lines);
  }
  if (!s.loggedIn) return reply(Code.NotLoggedIn, "Please log in with USER and PASS first.");
  return guarded(async () => {
    const path = pathOf(s, listTarget(arg));
    const { entries, isDir } = await entriesOf(s, path);
    const now = new Date();
    const code = isDir ? Code.DirectoryStatus : Code.FileStatus;
    return reply(code, `Status of ${path}:`, ...entries.map((e) => formatListLine(e, now)), "End of status.");
  });
}

