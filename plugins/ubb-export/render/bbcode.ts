import { encodePathSegment, type ListedEntry, type Listing } from "../listing.ts";
import { fileDetails, folderDetails, totalLine } from "./labels.ts";

/**
 * The listing as forum BBCode (UBB): nested [list]s, folders in [b], [url] links when asked for.
 * Names can open no tag (see escapeBbcode) and links can end no tag (see bbcodeUrl).
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
        lines.push(`[*]${link(entry.name, entry.href)} ${escapeBbcode(fileDetails(entry, listing.dates))}`);
        continue;
      }
      lines.push(`[*]${bold(link(entry.name, entry.href))} ${escapeBbcode(folderDetails(entry, listing.dates))}`);
      if (entry.children?.length) list(entry.children);
    }
    lines.push("[/list]");
  };
  if (listing.entries.length) list(listing.entries);
  lines.push(escapeBbcode(totalLine(listing.totals, listing.errors)));
  return lines.join("\n") + "\n";
}

/**
 * Text that no forum reads as BBCode: "[" and "]" become the full-width "［" and "］" (U+FF3B,
 * U+FF3D). BBCode has no escape that every forum knows ([noparse] is vBulletin/XenForo only,
 * [nobbc] SMF only, phpBB has none; the "[[b][/b]b]" trick fails on SMF, which drops empty
 * tags), while a full-width bracket can open no tag anywhere and still reads as a bracket.
 * Names, the title, and the details (which may quote a server's error message) all go through it;
 * control characters become "?".
 *
 * @example
 * escapeBbcode("[/list][url=http://evil]x[/url]") // "［/list］［url=http://evil］x［/url］"
 */
export function escapeBbcode(text: string): string {
  // Control characters (a newline in a name would break the list) become "?".
  return text.replace(/[[\]\p{Cc}]/gu, (c) => (c === "[" ? "\uFF3B" : c === "]" ? "\uFF3D" : "?"));
}

/**
 * A URL for `[url=…]`: every character that could end the tag or the attribute (brackets,
 * quotes, white space, controls, `<`, `>`, backslash) percent-encoded. Path segments are encoded
 * already; this covers a link base too.
 *
 * @example
 * bbcodeUrl("ftp://host/a b]") // "ftp://host/a%20b%5D"
 */
export function bbcodeUrl(href: string): string {
  // encodePathSegment percent-encodes each of these characters as UTF-8, "'" included.
  return href.replace(/[[\]"'<>\\\s\p{Cc}\p{Cf}]/gu, (c) => encodePathSegment(c));
}

const bold = (text: string) => `[b]${text}[/b]`;
const link = (text: string, href: string | null) => (href === null ? escapeBbcode(text) : `[url=${bbcodeUrl(href)}]${escapeBbcode(text)}[/url]`);
