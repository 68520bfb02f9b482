import type { ListedFile, ListedFolder, Totals } from "../listing.ts";
import { count, formatDate, formatSize } from "../units.ts";

/** "1 folder, 3 files, 12.0 MB"; "empty" for a folder that holds nothing listed. */
export function describeTotals(totals: Totals): string {
  if (totals.files === 0 && totals.folders === 0) return "empty";
  const parts = totals.folders ? [count(totals.folders, "folder")] : [];
  parts.push(count(totals.files, "file"), formatSize(totals.bytes));
  return parts.join(", ");
}

/** What follows a folder's name, in parentheses: its totals (or why it is missing), and its date. */
export function folderDetails(folder: ListedFolder, dates: boolean): string {
  const parts = [folder.error ? `not listed: ${folder.error}` : folder.sameAs !== undefined ? `same folder as ${folder.sameAs}` : describeTotals(folder.totals)];
  if (dates && folder.modified) parts.push(formatDate(folder.modified));
  return `(${parts.join(", ")})`;
}

/** What follows a file's name, in parentheses: its size and, when asked for, its date. */
export function fileDetails(file: ListedFile, dates: boolean): string {
  const parts = [formatSize(file.size)];
  if (dates && file.modified) parts.push(formatDate(file.modified));
  return `(${parts.join(", ")})`;
}

/** The last line of every format. */
export function totalLine(totals: Totals, errors: number): string {
  const line = `Total: ${count(totals.folders, "folder")}, ${count(totals.files, "file")}, ${formatSize(totals.bytes)}`;
  return errors ? `${line} (${count(errors, "folder")} could not be listed)` : line;
}
