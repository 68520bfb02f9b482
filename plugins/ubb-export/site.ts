import path from "node:path";
import type { SiteAnswer, SiteRequest } from "../../core/index.ts";
import { crawlFolder, FolderError } from "./list-folder.ts";
import { renderListing } from "./render/index.ts";
import type { UbbExportOptions } from "./settings.ts";

/**
 * `SITE UBB [path]`: the listing of a folder (default: the current one) as a multi-line 200, in
 * the format of the plugin's options. Lines between the first and the last are the listing
 * itself, ready to copy.
 *
 * @example
 * // SITE UBB /music
 * // 200-Listing of /music (bbcode):
 * // [b]/music[/b]
 * // [list]
 * // ...
 * // 200 End of listing.
 */
export function siteUbb(options: UbbExportOptions) {
  return async (req: SiteRequest): Promise<SiteAnswer> => {
    if (!req.files) return { code: 530, lines: ["Log in first."] };
    const folder = path.posix.resolve(req.cwd, req.arg.trim() || ".");
    let text: string;
    try {
      const tree = await crawlFolder(req.files, folder, options);
      text = renderListing(tree, folder, { ...options, title: null, linkBase: options.links ? (options.linkBase ?? linkBaseOf(req)) : null });
    } catch (err) {
      if (err instanceof FolderError) return { code: err.ftpCode, lines: [err.message] };
      throw err;
    }
    const lines = text.trimEnd().split("\n");
    const cut = lines.length > options.maxLines ? lines.splice(options.maxLines) : [];
    if (cut.length) lines.push(`... ${cut.length} more lines; "ftpi ubb" lists without a limit.`);
    return { code: 200, lines: [`Listing of ${folder} (${options.format}):`, ...lines, "End of listing."] };
  };
}

/** ftp://address:port the client reached us on: right on the LAN; set linkBase for links that work from the internet. */
function linkBaseOf(req: SiteRequest): string {
  const address = req.session.localAddress.replace(/^::ffff:/, "");
  const host = address.includes(":") ? `[${address}]` : address;
  return `ftp://${host}${req.session.localPort === 21 ? "" : `:${req.session.localPort}`}`;
}
