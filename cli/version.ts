// Imported, not read at run time, so the compiled binary carries it.
import pkg from "../package.json" with { type: "json" };

/** Set by scripts/build.mjs (`bun build --define`) in the compiled executable; absent from source. */
declare const FTPI_BUILD: { target: string; commit: string | null } | undefined;

export const VERSION: string = pkg.version;

/** "0.1.0", or "0.1.0 (linux-arm64, commit 0629d8d)" for a compiled executable. */
export function versionLine(): string {
  if (typeof FTPI_BUILD === "undefined") return VERSION;
  const details = [FTPI_BUILD.target, FTPI_BUILD.commit && `commit ${FTPI_BUILD.commit}`].filter(Boolean);
  return `${VERSION} (${details.join(", ")})`;
}
