/** A remote folder to list, from an ftp:// URL. */
export interface FtpTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  anonymous: boolean;
  /** The folder as the URL names it, decoded; "" = the folder the login lands in. */
  path: string;
}

/**
 * Reads `ftp://[user[:password]@]host[:port][/path]`. The user name and password may be
 * percent-encoded ("%40" for "@"); without them the login is anonymous. As in RFC 1738, the path
 * is taken from the login folder, which on almost every server is "/".
 *
 * @throws Error with a message for the command line
 * @example
 * parseFtpUrl("ftp://alice:s%40cret@nas.local:2121/music").password // "s@cret"
 */
export function parseFtpUrl(text: string): FtpTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a URL; write ftp://user:password@host:port/folder`);
  }
  if (url.protocol !== "ftp:") throw new Error(`"${url.protocol}//" is not supported; write ftp://… (add --ftps for FTP over TLS)`);
  if (!url.hostname) throw new Error(`"${text}" names no host`);
  const user = decodeURIComponent(url.username);
  const path = url.pathname
    .split("/")
    .filter(Boolean)
    .map((segment) => decodeURIComponent(segment))
    .join("/");
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port ? Number(url.port) : 21,
    user: user || "anonymous",
    password: user ? decodeURIComponent(url.password) : "anonymous@",
    anonymous: !user || user === "anonymous" || user === "ftp",
    path: path ? `/${path}` : "",
  };
}

/** Where links in a listing of `target` point: ftp://[user@]host[:port], never with the password. */
export function ftpLinkBase(target: FtpTarget): string {
  const host = target.host.includes(":") ? `[${target.host}]` : target.host;
  const user = target.anonymous ? "" : `${encodeURIComponent(target.user)}@`;
  return `ftp://${user}${host}${target.port === 21 ? "" : `:${target.port}`}`;
}
