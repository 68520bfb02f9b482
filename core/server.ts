import { Code } from "./codes.ts";
import dns from "node:dns/promises";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import { AddressMatcher, isPrivateAddress } from "./auth/address-filter.ts";
import { PermissionTable } from "./auth/permissions.ts";
import { VerifiedLogins } from "./auth/verified-logins.ts";
import type { Account } from "./auth/types.ts";
import { ConfigError, type ConfigProblem } from "./config/problems.ts";
import type { ServerOptions } from "./config/types.ts";
import { plainAddress } from "./data/address.ts";
import { PassivePortPool } from "./data/passive.ts";
import { makePluginContext } from "./hooks/context.ts";
import { PluginHost, PluginTimeout } from "./hooks/host.ts";
import { loadPlugins, validateOptions } from "./hooks/load.ts";
import type { LiveTransfer, Plugin, ReadOnlyFiles, ServerView, SessionInfo } from "./hooks/types.ts";
import { createLogger, type Logger } from "./log/logger.ts";
import { formatXferlogLine, XferLog } from "./log/xferlog.ts";
import { encodeReply, reply } from "./reply.ts";
import type { FinishedTransfer, ServerContext, ServerStats } from "./server-context.ts";
import { connectionInfo, Session } from "./session.ts";
import { collectWhenIdle } from "./data/garbage.ts";
import { TlsCredentials } from "./tls/credentials.ts";
import { TransferRates } from "./data/throttle.ts";
import { HomeUsage } from "./storage/quota.ts";
import { LocalStorage } from "./storage/local.ts";
import type { Storage } from "./storage/types.ts";

/**
 * What createServer() takes besides the options: things only code can hand over.
 *
 * @example
 * const server = await createServer(options, {
 *   builtinPlugins: { autoban },              // names `plugins:` entries may use
 *   plugins: [definePlugin({ name: "audit", onFileEvent: (e) => console.log(e) })],
 *   storageFor: () => new MemoryStorage(),  // every account served from memory
 * });
 */
export interface ServerExtras {
  logger?: Logger;
  /** Built-in plugins by name; the CLI passes the registry in plugins/, tests their own. */
  builtinPlugins?: Record<string, Plugin>;
  /** Plugin objects to use as they are (tests, embedding), after the configured ones. */
  plugins?: Plugin[];
  /** Storage per account; default: LocalStorage on the account's home. */
  storageFor?: (account: Account) => Storage;
  /** How long each plugin's setup() may take, in ms; default SETUP_BUDGET_MS. */
  setupBudgetMs?: number;
}

/** How long a plugin's setup() may take before startup gives up on it. */
export const SETUP_BUDGET_MS = 10_000;

const RECENT_TRANSFERS = 100;
/** How long without transfers before the memory of a busy spell is collected. */
const QUIET_COLLECT_MS = 5000;
/** How long an ended connection may stay open for the client to read our last reply. */
const LINGER_MS = 2000;
const SWEEP_MS = 1000;

type PassiveResolver = (clientAddress: string) => string | null | Promise<string | null>;

/**
 * An FTP server: listening sockets, the session registry and its limits, and the plugin host.
 * Made by createServer(), which also loads and sets up the plugins.
 *
 * @example
 * const server = await createServer(options);
 * await server.listen();
 * console.log(server.addresses());
 * process.on("SIGTERM", () => void server.close(30_000));
 */
export class FtpServer implements ServerContext {
  readonly log: Logger;
  readonly host: PluginHost;
  readonly pool: PassivePortPool;
  readonly verifiedLogins = new VerifiedLogins();
  readonly stats: ServerStats = { connections: 0, loginsOk: 0, loginsFailed: 0, bytesIn: 0, bytesOut: 0, transfers: { ok: 0, aborted: 0, error: 0 } };
  xferlog: XferLog | null = null;
  /** The FTPS certificate in use; replaced when SIGHUP names other files (reloadTls). */
  tls: TlsCredentials | null;
  readonly startedAt = new Date();
  readonly recentTransfers: FinishedTransfer[] = [];
  readonly sessions = new Set<Session>();
  readonly rates = new TransferRates(() => this.options.limits);
  readonly quotas = new HomeUsage();

