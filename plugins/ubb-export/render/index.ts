import { prepareListing, type Listing } from "../listing.ts";
import type { ListingFormat, ListingOptions } from "../options.ts";
import type { FolderItem } from "../tree.ts";
import { renderBbcode } from "./bbcode.ts";
import { renderMarkdown } from "./markdown.ts";
import { renderText } from "./text.ts";

const WRITERS: Record<ListingFormat, (listing: Listing) => string> = {
  bbcode: renderBbcode,
  text: renderText,
  markdown: renderMarkdown,
};

/** A prepared listing in one of the output formats. */
export function writeListing(listing: Listing, format: ListingFormat): string {
  return WRITERS[format](listing);
}

/**
 * A folder tree as a listing to paste into a forum: BBCode (default), plain text or Markdown.
 * Pure: the same tree and options always give the same text.
 *
 * @example
 * const tree: FolderItem = { kind: "folder", name: "", modified: null, children: [
 *   { kind: "file", name: "a.mp3", size: 4194304, modified: null },
 * ] };
 * renderListing(tree, "/", { format: "bbcode" });
 * // "[b]/[/b]\n[list]\n[*]a.mp3 (4.0 MB)\n[/list]\nTotal: 0 folders, 1 file, 4.0 MB\n"
 */
export function renderListing(root: FolderItem, rootPath: string, options: Partial<ListingOptions> = {}): string {
  return writeListing(prepareListing(root, rootPath, options), options.format ?? "bbcode");
}
