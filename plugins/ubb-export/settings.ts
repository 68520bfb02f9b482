import type { InferOutput } from "valibot";
import type { Valibot } from "../../core/index.ts";
import { LISTING_FORMATS, SORT_KEYS } from "./options.ts";

/**
 * The plugin's options in ftpi.yaml. The listing ones are the defaults of SITE UBB and the status
 * panel (the panel's form can change them per request).
 *
 * @example
 * plugins:
 *   - name: ubb-export
 *     options: { format: bbcode, dates: true, links: true, linkBase: "ftp://myhost.ddns.net:2121", exclude: ["*.nfo"] }
 */
export const ubbExportOptions = (v: Valibot) => {
  const count = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
  return v.object({
    format: v.optional(v.picklist(LISTING_FORMATS), "bbcode"),
    depth: v.optional(count(0, 64), 0),
    include: v.optional(v.array(v.string()), []),
    exclude: v.optional(v.array(v.string()), []),
    sort: v.optional(v.picklist(SORT_KEYS), "name"),
    order: v.optional(v.picklist(["asc", "desc"]), "asc"),
    foldersFirst: v.optional(v.boolean(), true),
    dates: v.optional(v.boolean(), false),
    links: v.optional(v.boolean(), false),
    /** Where links point (ftp://name:port); default: the address the FTP client connected to. */
    linkBase: v.optional(v.nullable(v.pipe(v.string(), v.regex(/^ftp:\/\/[^/\s]+\/?$/, "linkBase must look like ftp://host:port"))), null),
    /** Whose files the status panel lists by default. */
    account: v.optional(v.string(), "anonymous"),
    /** SITE UBB replies are cut after this many lines (ftpi ubb has no limit). */
    maxLines: v.optional(count(10, 100_000), 5000),
    /** SITE UBB and the panel list this many folders at most (a big tree costs the server). */
    maxFolders: v.optional(count(1, 1_000_000), 10_000),
    /** Folders listed at the same time. */
    concurrency: v.optional(count(1, 32), 4),
  });
};

export type UbbExportOptions = InferOutput<ReturnType<typeof ubbExportOptions>>;
