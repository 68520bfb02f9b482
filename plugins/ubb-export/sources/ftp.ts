import { Client, FileType, FTPError, type FileInfo } from "basic-ftp";
import { joinPath } from "../crawl.ts";
import type { ListingSource, SourceEntry } from "../tree.ts";
import type { FtpTarget } from "./ftp-url.ts";
import { parseListDate } from "./list-dates.ts";

export interface FtpSourceOptions {
  /** Connections opened at most (they are opened as listings need them); default 2. */
  connections?: number;
  /** Explicit FTPS (AUTH TLS), RFC 4217. */
  secure?: boolean;
  /** Accept a certificate that cannot be verified (self-signed, as most home servers have). */
  insecure?: boolean;
  timeoutMs?: number;
  /** Something worth telling the user that is not an error (e.g. fewer connections allowed). */
  onNotice?: (message: string) => void;
}

/** An open remote server to list from; close() when done. */
export interface FtpSource {
  source: ListingSource;
  /** The absolute folder `target.path` names (the login folder joined with it). */
  rootPath: string;
  close(): void;
}

/**
 * Connects to any FTP server and lists folders with basic-ftp: MLSD when FEAT offers it,
 * otherwise LIST, whose Unix and DOS formats basic-ftp parses. Up to `connections` run at once;
 * a connection that breaks is replaced once, a refusal (550) is the folder's error. When the
 * server refuses more connections (a per-address limit), the crawl goes on with those it has.
 * Folders are told apart by the MLSD/MLST "unique" fact where offered, else by the path PWD
 * shows after CWD, so a link back up the tree is not crawled round and round.
 *
 * @throws the login or connection error of the first connection
 * @example
 * const remote = await openFtpSource(parseFtpUrl("ftp://nas.local/music"), { connections: 4 });
 * try { tree = await crawlTree(remote.source, remote.rootPath, { concurrency: 4 }); } finally { remote.close(); }
 */
export async function openFtpSource(target: FtpTarget, options: FtpSourceOptions = {}): Promise<FtpSource> {
  const pool = new ConnectionPool(() => connect(target, options), Math.max(1, options.connections ?? 2), options.onNotice);
  const first = await pool.acquire();
  let rootPath: string;
  try {
    const home = await first.pwd();
    rootPath = target.path === "" ? home : target.path.startsWith("/") && home === "/" ? target.path : joinPath(home, target.path.slice(1));
  } finally {
    pool.release(first, false);
  }
  // Whether MLST answers with the "unique" fact (RFC 3659 §7.5.2), asked once.
  let mlstUnique: Promise<boolean> | null = null;
  const withClient = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      const client = await pool.acquire();
      let broken = false;
      try {
        return await work(client);
      } catch (err) {
        // A reply (550, 450) is the folder's answer; anything else broke the connection.
        broken = !(err instanceof FTPError);
        if (!broken || attempt > 0) throw err;
      } finally {
        pool.release(client, broken);
      }
    }
  };
  const source: ListingSource = {
    list: (path) =>
      withClient(async (client) => {
        await client.cd(path);
        return toEntries(client, path, await client.list());
      }),
    // The "unique" fact of MLST when the server gives one (what MLSD entries carry too), else the
    // path the server resolves the folder to (CWD then PWD): servers that show real paths in PWD
    // reveal a link back up the tree that way.
    folderId: (path) =>
      withClient(async (client) => {
        mlstUnique ??= client.features().then(
          (features) => /(^|;)unique\*?;/i.test(features.get("MLST") ?? ""),
          () => false,
        );
        if (await mlstUnique) {
          const reply = await client.send(`MLST ${path}`).catch((err: unknown) => {
            if (err instanceof FTPError) return null;
            throw err;
          });
          const unique = reply ? /(?:^|;)unique=([^;\s]+);/im.exec(reply.message)?.[1] : undefined;
          if (unique) return `unique:${unique}`;
        }
        await client.cd(path);
        return `path:${await client.pwd()}`;
      }),
  };
  return { source, rootPath, close: () => pool.close() };
}

async function connect(target: FtpTarget, options: FtpSourceOptions): Promise<Client> {
  // Home servers behind NAT often announce a wrong PASV address: use the one we reached.
  const client = new Client(options.timeoutMs ?? 30_000, { allowSeparateTransferHost: false });
  try {
    await client.access({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      secure: options.secure ?? false,
      secureOptions: options.insecure ? { rejectUnauthorized: false } : {},
    });
    return client;
  } catch (err) {
    client.close();
    throw err;
  }
}

async function toEntries(client: Client, folder: string, infos: FileInfo[]): Promise<SourceEntry[]> {
  const entries: SourceEntry[] = [];
  for (const info of infos) {
    const modified = info.modifiedAt ?? (info.rawModifiedAt ? parseListDate(info.rawModifiedAt) : null);
    if (info.type === FileType.Directory) entries.push({ name: info.name, type: "dir", size: 0, modified, ...(info.uniqueID ? { id: `unique:${info.uniqueID}` } : {}) });
    else if (info.type === FileType.File) entries.push({ name: info.name, type: "file", size: info.size, modified });
    else if (info.type === FileType.SymbolicLink) {
      // LIST shows a link, not what it points to: SIZE answers for a file and refuses a folder.
      try {
        entries.push({ name: info.name, type: "file", size: await client.size(joinPath(folder, info.name)), modified });
      } catch (err) {
        if (!(err instanceof FTPError)) throw err;
        entries.push({ name: info.name, type: "dir", size: 0, modified });
      }
    }
  }
  return entries;
}

/** Up to `max` logged-in clients, opened on demand and handed out one listing at a time. */
class ConnectionPool {
  private readonly idle: Client[] = [];
  private readonly waiting: ((client: Client | null) => void)[] = [];
  private open = 0;
  private closed = false;

  constructor(
    private readonly connect: () => Promise<Client>,
    private max: number,
    private readonly onNotice?: (message: string) => void,
  ) {}

  async acquire(): Promise<Client> {
    for (;;) {
      if (this.closed) throw new Error("connection pool closed");
      const idle = this.idle.pop();
      if (idle) return idle;
      if (this.open < this.max) {
        this.open++;
        try {
          return await this.connect();
        } catch (err) {
          this.open--;
          if (this.open === 0) throw err;
          // Others work: the server limits connections per client. Go on with what we have.
          this.max = this.open;
          this.onNotice?.(`the server refused another connection (${err instanceof Error ? err.message.split("\n")[0] : String(err)}); going on with ${this.max}`);
        }
      }
      const handed = await new Promise<Client | null>((resolve) => this.waiting.push(resolve));
      if (handed) return handed;
    }
  }

  /** Gives a client back; a broken one is closed, and the next waiter may open a new one. */
  release(client: Client, broken: boolean): void {
    if (broken || this.closed) {
      client.close();
      this.open--;
      this.waiting.shift()?.(null);
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter) waiter(client);
    else this.idle.push(client);
  }

  close(): void {
    this.closed = true;
    for (const client of this.idle.splice(0)) client.close();
    for (const waiter of this.waiting.splice(0)) waiter(null);
  }
}
