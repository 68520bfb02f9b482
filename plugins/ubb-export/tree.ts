/** A file in a listed tree. */
export interface FileItem {
  kind: "file";
  name: string;
  size: number;
  /** When the file last changed, or null when the source does not say (or says it unreliably). */
  modified: Date | null;
}

/** A folder in a listed tree, with everything below it that was listed. */
export interface FolderItem {
  kind: "folder";
  name: string;
  modified: Date | null;
  children: TreeItem[];
  /** Why the folder could not be listed (e.g. "550 Permission denied"); children are then empty. */
  error?: string;
}

export type TreeItem = FileItem | FolderItem;

/**
 * One entry of a folder, as a listing source reports it. Anything that is neither a file nor a
 * folder (devices, dangling links) is left out by the source.
 */
export interface SourceEntry {
  name: string;
  type: "file" | "dir";
  size: number;
  modified: Date | null;
}

/**
 * Where a tree is listed from: the server's own storage, a local folder, or a remote FTP server.
 * `path` is absolute and "/"-separated; a folder that cannot be listed rejects.
 *
 * @example
 * const source: ListingSource = { list: async (path) => [{ name: "a.txt", type: "file", size: 3, modified: null }] };
 */
export interface ListingSource {
  list(path: string): Promise<SourceEntry[]>;
}
