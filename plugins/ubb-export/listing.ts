import { globMatcher } from "./glob.ts";
import { DEFAULT_LISTING_OPTIONS, type ListingOptions } from "./options.ts";
import type { FolderItem } from "./tree.ts";

/** What a folder holds, everything below it counted. */
export interface Totals {
  folders: number;
  files: number;
  bytes: number;
}

export interface ListedFile {
  kind: "file";
  name: string;
  size: number;
  modified: Date | null;
  href: string | null;
}

export interface ListedFolder {
  kind: "folder";
  name: string;
  modified: Date | null;
  href: string | null;
  totals: Totals;
  /** null when the folder is deeper than the depth limit: only its totals are shown. */
  children: ListedEntry[] | null;
  error?: string;
  /** A folder listed elsewhere in the tree, reached again through a link: that folder's path. */
  sameAs?: string;
}

export type ListedEntry = ListedFile | ListedFolder;

/** A tree after filtering, sorting and counting: what every output format writes out. */
export interface Listing {
  title: string;
  href: string | null;
  totals: Totals;
  entries: ListedEntry[];
  dates: boolean;
  /** Folders that could not be listed. */
  errors: number;
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/**
 * Applies the globs, the depth limit and the sort order to a tree listed at `rootPath`, and counts
 * files and bytes per folder.
 *
 * @example
 * const listing = prepareListing(tree, "/music", { include: ["*.flac"], depth: 1 });
 * listing.totals // { folders: 3, files: 40, bytes: 1234567890 }
 */
export function prepareListing(root: FolderItem, rootPath: string, options: Partial<ListingOptions> = {}): Listing {
  const o = { ...DEFAULT_LISTING_OPTIONS, ...options };
  const included = o.include.length ? globMatcher(o.include) : () => true;
  const excluded = globMatcher(o.exclude);
  const base = o.linkBase?.replace(/\/+$/, "") ?? null;
  const rootSegments = rootPath.split("/").filter(Boolean);
  const hrefOf = (segments: string[], folder: boolean) =>
    base === null ? null : `${base}/${segments.map(encodePathSegment).join("/")}${folder && segments.length ? "/" : ""}`;
  let errors = 0;

  const visit = (folder: FolderItem, rel: string[], level: number): { entries: ListedEntry[]; totals: Totals } => {
    const entries: ListedEntry[] = [];
    const totals: Totals = { folders: 0, files: 0, bytes: 0 };
    for (const item of folder.children) {
      const path = [...rel, item.name];
      const relText = path.join("/");
      if (excluded(relText)) continue;
      if (item.kind === "file") {
        if (!included(relText)) continue;
        entries.push({ kind: "file", name: item.name, size: item.size, modified: item.modified, href: hrefOf([...rootSegments, ...path], false) });
        totals.files++;
        totals.bytes += item.size;
        continue;
      }
      const inner = visit(item, path, level + 1);
      if (item.error) errors++;
      if (o.include.length && !item.error && inner.totals.files === 0) continue;
      entries.push({
        kind: "folder",
        name: item.name,
        modified: item.modified,
        href: hrefOf([...rootSegments, ...path], true),
        totals: inner.totals,
        children: o.depth === 0 || level < o.depth ? inner.entries : null,
        ...(item.error ? { error: item.error } : {}),
        ...(item.sameAs !== undefined ? { sameAs: item.sameAs } : {}),
      });
      // A link back to a folder listed elsewhere is shown but not counted: totals are the real tree.
      if (item.sameAs !== undefined) continue;
      totals.folders += 1 + inner.totals.folders;
      totals.files += inner.totals.files;
      totals.bytes += inner.totals.bytes;
    }
    entries.sort(comparator(o));
    return { entries, totals };
  };

  const { entries, totals } = visit(root, [], 1);
  return { title: o.title ?? rootPath, href: hrefOf(rootSegments, true), totals, entries, dates: o.dates, errors };
}

function comparator(o: ListingOptions): (a: ListedEntry, b: ListedEntry) => number {
  const byName = (a: ListedEntry, b: ListedEntry) => collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const key = (e: ListedEntry): number =>
    o.sort === "size" ? (e.kind === "file" ? e.size : e.totals.bytes) : (e.modified?.getTime() ?? Number.NEGATIVE_INFINITY);
  const direction = o.order === "desc" ? -1 : 1;
  return (a, b) => {
    if (o.foldersFirst && a.kind !== b.kind) return a.kind === "folder" ? -1 : 1;
    if (o.sort === "name") return direction * byName(a, b);
    const ka = key(a);
    const kb = key(b);
    return (ka === kb ? 0 : direction * (ka < kb ? -1 : 1)) || byName(a, b);
  };
}

/** A path segment for an ftp:// URL: percent-encoded, parentheses and quotes too (Markdown links). */
export function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
