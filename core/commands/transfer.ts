// RFC 959 §4.1.3: RETR, STOR, STOU, APPE, ABOR — with REST (RFC 3659 §5) and RFC 1123 §4.1.2.9
// for the STOU reply.
import { Code } from "../codes.ts";
import { randomBytes } from "node:crypto";
import type net from "node:net";
import { sendFile } from "../data/file-sender.ts";
import type { Throttle } from "../data/throttle.ts";
import { protectData, DataConnectionError, openDataConnection, receiveData, releaseAfterSending, sendData, startTransfer, transferFailure } from "../data/transfer.ts";
import type { TransferDirection } from "../hooks/types.ts";
import { reply, type Reply } from "../reply.ts";
import type { Session } from "../session.ts";
import { QuotaExceeded, type UploadQuota } from "../storage/quota.ts";
import { StorageError, type Entry, type WriteHandle, type WriteMode } from "../storage/types.ts";
import { baseName, joinPath, parentOf } from "../storage/virtual-path.ts";
import { authorize, can, guarded, pathOf, Refusal, storageOf } from "./access.ts";

/** onTransfer guards, then the data connection: a denial or 425 ends the command here. */
async function prepare(s: Session, direction: TransferDirection, path: string, offset: number): Promise<net.Socket> {
  const denial = await s.server.host.guard("onTransfer", { session: s.info(), direction, path, offset });
  if (denial) throw new Refusal({ code: denial.code, lines: [denial.text], close: denial.close });
  try {
    return await openDataConnection(s);
  } catch (err) {
    if (err instanceof DataConnectionError) throw new Refusal(reply(err.code, err.message));
    throw err;
  }
}

/** The rate limits on this transfer (the user's and the server's), or null when there are none. */
function throttleOf(s: Session, direction: TransferDirection): Throttle | null {
  const rate = direction === "upload" ? () => s.account?.maxUploadRate ?? 0 : () => s.account?.maxDownloadRate ?? 0;
  return s.server.rates.throttleFor(s.account!.name, direction, rate);
}

/**
 * Checks the upload against the account's quota and starts counting it; null when the account
 * has none, so the upload runs without a guard.
 */
async function quotaFor(s: Session, mode: WriteMode, existing: Entry | null, offset: number): Promise<UploadQuota | null> {
  const quota = s.account!.quota;
  if (!quota || (quota.maxBytes <= 0 && quota.maxFiles <= 0)) return null;
  const old = existing?.size ?? 0;
  const freed = mode === "replace" ? old : mode === "resume" ? old - offset : 0;
  try {
    return await s.server.quotas.begin(s.account!.home, storageOf(s), quota, { newFile: existing === null, freed });
  } catch (err) {
    if (err instanceof QuotaExceeded) throw new Refusal(err.reply);
    throw err;
  }
}

function modeText(s: Session): string {
  return s.type === "A" ? "ASCII" : "BINARY";
}

export function RETR(s: Session, arg: string): Promise<Reply | void> {
  const offset = s.restOffset;
  s.restOffset = 0;
  return guarded(async () => {
    const path = pathOf(s, arg);
    authorize(s, "read", path);
    const storage = storageOf(s);
    // Binary downloads take the reused-buffer path when the backend offers it; the opened
    // reader usually knows the file's size too, which saves a stat.
    const fast = s.type === "I" && storage.openReader ? await storage.openReader(path, offset) : null;
    let entry;
    try {
      entry = fast?.entry ?? (await storage.stat(path));
      if (entry.type !== "file") throw new StorageError("is-a-directory", path);
    } catch (err) {
      await fast?.close();
      throw err;
    }
    const source = fast ? null : await storage.read(path, offset);
    let socket: net.Socket;
    try {
      socket = await prepare(s, "download", path, offset);
    } catch (err) {
      source?.destroy();
      await fast?.close();
      throw err;
    }
    s.send(reply(Code.FileStatusOkay, `Opening ${modeText(s)} mode data connection for ${baseName(path)} (${entry.size} bytes).`));
    startTransfer(s, { direction: "download", path, offset, size: entry.size }, async (t) => {
      try {
        socket = await protectData(s, socket);
        const throttle = throttleOf(s, "download");
        if (fast) await sendFile(fast, socket, t.abort.signal, (n) => (t.bytes += n), throttle);
        else await sendData(s, t, socket, source!, throttle);
        releaseAfterSending(socket);
        return { reply: reply(Code.ClosingData, "Transfer complete."), outcome: "ok" };
      } catch (err) {
        source?.destroy();
        await fast?.close().catch(() => {});
        socket.destroy();
        return transferFailure(t, err);
      }
    });
  }, "transfer");
}

export function STOR(s: Session, arg: string): Promise<Reply | void> {
  return store(s, arg, "store");
}

