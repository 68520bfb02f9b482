import type { ListedEntry, Listing } from "../listing.ts";
import { fileDetails, folderDetails, totalLine } from "./labels.ts";

/**
 * The listing as plain text: two spaces of indent per level, folders end in "/", links (when
 * asked for) after the details.
 *
 * @example
 * /
 *   Music/ (2 files, 8.0 MB)
 *     a.mp3 (4.0 MB)
 *     b.mp3 (4.0 MB)
 * Total: 1 folder, 2 files, 8.0 MB
 */
export function renderText(listing: Listing): string {
  const lines = [withLink(listing.title, listing.href)];
  const list = (entries: ListedEntry[], indent: string) => {
    for (const entry of entries) {
      if (entry.kind === "file") {
        lines.push(withLink(`${indent}${entry.name} ${fileDetails(entry, listing.dates)}`, entry.href));
        continue;
      }
      lines.push(withLink(`${indent}${entry.name}/ ${folderDetails(entry, listing.dates)}`, entry.href));
      if (entry.children) list(entry.children, `${indent}  `);
    }
  };
  list(listing.entries, "  ");
  lines.push(totalLine(listing.totals, listing.errors));
  return lines.join("\n") + "\n";
}

const withLink = (line: string, href: string | null) => (href === null ? line : `${line} ${href}`);