  private readonly listeners: net.Server[] = [];
  private readonly perAddress = new Map<string, number>();
  private readonly accounts = new Map<string, Account>();
  private readonly storages = new Map<string, Storage>();
  private readonly permissionTables = new Map<string, PermissionTable>();
  private filter: AddressMatcher;
  private sweeper: ReturnType<typeof setInterval> | null = null;
  private passiveResolver: PassiveResolver | null = null;
  private closing = false;
  /** Connections whose onConnect guards are still deciding: they count toward maxClients. */
  private pendingConnects = 0;
  /** Since when no transfer has run (null while one runs): see collectWhenIdle(). */
  private quietSince: number | null = null;
  /** Ended sockets the sweep destroys if their peer keeps them open (see linger()). */
  private readonly lingering = new Map<net.Socket, number>();

  constructor(
    public options: ServerOptions,
    private readonly extras: ServerExtras = {},
  ) {
    this.log = extras.logger ?? createLogger({ format: options.log.format, level: options.log.level });
    this.host = new PluginHost(this.log);
    this.pool = new PassivePortPool(options.passivePorts.min, options.passivePorts.max);
    this.filter = new AddressMatcher(options.ipFilter);
    const { enabled, certFile, keyFile } = options.tls;
    // Enabled without files is refused by listen(): quietly serving without FTPS would be worse.
    this.tls = enabled && certFile && keyFile ? new TlsCredentials(certFile, keyFile) : null;
    for (const a of options.accounts) {
      this.accounts.set(a.name, a);
      if (a.anonymous) this.accounts.set("ftp", a);
    }
  }

  /**
   * Loads and sets up the plugins; throws ConfigError listing every problem. Plugins that loaded
   * cleanly are set up even when others did not, so that their own problems (a SITE verb taken
   * twice, a setup that throws or hangs) join the same list; then, if there is any problem,
   * whatever the setups opened is closed again.
   */
  async init(): Promise<void> {
    const { loaded, problems } = await loadPlugins(this.options.plugins, this.extras.builtinPlugins ?? {});
    // Plugins handed over in code get their options' defaults and checks like configured ones.
    const given = (this.extras.plugins ?? []).map((plugin) => {
      const before = problems.length;
      const options = validateOptions(plugin, {}, { path: `plugins.${plugin.name}` }, problems);
      return { plugin, options, at: {} as Pick<ConfigProblem, "file" | "line" | "col">, clean: problems.length === before };
    });
    const all = [...loaded, ...given].filter((a) => a.clean);
    const budgetMs = this.extras.setupBudgetMs ?? SETUP_BUDGET_MS;
    const setupProblems: ConfigProblem[] = [];
    this.host.setPlugins(all.map((a) => a.plugin));
    for (const { plugin, options, at } of all) {
      if (!plugin.setup) continue;
      const first = setupProblems.length;
      const ctx = makePluginContext(plugin.name, options, {
        host: this.host,
        log: this.log,
        dataDir: this.options.dataDir,
        files: (name) => this.filesOf(name),
        server: this.view(),
        problems: setupProblems,
      });
      try {
        // A setup that overruns is left running; the problem stops the server starting.
        await this.host.within(plugin.setup(ctx), budgetMs, true);
      } catch (err) {
        const message = err instanceof PluginTimeout ? `setup did not finish within ${budgetMs / 1000} s` : `setup failed: ${err instanceof Error ? err.message : String(err)}`;
        setupProblems.push({ path: `plugins.${plugin.name}`, message });
      }
      // Point this plugin's setup problems at where it was named.
      for (const problem of setupProblems.slice(first)) {
        if (problem.file === undefined && at.file !== undefined) Object.assign(problem, { file: at.file, line: at.line, col: at.col });
      }
    }
    if (problems.length || setupProblems.length) {
      await this.host.close();
      throw new ConfigError([...problems, ...setupProblems]);
    }
  }

