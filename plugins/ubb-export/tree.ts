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
  /**
   * The folder is one already listed elsewhere in this tree (a symbolic link back to it, often a
   * loop such as `up -> ..`): its path as the source names it. Children are then empty.
   */
  sameAs?: string;
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
  /**
   * For a folder, what identifies it whichever way it is reached, when the source can tell
   * (device and inode, the RFC 3659 "unique" fact): a crawl lists each folder once.
   */
  id?: string;
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
  /**
   * What identifies the folder at `path` (same namespace as SourceEntry.id, or the path the
   * source resolves it to), or null when the source cannot tell. A crawl asks for the root, and
   * for folders whose entry came without an id, so that symbolic-link loops end.
   */
  folderId?(path: string): Promise<string | null>;
}
