import { Code } from "./codes.ts";
import { randomBytes } from "node:crypto";
import type net from "node:net";
import type tls from "node:tls";
import type { Account } from "./auth/types.ts";
import type { PermissionTable } from "./auth/permissions.ts";
import { LineFramer, parseCommand } from "./control/framer.ts";
import type { PassiveListener, PassivePort } from "./data/passive.ts";
import type { SessionInfo, TransferDirection } from "./hooks/types.ts";
import { encodeReply, reply, type Reply } from "./reply.ts";
import type { HashAlgorithm } from "./storage/checksum.ts";
import type { Storage } from "./storage/types.ts";
import type { ServerContext } from "./server-context.ts";
import { dispatch, isAllowedDuringTransfer } from "./commands/dispatch.ts";
import { sessionContext, tlsServerSocket } from "./tls/session-tls.ts";

/** A transfer that runs while the control connection stays responsive (ABOR, STAT, NOOP). */
export interface RunningTransfer {
  direction: TransferDirection | "list";
  path: string;
  offset: number;
  /** Bytes moved so far, updated as data flows. */
  bytes: number;
  /** Expected size for downloads, when known. */
  size: number | null;
  startedAt: number;
  /** When `bytes` last moved, as seen by the server's sweep (the data timeout). */
  progressAt: number;
  progressBytes: number;
  abort: AbortController;
  done: Promise<void>;
}

export type DataTarget = { kind: "passive"; listener: PassiveListener } | { kind: "active"; host: string; port: number };

/** Stands in the command queue for a line that was too long, so its 500 comes in its turn. */
const OVERLONG = Symbol("overlong line");

/**
 * What is known of a connection before it is a session: what the onConnect guards are shown.
 * The id is 12 hex digits, unique enough to tell sessions apart in logs.
 */
export function connectionInfo(socket: net.Socket): SessionInfo {
  return {
    id: randomBytes(6).toString("hex"),
    remoteAddress: socket.remoteAddress ?? "",
    remotePort: socket.remotePort ?? 0,
    localAddress: socket.localAddress ?? "",
    localPort: socket.localPort ?? 0,
    user: null,
    anonymous: false,
    secure: false,
    connectedAt: new Date(),
  };
}

/** Everything one control connection knows. */
export class Session {
  readonly id: string;
  readonly connectedAt: Date;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;

  // Login state
  pendingUser: string | null = null;
  account: Account | null = null;
  storage: Storage | null = null;
  permissions: PermissionTable | null = null;
  loginFailures = 0;

  // Protocol state
  cwd = "/";
  type: "A" | "I" = "A";
  restOffset = 0;
  renameFrom: string | null = null;
  data: DataTarget | null = null;
  /** The passive port this session listens on, kept from one PASV/EPSV to the next for a while. */
  passivePort: PassivePort | null = null;
  epsvAll = false;
  utf8 = true;
  mlstFacts = new Set(["type", "size", "modify", "perm", "unique"]);
  /** What HASH computes (OPTS HASH). */
  hashAlgorithm: HashAlgorithm = "SHA-256";
  clientName: string | null = null;
  /** The control connection is TLS (AUTH TLS done, or implicit FTPS). */
  secure = false;
  /** RFC 4217 §8-9: PBSZ seen, and the data channel protection level. */
  pbsz = false;
  prot: "C" | "P" = "C";
  /**
   * The context the control connection's TLS came from, this session's own (sessionContext):
   * data connections use it too, so they can resume its session, and only its session.
   */
  tlsContext: tls.SecureContext | null = null;

  transfer: RunningTransfer | null = null;
  currentCommand: string | null = null;
  lastActivity = Date.now();
  closed = false;

  private framer = new LineFramer(2048);
  private queue: (string | typeof OVERLONG)[] = [];
  private processing = false;

  constructor(
    readonly server: ServerContext,
    public socket: net.Socket,
    /** What the onConnect guards were shown, when they ran before the session existed. */
    admitted: SessionInfo = connectionInfo(socket),
  ) {
    this.id = admitted.id;
    this.connectedAt = admitted.connectedAt;
    this.remoteAddress = admitted.remoteAddress;
    this.remotePort = admitted.remotePort;
    this.localAddress = admitted.localAddress;
    this.localPort = admitted.localPort;
  }

  get loggedIn(): boolean {
    return this.account !== null;
  }

  info(): SessionInfo {
    return {
      id: this.id,
      remoteAddress: this.remoteAddress,
      remotePort: this.remotePort,
      localAddress: this.localAddress,
      localPort: this.localPort,
      user: this.account?.name ?? null,
      anonymous: this.account?.anonymous ?? false,
      secure: this.secure,
      connectedAt: this.connectedAt,
    };
  }

  /** Greets the client, after the onConnect guards when `guard` (else they ran already), and starts reading commands. */
  async start(guard: boolean): Promise<void> {
    this.socket.setNoDelay(true);
    this.watch(this.socket);
    if (guard) {
      const denial = await this.server.host.guard("onConnect", { session: this.info() });
      if (this.closed) return;
      if (denial) {
        this.send({ code: denial.code, lines: [denial.text], close: true });
        return;
      }
    }
    // A banner from a YAML block scalar ends in a newline, and may use CRLF: neither is a line.
    this.send(reply(Code.ServiceReady, ...this.server.options.banner.trimEnd().split(/\r\n|\r|\n/)));
    this.socket.on("data", this.onData);
    this.socket.on("drain", this.throttle);
  }

  private readonly onData = (chunk: Buffer) => this.receive(chunk);