  private view(): ServerView {
    return {
      sessions: () => [...this.sessions].map((s) => s.info()),
      transfers: () => this.liveTransfers(),
      setPassiveAddress: (resolver) => {
        this.passiveResolver = resolver;
      },
    };
  }

  private filesOf(name: string): ReadOnlyFiles | null {
    const account = this.findAccount(name);
    if (!account) return null;
    const storage = this.storageFor(account);
    return { stat: (p) => storage.stat(p), list: (p) => storage.list(p) };
  }

  /**
   * Opens the listeners. Throws a ConfigError when TLS is enabled without certFile and keyFile:
   * the core makes no certificate (the CLI makes a self-signed pair before it gets here).
   */
  async listen(): Promise<void> {
    if (this.options.tls.enabled && !this.tls) {
      throw new ConfigError([
        {
          path: "tls",
          message: "tls.enabled is true but tls.certFile and tls.keyFile are not both set: give the certificate files, or set tls.enabled: false (ftpi serve makes a self-signed pair itself)",
        },
      ]);
    }
    await mkdir(this.options.dataDir, { recursive: true });
    const xferlog = this.options.log.xferlog;
    if (xferlog) this.xferlog = new XferLog(xferlog, (err) => this.log.error(`xferlog ${xferlog}: ${err.message}`));
    if (this.tls) await this.tls.load();
    const implicit = this.tls ? this.options.tls.implicit : [];
    for (const { host, port, secure } of [...this.options.listen.map((a) => ({ ...a, secure: false })), ...implicit.map((a) => ({ ...a, secure: true }))]) {
      const server = net.createServer({ pauseOnConnect: false }, (socket) => this.accept(socket, secure));
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host, port, ipv6Only: net.isIPv6(host) }, () => {
          server.off("error", reject);
          resolve();
        });
      });
      server.on("error", (err) => this.log.error(`listener ${host}:${port}: ${err.message}`));
      this.listeners.push(server);
    }
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref?.();
  }

  /**
   * Re-reads the TLS certificate and key (SIGHUP), from the files the options name now: reload()
   * may have given new paths. New connections get the new pair; sessions keep the one they
   * started with. A pair that does not load is reported and the old one (and its paths) stays.
   */
  async reloadTls(): Promise<void> {
    const current = this.tls;
    if (!current) return;
    const { certFile, keyFile } = this.options.tls;
    const moved = certFile !== null && keyFile !== null && (certFile !== current.certFile || keyFile !== current.keyFile);
    const next = moved ? new TlsCredentials(certFile, keyFile) : current;
    try {
      await next.load();
      this.tls = next;
      this.log.info("TLS certificate reloaded", { cert: next.certFile, ...(moved ? { key: next.keyFile } : {}) });
    } catch (err) {
      this.options = { ...this.options, tls: { ...this.options.tls, certFile: current.certFile, keyFile: current.keyFile } };
      this.log.error(`TLS reload failed, keeping the old certificate: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Where the server listens (the real ports, when 0 was asked for). */
  addresses(): { host: string; port: number }[] {
    return this.listeners.map((l) => {
      const a = l.address() as net.AddressInfo;
      return { host: a.address, port: a.port };
    });
  }

  private accept(socket: net.Socket, implicitTls: boolean): void {
    const ip = plainAddress(socket.remoteAddress ?? "");
    socket.on("error", () => {});
    this.stats.connections++;
    const refuse = (text: string, code: number = Code.ServiceNotAvailable) => {
      socket.end(encodeReply(reply(code, text)));
      this.linger(socket);
    };
    if (this.closing) return refuse("Server shutting down.");
    if (!this.filter.allows(ip)) {
      this.log.warn("connection refused by address filter", { ip });
      return refuse("Service not available for your address.");
    }
    const { maxClients, maxSessionsPerIp } = this.options.limits;
    if (maxClients > 0 && this.sessions.size + this.pendingConnects >= maxClients) return refuse("Too many users connected; try again later.");
    const fromHere = this.perAddress.get(ip) ?? 0;
    if (maxSessionsPerIp > 0 && fromHere >= maxSessionsPerIp) return refuse("Too many connections from your address.");
    this.perAddress.set(ip, fromHere + 1);
    if (implicitTls) return this.open(new Session(this, socket), ip, true);
    // The onConnect guards (autoban's ban list) run before a session exists: a refused
    // connection costs no session object and no timer, only its 421.
    const info = connectionInfo(socket);
    this.pendingConnects++;
    void this.host.guard("onConnect", { session: info }).then((denial) => {
      this.pendingConnects--;
      if (denial || socket.destroyed) {
        this.releaseAddress(ip);
        if (denial) refuse(denial.text, denial.code);
        else socket.destroy();
        this.host.notify("onDisconnect", { session: info, reason: denial ? `refused with ${denial.code}` : "client closed the connection" });
        return;
      }
      this.open(new Session(this, socket, info), ip, false);
    });
  }

  /** A session whose connection passed the checks: registered, then greeted. */
  private open(session: Session, ip: string, implicitTls: boolean): void {
    if (implicitTls) session.startedSecure(this.tls!.context);
    this.sessions.add(session);
    if (this.options.log.events.includes("connect")) this.log.info("connect", { session: session.id, ip });
    // Implicit FTPS: the guards run inside the TLS session, so a refusal reaches the client.
    void session.start(implicitTls);
  }

  private releaseAddress(ip: string): void {
    const n = (this.perAddress.get(ip) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(ip);
    else this.perAddress.set(ip, n);
  }

  /**
   * A socket we ended: destroyed by the sweep once LINGER_MS passed, should the peer keep its
   * side open. Closing at once could reset the connection before the client read our last reply.
   */
  linger(socket: net.Socket): void {
    if (socket.destroyed || this.lingering.has(socket)) return;
    this.lingering.set(socket, Date.now());
    socket.once("close", () => this.lingering.delete(socket));
  }

  /** One timer for all sessions: login timeout and idle timeout (421, then close). */
  private sweep(): void {
    const now = Date.now();
    for (const [socket, since] of this.lingering) {
      if (now - since < LINGER_MS) break; // in insertion order: the rest are younger
      this.lingering.delete(socket);
      socket.destroy();
    }
    this.pool.sweep(now);
    const { loginTimeoutMs, idleTimeoutMs, dataTimeoutMs } = this.options.limits;
    let transferring = false;
    for (const s of this.sessions) {
      const t = s.transfer;
      if (t) {
        transferring = true;
        // A transfer is never idle, but one that moves no byte for dataTimeout is stalled.
        if (t.bytes !== t.progressBytes) {
          t.progressBytes = t.bytes;
          t.progressAt = now;
        } else if (dataTimeoutMs > 0 && now - t.progressAt > dataTimeoutMs && !t.abort.signal.aborted) {
          this.log.warn("transfer stalled; aborting it", { session: s.id, ip: s.remoteAddress, path: t.path, bytes: t.bytes });
          t.abort.abort();
        }
        continue;
      }
      if (!s.loggedIn && loginTimeoutMs > 0 && now - s.connectedAt.getTime() > loginTimeoutMs) {
        s.send({ code: Code.ServiceNotAvailable, lines: ["Login timed out; closing control connection."], close: true });
      } else if (idleTimeoutMs > 0 && now - s.lastActivity > idleTimeoutMs) {
        s.send({ code: Code.ServiceNotAvailable, lines: ["Idle timeout; closing control connection."], close: true });
      }
    }
    if (transferring) this.quietSince = null;
    else if (this.quietSince === null) this.quietSince = now;
    else if (now - this.quietSince >= QUIET_COLLECT_MS) collectWhenIdle();
  }

  findAccount(name: string): Account | undefined {
    return this.accounts.get(name);
  }

  storageFor(account: Account): Storage {
    let storage = this.storages.get(account.name);
    if (!storage) {
      // Upload temp files older than this process are a killed server's: listings clear them.
      storage = this.extras.storageFor?.(account) ?? new LocalStorage(account.home, { staleUploadsBefore: this.startedAt, syncUploads: this.options.syncUploads !== false });
      this.storages.set(account.name, storage);
    }
    return storage;
  }

  permissionsFor(account: Account): PermissionTable {
    let table = this.permissionTables.get(account.name);
    if (!table) {
      table = new PermissionTable(account.permissions);
      this.permissionTables.set(account.name, table);
    }
    return table;
  }

  sessionsOf(account: string): number {
    let n = 0;
    for (const s of this.sessions) if (s.account?.name === account) n++;
    return n;
  }

  /**
   * PASV address: a plugin's choice (ddns), else the local address for clients on the LAN or
   * loopback (FileZilla's "don't use the external address for local connections"), else the
   * configured external address — a hostname is resolved now, so a dynamic-DNS name stays
   * current — else the address the client reached us on.
   */
  async passiveAddressFor(s: Session): Promise<string> {
    const local = plainAddress(s.localAddress);
    const client = plainAddress(s.remoteAddress);
    if (this.passiveResolver) {
      try {
        const chosen = await this.passiveResolver(client);
        if (chosen) return chosen;
      } catch (err) {
        this.log.error(`passive address resolver: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const external = this.options.externalAddress;
    if (!external || isPrivateAddress(client)) return local;
    if (net.isIP(external)) return external;
    try {
      return (await dns.lookup(external, { family: 4 })).address;
    } catch (err) {
      this.log.warn(`cannot resolve externalAddress ${external}: ${err instanceof Error ? err.message : String(err)}`);
      return local;
    }
  }

  transferFinished(t: FinishedTransfer): void {
    this.stats.transfers[t.outcome]++;
    if (t.direction === "upload") this.stats.bytesIn += t.bytes;
    else this.stats.bytesOut += t.bytes;
    this.recentTransfers.push(t);
    if (this.recentTransfers.length > RECENT_TRANSFERS) this.recentTransfers.shift();
    const event = t.direction === "upload" ? "upload" : "download";
    if (this.options.log.events.includes(event)) {
      this.log.info(event, { session: t.session, ip: t.remoteAddress, user: t.user, path: t.path, bytes: t.bytes, ms: t.ms, outcome: t.outcome });
    }
    this.xferlog?.write(
      formatXferlogLine({
        time: t.at,
        durationMs: t.ms,
        remoteHost: t.remoteAddress,
        bytes: t.bytes,
        path: t.path,
        type: t.type === "A" ? "ascii" : "binary",
        direction: t.direction === "upload" ? "incoming" : "outgoing",
        anonymous: t.anonymous,
        user: t.user ?? "*",
        completed: t.outcome === "ok",
      }),
    );
  }

  sessionEnded(session: Session, reason: string): void {
    if (!this.sessions.delete(session)) return;
    const ip = plainAddress(session.remoteAddress);
    this.releaseAddress(ip);
    if (this.options.log.events.includes("disconnect")) this.log.info("disconnect", { session: session.id, ip, reason });
    this.host.notify("onDisconnect", { session: session.info(), reason });
  }

  /** Transfers running now, for live rates and progress bars. */
  liveTransfers(): LiveTransfer[] {
    const out: LiveTransfer[] = [];
    for (const s of this.sessions) {
      const t = s.transfer;
      if (!t || t.direction === "list") continue;
      out.push({ session: s.info(), direction: t.direction, path: t.path, bytes: t.bytes, size: t.size, startedAt: new Date(t.startedAt) });
    }
    return out;
  }

  /** Live sessions, for the status page. */
  sessionInfos(): SessionInfo[] {
    return [...this.sessions].map((s) => s.info());
  }

  /**
   * Stops accepting connections, says 421 to every idle session, and lets running transfers
   * finish for up to `graceMs` (SIGTERM); whatever still runs then is cut. With no grace it
   * ends everything at once.
   */
  async close(graceMs = 0): Promise<void> {
    this.closing = true;
    if (this.sweeper) clearInterval(this.sweeper);
    const closed = this.listeners.map((l) => new Promise<void>((r) => l.close(() => r())));
    const goodbye = (s: Session) => s.send({ code: Code.ServiceNotAvailable, lines: ["Server shutting down."], close: true });
    const running: Promise<void>[] = [];
    for (const s of this.sessions) {
      const t = s.transfer;
      if (t && graceMs > 0) running.push(t.done.then(() => goodbye(s)));
      else goodbye(s);
    }
    if (running.length) {
      this.log.info(`waiting up to ${Math.round(graceMs / 1000)} s for ${running.length} transfer(s) to finish`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.all(running), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    for (const s of this.sessions) {
      goodbye(s);
      s.socket.destroy();
    }
    // The sweep no longer runs: what lingers goes now (the listeners' close waits for them).
    for (const socket of this.lingering.keys()) socket.destroy();
    this.lingering.clear();
    this.pool.sweep(Date.now(), true);
    await Promise.all([this.host.close(), ...closed]);
    await this.xferlog?.close();
  }

  /**
   * Applies a new configuration to the running server (SIGHUP): accounts, rights, limits,
   * address filter, banner and log settings take effect without dropping anyone. Live sessions
   * get their account's new rights; sessions of accounts that were removed or disabled are
   * ended. New tls.certFile/keyFile paths are taken up by the next reloadTls(), which SIGHUP
   * runs after this. Listen addresses, passive ports, turning TLS on or off, implicit FTPS
   * listeners, the data folder, plugins and the status page need a restart: a change there is
   * reported (the returned names), not applied.
   */
  reload(next: ServerOptions): string[] {
    const notApplied: string[] = [];
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const keep = ["listen", "passivePorts", "dataDir", "plugins", "web"] as const;
    for (const key of keep) if (!same(this.options[key], next[key])) notApplied.push(key);
    const tls = this.options.tls;
    if (tls.enabled !== next.tls.enabled) notApplied.push("tls.enabled");
    if (!same(tls.implicit, next.tls.implicit)) notApplied.push("tls.implicit");
    // Certificate paths, require and requireSessionReuse apply; files come in with reloadTls().
    const files = next.tls.certFile && next.tls.keyFile ? { certFile: next.tls.certFile, keyFile: next.tls.keyFile } : { certFile: tls.certFile, keyFile: tls.keyFile };
    this.options = { ...next, ...Object.fromEntries(keep.map((k) => [k, this.options[k]])), tls: { ...next.tls, ...files, implicit: tls.implicit, enabled: tls.enabled } };
    this.accounts.clear();
    for (const a of next.accounts) {
      this.accounts.set(a.name, a);
      if (a.anonymous) this.accounts.set("ftp", a);
    }
    this.storages.clear();
    this.permissionTables.clear();
    this.filter = new AddressMatcher(next.ipFilter);
    for (const s of this.sessions) {
      if (!s.account) continue;
      const account = this.findAccount(s.account.name);
      if (!account || !account.enabled) {
        s.send({ code: Code.ServiceNotAvailable, lines: ["Your account was removed or disabled."], close: true });
        continue;
      }
      s.account = account;
      s.storage = this.storageFor(account);
      s.permissions = this.permissionsFor(account);
    }
    this.log.info("configuration reloaded", notApplied.length ? { restartNeededFor: notApplied.join(",") } : {});
    return notApplied;
  }
}

/**
 * Creates a server from resolved options: loads and sets up its plugins (throwing ConfigError
 * with every problem), ready to `listen()`.
 * @example
 * const server = await createServer(options);
 * await server.listen();
 */
export async function createServer(options: ServerOptions, extras: ServerExtras = {}): Promise<FtpServer> {
  const server = new FtpServer(options, extras);
  await server.init();
  return server;
}
