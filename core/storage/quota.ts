import { Code } from "../codes.ts";
import { Writable } from "node:stream";
import type { Quota } from "../auth/types.ts";
import { reply, type Reply } from "../reply.ts";
import type { Storage } from "./types.ts";
import { joinPath } from "./virtual-path.ts";

/**
 * A walk is trusted this long. Uploads, deletes and renames through FTP keep the numbers
 * current; walking again after it catches what changed on disk behind ftpi's back.
 */
const FRESH_MS = 5 * 60_000;
/** An upload about to be refused walks again if the last walk is older than this. */
const RECOUNT_BEFORE_REFUSING_MS = 10_000;

/** What a home holds, as the last walk found it plus what FTP changed since. */
interface Usage {
  bytes: number;
  files: number;
  /** What running uploads wrote, less what they free (a replaced file, a resumed file's cut tail). */
  pendingBytes: number;
  /** New files running uploads are creating. */
  pendingFiles: number;
  uploads: number;
  /** Counts changes made through FTP, so a walk that raced one is known. */
  changes: number;
  walkedAt: number;
}

/** An upload over quota: refused at the start, or stopped mid-way. Carries its 552. */
export class QuotaExceeded extends Error {
  constructor(readonly reply: Reply) {
    super(reply.lines[0]);
  }
}

/** How an upload changes the home once it is kept. */
export interface UploadPlan {
  /** It creates a file that was not there. */
  newFile: boolean;
  /** Bytes of the old file it does away with: all of it for a replace, the tail after REST for a resume (negative when REST leaves a gap). */
  freed: number;
}

/** One upload's share of its home's usage, from the check at its start to its end. */
export class UploadQuota {
  #written = 0;
  #ended = false;

  constructor(
    private readonly usage: Usage,
    private readonly quota: Quota,
    private readonly plan: UploadPlan,
  ) {
    usage.uploads++;
    usage.changes++;
    usage.pendingBytes -= plan.freed;
    if (plan.newFile) usage.pendingFiles++;
  }

  /** How many of `n` more bytes fit under maxBytes; those are counted as written. */
  admit(n: number): number {
    const { maxBytes } = this.quota;
    const room = maxBytes > 0 ? Math.max(0, maxBytes - this.usage.bytes - this.usage.pendingBytes) : Infinity;
    const fits = Math.min(n, room);
    this.#written += fits;
    this.usage.pendingBytes += fits;
    return fits;
  }

  /** The 552 for an upload stopped at the quota. */
  stopped(): QuotaExceeded {
    return new QuotaExceeded(reply(Code.ExceededStorage, `Quota exceeded: the home may hold ${this.quota.maxBytes} bytes; upload stopped after ${this.#written} bytes.`));
  }

  /** Wraps the file's stream so that no byte beyond the quota reaches it. */
  guard(sink: Writable): Writable {
    return new QuotaSink(sink, this);
  }

  /**
   * The upload is over. `kept`: what it wrote stays in the home (a committed upload, or an
   * in-place one cut short); otherwise nothing changed (a replace that was abandoned).
   */
  end(kept: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    const delta = this.#written - this.plan.freed;
    this.usage.uploads--;
    this.usage.changes++;
    this.usage.pendingBytes -= delta;
    if (this.plan.newFile) this.usage.pendingFiles--;
    if (!kept) return;
    this.usage.bytes = Math.max(0, this.usage.bytes + delta);
    if (this.plan.newFile) this.usage.files++;
  }
}

/**
 * Usage of each home that has a quota, keyed by its folder (accounts sharing a home share its
 * usage). Counted by walking the home once, then kept current by the uploads, deletes and
 * renames made through FTP, instead of walking the tree again for every upload.
 */
export class HomeUsage {
  readonly #homes = new Map<string, Usage>();
  readonly #walks = new Map<string, Promise<Usage>>();

  /**
   * Checks an upload against `quota` and starts counting it. Throws QuotaExceeded when the
   * home is already at its byte quota, or at its file quota and the upload would add a file.
   * Before refusing, a home not walked for a few seconds is walked again: room made beside ftpi
   * (files deleted over SMB) counts at once.
   */
  async begin(home: string, storage: Storage, quota: Quota, plan: UploadPlan): Promise<UploadQuota> {
    let usage = await this.#usageOf(home, storage, FRESH_MS);
    let refusal = refusalOf(usage, quota, plan);
    if (refusal && Date.now() - usage.walkedAt > RECOUNT_BEFORE_REFUSING_MS) {
      usage = await this.#usageOf(home, storage, 0);
      refusal = refusalOf(usage, quota, plan);
    }
    if (refusal) throw refusal;
    return new UploadQuota(usage, quota, plan);
  }

