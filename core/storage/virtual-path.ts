import { StorageError } from "./types.ts";

// C0 controls and DEL: a name holding CR/LF could split a reply or a LIST line, NUL would be cut
// short by the OS, and the rest only serve to garble terminals and logs.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Turns an FTP path argument into a normalised absolute virtual path.
 * Backslashes count as separators (Windows clients send them), `.` and `..` are resolved and
 * `..` never climbs above "/". Names are otherwise kept byte for byte: spaces, `~` and
 * `%2e%2e` are ordinary characters here.
 *
 * @param cwd the session's current directory, already a normalised virtual path
 * @throws StorageError("invalid-path") when the argument holds a control character (NUL, CR, LF…)
 * @example
 * resolvePath("/home", "../etc//x/")  // "/etc/x"
 * resolvePath("/", "..\\..\\windows") // "/windows"
 */
export function resolvePath(cwd: string, arg: string): string {
  if (CONTROL_CHARACTER.test(arg)) {
    throw new StorageError("invalid-path", "Path contains a control character");
  }
  const path = arg.replaceAll("\\", "/");
  const segments = path.startsWith("/") ? [] : splitPath(cwd);
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return "/" + segments.join("/");
}

/** The folder holding `path`; the parent of "/" is "/". */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}

/** The last name in `path`; "" for "/". */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The path of entry `name` (a single name, no "/") inside folder `dir`. */
export function joinPath(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}

/** The names along a virtual path: "/a/b" → ["a", "b"], "/" → []. */
export function splitPath(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}
