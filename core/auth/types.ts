/**
 * The G6 / Serv-U style rights a rule grants on a folder: read (RETR), write (STOR of a new
 * file), append (APPE, REST+STOR), delete (DELE; also needed to overwrite), rename (RNFR/RNTO),
 * list (LIST, NLST, MLSD), mkdir (MKD), rmdir (RMD).
 *
 * @example
 * const uploadOnly: Permission[] = ["write", "list"];
 */
export type Permission = "read" | "write" | "append" | "delete" | "rename" | "list" | "mkdir" | "rmdir";

export const ALL_PERMISSIONS: readonly Permission[] = [
  "read",
  "write",
  "append",
  "delete",
  "rename",
  "list",
  "mkdir",
  "rmdir",
];

/**
 * Rights on the virtual folder `path`; with `subdirs`, also on every folder below it. The most
 * specific rule for a folder wins, so a drop box can sit inside a read-only share.
 *
 * @example
 * const rules: PermissionRule[] = [
 *   { path: "/", allow: ["read", "list"], subdirs: true },
 *   { path: "/incoming", allow: ["write", "list", "mkdir"], subdirs: true },
 * ];
 */
export interface PermissionRule {
  path: string;
  allow: Permission[];
  subdirs: boolean;
}

/**
 * Who may connect (server-wide) or log in (per account), by address. A denied address is
 * refused even when it is also allowed; an empty allow list allows everyone not denied.
 *
 * @example
 * const lanOnly: AddressFilter = { allow: ["192.168.1.0/24", "fd00::/8"], deny: ["192.168.1.66"] };
 */
export interface AddressFilter {
  /** Addresses and CIDR ranges (IPv4 and IPv6). Empty = everyone allowed unless denied. */
  allow: string[];
  deny: string[];
}

/**
 * A login as the server knows it after config resolution (groups already applied). Plugins see
 * it in onLogin guards; embedders pass accounts to createServer().
 *
 * @example
 * const alice: Account = {
 *   name: "alice",
 *   passwordHash: await hashPassword("wonderland"),
 *   anonymous: false,
 *   enabled: true,
 *   home: "/srv/ftp/alice",
 *   permissions: [{ path: "/", allow: ["read", "write", "append", "delete", "rename", "list", "mkdir", "rmdir"], subdirs: true }],
 *   fxp: false,
 *   maxSessions: 0,
 *   ipFilter: { allow: [], deny: [] },
 * };
 */
export interface Account {
  name: string;
  /** scrypt hash from hashPassword(); null for the anonymous account (any password). */
  passwordHash: string | null;
  anonymous: boolean;
  enabled: boolean;
  /** Real folder on disk that is "/" for this user. */
  home: string;
  permissions: PermissionRule[];
  /** Allows PORT/EPRT to an address other than the control peer (server-to-server transfers). */
  fxp: boolean;
  /** Max simultaneous sessions of this account (0 = unlimited). */
  maxSessions: number;
  ipFilter: AddressFilter;
  /** This login must come over TLS (AUTH TLS or implicit), with PROT P for data. */
  requireTls?: boolean;
  /** Bytes/s for all of this account's uploads together, every session sharing them (0 or absent = unlimited). */
  maxUploadRate?: number;
  /** Bytes/s for all of this account's downloads together (0 or absent = unlimited). */
  maxDownloadRate?: number;
  /** Limits on what the home may hold, checked on upload (absent = none). */
  quota?: Quota;
}

/** What a home may hold; 0 = no limit. Folders do not count as files. */
export interface Quota {
  maxBytes: number;
  maxFiles: number;
}
