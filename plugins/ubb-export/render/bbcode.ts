import type { ListedEntry, Listing } from "../listing.ts";
import { fileDetails, folderDetails, totalLine } from "./labels.ts";

/**
 * The listing as forum BBCode (UBB): nested [list]s, folders in [b], [url] links when asked for.
 *
 * @example
 * [b]/[/b]
 * [list]
 * [*][b]Music[/b] (2 files, 8.0 MB)
 * [list]
 * [*]a.mp3 (4.0 MB)
 * [*]b.mp3 (4.0 MB)
 * [/list]
 * [/list]
 * Total: 1 folder, 2 files, 8.0 MB
 */
export function renderBbcode(listing: Listing): string {
  const lines = [bold(link(listing.title, listing.href))];
  const list = (entries: ListedEntry[]) => {
    lines.push("[list]");
    for (const entry of entries) {
      if (entry.kind === "file") {
        lines.push(`[*]${link(entry.name, entry.href)} ${fileDetails(entry, listing.dates)}`);
        continue;
      }
      lines.push(`[*]${bold(link(entry.name, entry.href))} ${folderDetails(entry, listing.dates)}`);
      if (entry.children?.length) list(entry.children);
    }
    lines.push("[/list]");
  };
  if (listing.entries.length) list(listing.entries);
  lines.push(totalLine(listing.totals, listing.errors));
  return lines.join("\n") + "\n";
}

const bold = (text: string) => `[b]${text}[/b]`;
const link = (text: string, href: string | null) => (href === null ? text : `[url=${href}]${text}[/url]`);