  /** Whether `home`'s usage is being counted (only then does a delete need the file's size). */
  tracks(home: string): boolean {
    return this.#homes.has(home);
  }

  /** A file of `bytes` left the home (DELE, or RNTO over it). */
  removed(home: string, bytes: number): void {
    const usage = this.#homes.get(home);
    if (!usage) return;
    usage.changes++;
    usage.bytes = Math.max(0, usage.bytes - bytes);
    usage.files = Math.max(0, usage.files - 1);
  }

  /** The home's usage, walked first when unknown or older than `maxAge` ms and no upload runs. */
  async #usageOf(home: string, storage: Storage, maxAge: number): Promise<Usage> {
    const known = this.#homes.get(home);
    // Not while uploads run: their partial files would be counted twice, on disk and pending.
    if (known && (known.uploads > 0 || Date.now() - known.walkedAt < maxAge)) return known;
    let walking = this.#walks.get(home);
    if (!walking) {
      const changes = known?.changes ?? 0;
      walking = walk(storage)
        .then(({ bytes, files }) => {
          const usage = this.#homes.get(home);
          if (!usage) {
            const fresh: Usage = { bytes, files, pendingBytes: 0, pendingFiles: 0, uploads: 0, changes: 0, walkedAt: Date.now() };
            this.#homes.set(home, fresh);
            return fresh;
          }
          // An FTP change during the walk may or may not be in it: keep the counted numbers then.
          if (usage.uploads === 0 && usage.changes === changes) {
            usage.bytes = bytes;
            usage.files = files;
          }
          usage.walkedAt = Date.now();
          return usage;
        })
        .finally(() => this.#walks.delete(home));
      this.#walks.set(home, walking);
    }
    return walking;
  }
}

function refusalOf(usage: Usage, quota: Quota, plan: UploadPlan): QuotaExceeded | null {
  const bytes = usage.bytes + usage.pendingBytes;
  if (quota.maxBytes > 0 && bytes >= quota.maxBytes) {
    return new QuotaExceeded(reply(Code.ExceededStorage, `Quota exceeded: ${bytes} of ${quota.maxBytes} bytes used; delete files to make room.`));
  }
  const files = usage.files + usage.pendingFiles;
  if (quota.maxFiles > 0 && plan.newFile && files >= quota.maxFiles) {
    return new QuotaExceeded(reply(Code.ExceededStorage, `Quota exceeded: ${files} of ${quota.maxFiles} files; delete files to make room.`));
  }
  return null;
}

/**
 * Files and their bytes below "/". Folders are entered once each (by their unique id), so a
 * symlink loop inside the home cannot trap the walk; a folder that cannot be listed is skipped.
 */
async function walk(storage: Storage): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  const seen = new Set<string>();
  const root = await storage.stat("/").catch(() => null);
  if (root?.unique) seen.add(root.unique);
  const folders = ["/"];
  while (folders.length > 0) {
    const folder = folders.pop()!;
    const entries = await storage.list(folder).catch(() => []);
    for (const entry of entries) {
      if (entry.type === "file") {
        bytes += entry.size;
        files++;
      } else if (entry.type === "dir") {
        if (entry.unique) {
          if (seen.has(entry.unique)) continue;
          seen.add(entry.unique);
        }
        folders.push(joinPath(folder, entry.name));
      }
    }
  }
  return { bytes, files };
}

/**
 * Passes an upload to the file's stream up to the quota. The write that crosses it passes the
 * part that fits and fails once that part is on disk, so the file left behind is exactly the
 * first bytes of the upload.
 */
class QuotaSink extends Writable {
  constructor(
    private readonly inner: Writable,
    private readonly quota: UploadQuota,
  ) {
    super({ highWaterMark: inner.writableHighWaterMark });
    inner.on("error", (err) => this.destroy(err));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const fits = this.quota.admit(chunk.length);
    if (fits < chunk.length) {
      // Write callbacks come in order: when this one runs, every byte before it is written too.
      this.inner.write(chunk.subarray(0, fits), (err) => callback(err ?? this.quota.stopped()));
      return;
    }
    if (this.inner.write(chunk)) callback();
    else this.inner.once("drain", () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.inner.once("finish", () => callback());
    this.inner.end();
  }
}