  private watch(socket: net.Socket): void {
    socket.on("error", () => {});
    socket.on("close", () => this.end("client closed the connection"));
  }

  /**
   * Implicit FTPS: the connection was TLS from its first byte. Data is protected by default,
   * as clients of implicit FTPS expect. `context` is the server's; the session gets its own copy.
   */
  startedSecure(context: tls.SecureContext): void {
    this.tlsContext = sessionContext(context);
    this.socket = tlsServerSocket(this.socket, this.tlsContext, "control");
    this.secure = true;
    this.pbsz = true;
    this.prot = "P";
  }

  /**
   * AUTH TLS (RFC 4217 §4): answers 234 in the clear, then the same TCP connection becomes a TLS
   * server socket. Anything the client pipelined after AUTH in the clear is thrown away, so no
   * plaintext command can ride into the protected session (the STARTTLS injection problem).
   */
  upgradeToTls(context: tls.SecureContext): void {
    const own = sessionContext(context);
    const raw = this.socket;
    raw.off("data", this.onData);
    raw.write(encodeReply(reply(Code.SecurityExchangeDone, "AUTH TLS successful; start the TLS handshake.")));
    this.queue = [];
    this.framer = new LineFramer(2048);
    const secured = tlsServerSocket(raw, own, "control");
    this.socket = secured;
    this.tlsContext = own;
    this.watch(secured);
    secured.once("secure", () => {
      this.secure = true;
    });
    secured.on("data", this.onData);
    secured.on("drain", this.throttle);
  }

  private receive(chunk: Buffer): void {
    for (const framed of this.framer.push(chunk)) {
      // Only whole commands count as activity: bytes that never end a line keep no session alive.
      if (framed.kind === "overlong") {
        this.lastActivity = Date.now();
        this.queue.push(OVERLONG);
        continue;
      }
      const line = framed.text;
      if (line.trim() === "") continue;
      this.lastActivity = Date.now();
      // ABOR, NOOP and a bare STAT are answered while a transfer runs; everything else waits its turn.
      const { verb, arg } = parseCommand(line);
      if (this.transfer && isAllowedDuringTransfer(verb) && !(verb === "STAT" && arg.trim())) {
        void this.run(line);
        continue;
      }
      this.queue.push(line);
    }
    this.throttle();
    void this.drain();
  }

  /**
   * Back-pressure: stop reading while commands pile up (a transfer holds the queue) or while the
   * client does not read our replies, so neither can grow without bound in memory.
   */
  private readonly throttle = (): void => {
    if (this.queue.length > 64 || this.socket.writableNeedDrain) this.socket.pause();
    else if (this.queue.length <= 16) this.socket.resume();
  };

  private async drain(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length && !this.closed) {
        if (this.transfer) {
          await this.transfer.done;
          continue;
        }
        if (this.socket.writableNeedDrain) {
          await this.flushed();
          continue;
        }
        const line = this.queue.shift()!;
        if (line === OVERLONG) this.send(reply(Code.SyntaxError, "Command line too long."));
        else await this.run(line);
        this.throttle();
      }
    } finally {
      this.processing = false;
    }
  }

  /** Resolves once the client has read what we wrote, or is gone. */
  private flushed(): Promise<void> {
    const socket = this.socket;
    return new Promise((resolve) => {
      const done = () => {
        socket.off("drain", done);
        socket.off("close", done);
        resolve();
      };
      socket.on("drain", done);
      socket.on("close", done);
      if (socket.destroyed) done();
    });
  }

  private async run(line: string): Promise<void> {
    const { verb, arg } = parseCommand(line);
    // ABOR, STAT and NOOP answered during a transfer leave the transfer's command showing.
    const duringTransfer = this.transfer !== null;
    if (!duringTransfer) this.currentCommand = verb === "PASS" ? "PASS ***" : line;
    try {
      const r = await dispatch(this, verb, arg);
      if (r) this.send(r);
    } catch (err) {
      // A crashing handler costs this command a 451, never the server.
      this.server.log.error("command failed", { session: this.id, verb, error: err instanceof Error ? err.stack : String(err) });
      this.send(reply(Code.LocalError, "Requested action aborted: local error in processing."));
    } finally {
      // A command that started a transfer stays current until the transfer ends (startTransfer).
      if (!duringTransfer && !this.transfer) this.currentCommand = null;
    }
  }

  send(r: Reply): void {
    if (this.closed) return;
    this.socket.write(encodeReply(r));
    if (r.close) {
      this.socket.end();
      this.end(`closed after ${r.code}`);
    }
  }

  /** Drops the pending PASV/PORT offer. */
  clearData(): void {
    if (this.data?.kind === "passive") this.data.listener.close();
    this.data = null;
  }

  /** Tears the session down once; the server is told so it can free limits and tell plugins. */
  end(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.transfer?.abort.abort();
    this.clearData();
    this.passivePort?.close();
    if (!this.socket.destroyed) {
      this.socket.end();
      this.server.linger(this.socket);
    }
    this.server.sessionEnded(this, reason);
  }

  /** Resets to the state right after the greeting (REIN, RFC 959 §4.1.1). */
  logout(): void {
    this.pendingUser = null;
    this.account = null;
    this.storage = null;
    this.permissions = null;
    this.cwd = "/";
    this.type = "A";
    this.restOffset = 0;
    this.renameFrom = null;
    this.clearData();
  }

  /** Whether this session's login must be (or have been) over TLS. */
  tlsRequiredFor(account: Account | undefined): boolean {
    if (!account) return this.server.options.tls.require;
    return account.requireTls === true || (this.server.options.tls.require && !account.anonymous);
  }
}