export function APPE(s: Session, arg: string): Promise<Reply | void> {
  return store(s, arg, "append");
}

export function STOU(s: Session, arg: string): Promise<Reply | void> {
  return store(s, arg, "unique");
}

async function uniqueName(s: Session, wanted: string): Promise<string> {
  const base = wanted.trim() ? pathOf(s, wanted) : joinPath(s.cwd, "ftpi-upload");
  for (let i = 0; i < 100; i++) {
    const candidate = i === 0 && wanted.trim() ? base : `${base}.${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
    const exists = await storageOf(s).stat(candidate).then(() => true, () => false);
    if (!exists) return candidate;
  }
  throw new StorageError("exists", base);
}

function store(s: Session, arg: string, kind: "store" | "append" | "unique"): Promise<Reply | void> {
  const offset = kind === "append" ? 0 : s.restOffset;
  s.restOffset = 0;
  return guarded(async () => {
    const path = kind === "unique" ? await uniqueName(s, arg) : pathOf(s, arg);
    const storage = storageOf(s);
    const parent = await storage.stat(parentOf(path));
    if (parent.type !== "dir") throw new StorageError("not-a-directory", parentOf(path));
    const existing = await storage.stat(path).catch((err) => {
      if (err instanceof StorageError && err.kind === "not-found") return null;
      throw err;
    });
    if (existing && existing.type !== "file") throw new StorageError("is-a-directory", path);

    let mode: WriteMode;
    if (kind === "append") mode = "append";
    else if (offset > 0) mode = "resume";
    else mode = existing ? "replace" : "create";
    // G6 / FileZilla rights: resuming or appending needs append; overwriting needs delete.
    if (mode === "append" || mode === "resume") authorize(s, existing ? "append" : "write", path);
    else authorize(s, "write", path);
    // A restart offset inside the file rewrites its tail: that is overwriting too.
    const overwrites = mode === "replace" || (mode === "resume" && existing !== null && offset < existing.size);
    if (overwrites && !can(s, "delete", parentOf(path))) throw new Refusal(reply(Code.ActionNotTaken, "Permission denied: file exists."));
    // A missing file has size 0: a restart point past it would only make a sparse file of zeros.
    if (mode === "resume" && offset > (existing?.size ?? 0)) return reply(Code.InvalidRestParameter, "Restart offset beyond the end of the file.");

    const quota = await quotaFor(s, mode, existing, offset);
    let socket: net.Socket;
    let handle: WriteHandle;
    try {
      socket = await prepare(s, "upload", path, offset);
    } catch (err) {
      quota?.end(false);
      throw err;
    }
    try {
      handle = await storage.write(path, mode, offset);
    } catch (err) {
      socket.destroy();
      quota?.end(false);
      throw err;
    }
    const opening = kind === "unique" ? `FILE: ${baseName(path)}` : `Opening ${modeText(s)} mode data connection for ${baseName(path)}.`;
    s.send(reply(Code.FileStatusOkay, opening));
    startTransfer(s, { direction: "upload", path, offset, size: null }, async (t) => {
      try {
        socket = await protectData(s, socket);
        await receiveData(s, t, socket, quota ? quota.guard(handle.stream) : handle.stream, throttleOf(s, "upload"));
        if (mode === "replace" && (await controlLost(s))) throw new Error("control connection lost");
        await handle.commit();
        quota?.end(true);
        const done = kind === "unique" ? `Transfer complete (unique file name: ${baseName(path)}).` : "Transfer complete.";
        return { reply: reply(Code.ClosingData, done), outcome: "ok" };
      } catch (err) {
        socket.destroy();
        await handle.abort().catch(() => {});
        // An in-place upload leaves what it wrote; an abandoned replace leaves the old file.
        quota?.end(mode !== "replace");
        if (err instanceof QuotaExceeded && !t.abort.signal.aborted) return { reply: err.reply, outcome: "error" };
        return transferFailure(t, err);
      }
    });
  }, "transfer");
}

/**
 * A client killed mid-upload closes both connections at once, and in stream mode its data EOF
 * looks like a finished upload. Before replacing a complete file we look for the control
 * connection going down with it, so the old file survives.
 */
async function controlLost(s: Session): Promise<boolean> {
  await new Promise((r) => setTimeout(r, 30));
  return s.closed || s.socket.readableEnded || s.socket.destroyed;
}

export async function ABOR(s: Session): Promise<Reply> {
  const t = s.transfer;
  if (!t) {
    s.clearData();
    return reply(Code.DataOpenNoTransfer, "No transfer to abort.");
  }
  t.abort.abort();
  await t.done;
  return reply(Code.ClosingData, "ABOR command successful.");
}
