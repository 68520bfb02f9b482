import type { ListedEntry, Listing } from "../listing.ts";
import { fileDetails, folderDetails, totalLine } from "./labels.ts";

/**
 * The listing as Markdown: a nested bullet list, folders in bold, names escaped so that
 * "_", "*" or "[" in a file name stay text.
 *
 * @example
 * // The title (the listed path) in bold, a blank line, then:
 * - **Music/** (2 files, 8.0 MB)
 *   - a.mp3 (4.0 MB)
 *   - b.mp3 (4.0 MB)
 *
 * Total: 1 folder, 2 files, 8.0 MB
 */
export function renderMarkdown(listing: Listing): string {
  const lines = [`**${link(escapeMarkdown(listing.title), listing.href)}**`, ""];
  const list = (entries: ListedEntry[], indent: string) => {
    for (const entry of entries) {
      if (entry.kind === "file") {
        lines.push(`${indent}- ${link(escapeMarkdown(entry.name), entry.href)} ${fileDetails(entry, listing.dates)}`);
        continue;
      }
      lines.push(`${indent}- **${link(`${escapeMarkdown(entry.name)}/`, entry.href)}** ${folderDetails(entry, listing.dates)}`);
      if (entry.children) list(entry.children, `${indent}  `);
    }
  };
  list(listing.entries, "");
  if (listing.entries.length) lines.push("");
  lines.push(totalLine(listing.totals, listing.errors));
  return lines.join("\n") + "\n";
}

/** Backslash-escapes the characters Markdown would read as markup. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, "\\$&");
}

const link = (text: string, href: string | null) => (href === null ? text : `[${text}](${href})`);
