/** The outputs a listing can be written in. */
export const LISTING_FORMATS = ["bbcode", "text", "markdown"] as const;
export type ListingFormat = (typeof LISTING_FORMATS)[number];

export const SORT_KEYS = ["name", "size", "date"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/**
 * How a tree becomes a listing. Every field has a default (see DEFAULT_LISTING_OPTIONS).
 *
 * @example
 * const options: Partial<ListingOptions> = { format: "markdown", depth: 2, include: ["*.mkv"], sort: "size", order: "desc" };
 */
export interface ListingOptions {
  format: ListingFormat;
  /** Folder levels shown below the listed folder; deeper folders show their totals only. 0 = all. */
  depth: number;
  /** Only files matching one of these globs are listed (folders that end up empty are left out). [] = all. */
  include: string[];
  /** Files and folders matching one of these globs are left out, with all they hold. */
  exclude: string[];
  sort: SortKey;
  order: "asc" | "desc";
  foldersFirst: boolean;
  /** Show modification dates (YYYY-MM-DD, UTC) where the source gives them. */
  dates: boolean;
  /** "ftp://host:port" to link every entry to (ftp://host:port/path); null = no links. */
  linkBase: string | null;
  /** The heading; default: the listed path. */
  title: string | null;
}

export const DEFAULT_LISTING_OPTIONS: Readonly<ListingOptions> = {
  format: "bbcode",
  depth: 0,
  include: [],
  exclude: [],
  sort: "name",
  order: "asc",
  foldersFirst: true,
  dates: false,
  linkBase: null,
  title: null,
};
