/**
 * Glob patterns for --include / --exclude, matched against a path relative to the listed folder
 * ("music/rock/song.mp3"). `*` is any run of characters within one name, `?` one character,
 * `**` any number of whole folders. A pattern without "/" matches the last name only, as in
 * .gitignore: "*.mp3" matches "music/rock/song.mp3". Case does not matter (the same listing must
 * come out of a Windows server and a Linux one).
 *
 * Written here rather than node:path's matchesGlob: that is experimental on Node 20 (a warning on
 * stderr), missing before 20.17, and needs env permission on Deno.
 *
 * @example
 * globMatcher(["*.mp3", "video/**"])("music/a.MP3") // true
 */
export function globMatcher(patterns: readonly string[]): (relativePath: string) => boolean {
  const compiled = patterns.filter((p) => p.trim() !== "").map(compileGlob);
  return (relativePath) => compiled.some((match) => match(relativePath));
}

function compileGlob(pattern: string): (relativePath: string) => boolean {
  const trimmed = pattern.trim().replace(/^\/+/, "").replace(/\/+$/, "");
  const regex = new RegExp(`^${globToRegex(trimmed)}$`, "i");
  if (trimmed.includes("/")) return (p) => regex.test(p);
  return (p) => regex.test(p.slice(p.lastIndexOf("/") + 1));
}

function globToRegex(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      const slashBefore = i === 0 || glob[i - 1] === "/";
      const slashAfter = glob[i + 2] === "/";
      if (slashBefore && slashAfter) {
        // "**/" : zero or more whole folders
        out += "(?:[^/]*/)*";
        i += 2;
      } else {
        out += ".*";
        i += 1;
      }
    } else if (c === "*") {
      out += "[^/]*";
    } else if (c === "?") {
      out += "[^/]";
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  return out;
}
