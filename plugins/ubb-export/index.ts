import type { Hono } from "hono";
import { definePlugin } from "../../core/index.ts";
import { mountPanel } from "./panel.tsx";
import { ubbExportOptions } from "./settings.ts";
import { siteUbb } from "./site.ts";

export { renderListing, writeListing } from "./render/index.ts";
export { prepareListing, type Listing, type ListedEntry, type Totals } from "./listing.ts";
export { crawlTree, type CrawlOptions, type CrawlProgress } from "./crawl.ts";
export { globMatcher } from "./glob.ts";
export { formatSize } from "./units.ts";
export type { FolderItem, FileItem, TreeItem, ListingSource, SourceEntry } from "./tree.ts";
export { DEFAULT_LISTING_OPTIONS, LISTING_FORMATS, SORT_KEYS, type ListingFormat, type ListingOptions, type SortKey } from "./options.ts";

/**
 * ubb-export: the shared folder as a listing to paste into a forum (BBCode like FTP Content
 * Maker's "UBB output", plain text or Markdown). `SITE UBB [path]` answers over FTP, the status
 * page has a panel with a preview and a copy button, and `ftpi ubb` lists a local folder or any
 * remote FTP server.
 *
 * @example
 * plugins:
 *   - name: ubb-export
 *     options: { dates: true, exclude: ["*.part", "upload"] }
 */
export default definePlugin({
  name: "ubb-export",
  options: ubbExportOptions,
  setup(ctx) {
    ctx.site("UBB", "[path] the folder as a forum listing (BBCode)", siteUbb(ctx.options));
    ctx.web((app: Hono) => mountPanel(app, ctx));
  },
});
