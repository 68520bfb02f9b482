import type { FolderItem, ListingSource } from "./tree.ts";

/** How far a crawl has got, for a progress line. */
export interface CrawlProgress {
  folders: number;
  files: number;
  bytes: number;
  /** Folders found but not listed yet. */
  pending: number;
}

export interface CrawlOptions {
  /** Folders listed at the same time (for FTP: connections); default 2. */
  concurrency?: number;
  /** Folders (relative path, e.g. "video/old") not to enter; they still appear, empty. */
  skip?: (relativePath: string) => boolean;
  /** Folders listed at most (the root included); the others show "not listed". Default: no limit. */
  maxFolders?: number;
  /** Called once when maxFolders is reached: the listing is incomplete. */
  onLimit?: (maxFolders: number) => void;
  /** A folder below the root could not be listed; the crawl goes on without it. */
  onError?: (path: string, message: string) => void;
  /** Called after every folder listed. */
  onProgress?: (progress: CrawlProgress) => void;
}

/**
 * Lists `rootPath` and every folder below it from `source`, at most `concurrency` listings at a
 * time. A folder that fails is kept with its error and reported through onError; only a failure
 * of the root itself rejects. Each folder is entered once: one reached again (a symbolic link to
 * itself, to `..` or to a folder listed elsewhere, told apart by SourceEntry.id or
 * ListingSource.folderId) is kept with `sameAs` and not listed, so loops end.
 *
 * @example
 * const tree = await crawlTree(localFolder("/srv/share"), "/", { concurrency: 4, onError: (p, m) => console.error(p, m) });
 */
export async function crawlTree(source: ListingSource, rootPath: string, options: CrawlOptions = {}): Promise<FolderItem> {
  const limit = Math.max(1, options.concurrency ?? 2);
  const progress: CrawlProgress = { folders: 0, files: 0, bytes: 0, pending: 0 };
  const root: FolderItem = { kind: "folder", name: "", modified: null, children: [] };
  const waiting: Job[] = [];
  const limitFolders = options.maxFolders ?? Number.POSITIVE_INFINITY;
  let queued = 0;
  let limited = false;
  // Every folder entered, by what identifies it, with the path it was first reached by: a
  // symbolic link back to one of them (`up -> ..`, `self -> .`) is shown but never entered again.
  // seenAs gives that first path, or records `path` as the first; a folder without an id (the
  // source cannot tell) is never seen before.
  const entered = new Map<string, string>();
  const seenAs = (id: string | null | undefined, path: string): string | undefined => {
    if (!id) return undefined;
    const first = entered.get(id);
    if (first === undefined) entered.set(id, path);
    return first;
  };
  const identify = async (path: string): Promise<string | null> => {
    if (!source.folderId) return null;
    try {
      return await source.folderId(path);
    } catch {
      return null; // the listing itself will say what is wrong
    }
  };

  const listInto = async (job: Job) => {
    const { folder, path, rel } = job;
    if (!job.identified) {
      const first = seenAs(await identify(path), path);
      if (first !== undefined) {
        folder.sameAs = first;
        return;
      }
    }
    const entries = await source.list(path);
    progress.folders++;
    for (const entry of entries) {
      if (entry.type === "file") {
        folder.children.push({ kind: "file", name: entry.name, size: entry.size, modified: entry.modified });
        progress.files++;
        progress.bytes += entry.size;
        continue;
      }
      const child: FolderItem = { kind: "folder", name: entry.name, modified: entry.modified, children: [] };
      folder.children.push(child);
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const childPath = joinPath(path, entry.name);
      if (options.skip?.(childRel)) continue;
      const first = seenAs(entry.id, childPath);
      if (first !== undefined) {
        child.sameAs = first;
        continue;
      }
      if (++queued >= limitFolders) {
        child.error = `more than ${limitFolders} folders`;
        if (!limited) options.onLimit?.(limitFolders);
        limited = true;
        continue;
      }
      waiting.push({ folder: child, path: childPath, rel: childRel, identified: Boolean(entry.id) });
    }
    progress.pending = waiting.length;
    options.onProgress?.({ ...progress });
  };

  await listInto({ folder: root, path: rootPath, rel: "", identified: false });

  await new Promise<void>((resolve) => {
    let running = 0;
    const pump = () => {
      while (running < limit && waiting.length) {
        // Depth first (last found, first listed): the queue stays short on wide trees.
        const job = waiting.pop()!;
        running++;
        listInto(job)
          .catch((err: unknown) => {
            job.folder.error = errorText(err);
            options.onError?.(job.path, job.folder.error);
          })
          .finally(() => {
            running--;
            if (running === 0 && waiting.length === 0) resolve();
            else pump();
          });
      }
    };
    if (waiting.length === 0) resolve();
    else pump();
  });
  return root;
}

interface Job {
  folder: FolderItem;
  path: string;
  rel: string;
  /** Its entry carried an id, already recorded: no need to ask the source. */
  identified: boolean;
}

/** "/a" + "b" = "/a/b". */
export function joinPath(folder: string, name: string): string {
  return folder.endsWith("/") ? `${folder}${name}` : `${folder}/${name}`;
}

/** The first line of an error, as a listing can show it ("550 Permission denied."). */
export function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split(/\r?\n/)[0]!.trim() || "error";
}
