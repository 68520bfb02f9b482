import path from "node:path";
import type { Valibot } from "../../core/index.ts";
import { LISTING_FORMATS, SORT_KEYS, type ListingOptions } from "./options.ts";
import type { UbbExportOptions } from "./settings.ts";

/** A panel request, read from its query string. */
export interface PanelRequest {
  account: string;
  path: string;
  listing: ListingOptions;
  /** Whether links were asked for (then listing.linkBase is set, or the link base is missing). */
  links: boolean;
  concurrency: number;
  maxFolders: number;
}

/**
 * Reads the panel's query (?path=/&format=bbcode&depth=2&include=*.mp3,*.flac&dates=1...),
 * falling back to the plugin's options. The form sends `form=1`, so that an unticked box means
 * false; a bare link (no `form`) keeps the configured defaults.
 *
 * @returns the request, or the problems with the query
 */
export function readPanelQuery(v: Valibot, query: Record<string, string>, defaults: UbbExportOptions): PanelRequest | { problems: string[] } {
  const fromForm = query.form === "1";
  const flag = (name: string, fallback: boolean) => (query[name] === undefined ? (fromForm ? false : fallback) : ["1", "on", "true", "yes"].includes(query[name]!));
  const list = (name: string, fallback: string[]) =>
    query[name] === undefined ? fallback : query[name]!.split(",").map((s) => s.trim()).filter(Boolean);
  const schema = v.object({
    format: v.picklist(LISTING_FORMATS),
    sort: v.picklist(SORT_KEYS),
    order: v.picklist(["asc", "desc"]),
    depth: v.pipe(v.string(), v.regex(/^\d{1,2}$/, "depth must be a number from 0 (all) to 99")),
    linkBase: v.union([v.literal(""), v.pipe(v.string(), v.regex(/^ftp:\/\/[^/\s]+\/?$/, "the link base must look like ftp://host:port"))]),
  });
  const parsed = v.safeParse(schema, {
    format: query.format || defaults.format,
    sort: query.sort || defaults.sort,
    order: query.order || defaults.order,
    depth: query.depth || String(defaults.depth),
    linkBase: query.linkBase ?? defaults.linkBase ?? "",
  });
  if (!parsed.success) return { problems: parsed.issues.map((i) => `${i.path?.map((p) => String(p.key)).join(".") ?? "query"}: ${i.message}`) };
  const links = flag("links", defaults.links);
  return {
    account: query.account || defaults.account,
    path: path.posix.resolve("/", query.path || "/"),
    links,
    concurrency: defaults.concurrency,
    maxFolders: defaults.maxFolders,
    listing: {
      format: parsed.output.format,
      sort: parsed.output.sort,
      order: parsed.output.order,
      depth: Number(parsed.output.depth),
      include: list("include", defaults.include),
      exclude: list("exclude", defaults.exclude),
      foldersFirst: flag("foldersFirst", defaults.foldersFirst),
      dates: flag("dates", defaults.dates),
      linkBase: links && parsed.output.linkBase ? parsed.output.linkBase : null,
      title: null,
    },
  };
}
