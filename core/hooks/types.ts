import type { Context, Hono } from "hono";
import type { GenericSchema } from "valibot";
import type { Entry } from "../storage/types.ts";

/**
 * What a plugin may know about a session. A snapshot: read it, do not keep it.
 *
 * @example
 * onConnect({ session }) {
 *   ctx.log.info("hello", { ip: session.remoteAddress, port: session.remotePort });
 * }
 */
export interface SessionInfo {
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** The logged-in account name, or null before login. */
  readonly user: string | null;
  readonly anonymous: boolean;
  readonly secure: boolean;
  readonly connectedAt: Date;
}

/**
 * A guard's answer that refuses: the core sends `code text` (and closes the connection when asked).
 * Build one with {@link deny}.
 *
 * @example
 * const closed: Denial = { code: 421, text: "Closed for maintenance.", close: true };
 */
export interface Denial {
  code: number;
  text: string;
  close?: boolean;
}

/**
 * What a guard returns: a {@link Denial} to refuse, nothing to let the next guard (and then the
 * core) go on.
 *
 * @example
 * onCommand({ verb }): GuardResult {
 *   if (verb === "DELE") return deny(550, "Nothing is deleted here.");
 * }
 */
export type GuardResult = Denial | void | undefined;
type MaybePromise<T> = T | Promise<T>;

/**
 * Which way a file moves: "download" (RETR, server to client) or "upload" (STOR, APPE, STOU).
 *
 * @example
 * onTransfer({ direction }) { if (direction === "upload") return deny(550, "Read-only today."); }
 */
export type TransferDirection = "download" | "upload";

/**
 * How a transfer ended: "ok" (226), "aborted" (ABOR or the client went away) or "error".
 *
 * @example
 * onTransferEnd({ outcome, path }) { if (outcome !== "ok") ctx.log.warn("incomplete", { path }); }
 */
export type TransferOutcome = "ok" | "aborted" | "error";

/**
 * A new control connection, before the 220 greeting.
 *
 * @example
 * onConnect(e: ConnectEvent) { if (e.session.remoteAddress === "203.0.113.9") return deny(421, "No.", { close: true }); }
 */
export interface ConnectEvent {
  session: SessionInfo;
}

/**
 * A PASS for the user given with USER, before the password is checked.
 *
 * @example
 * onLogin(e: LoginEvent) { if (e.user === "root") return deny(530, "Not here."); }
 */
export interface LoginEvent {
  session: SessionInfo;
  /** The name the client sent with USER. Passwords are never given to plugins. */
  user: string;
}

/**
 * How a login ended. Failed status-page admin logins arrive here too, as user "admin(web)" with
 * reason "web" (session.id "web").
 *
 * @example
 * onLoginResult(e: LoginResultEvent) { if (!e.ok) failures.add(e.session.remoteAddress, e.reason); }
 */
export interface LoginResultEvent extends LoginEvent {
  ok: boolean;
  /** Why a login failed: bad-password, unknown-user, disabled, address, limit, denied, web. */
  reason?: string;
}

/**
 * A command line, after parsing and before dispatch.
 *
 * @example
 * onCommand(e: CommandEvent) { if (e.verb === "SITE" && e.arg.startsWith("CHMOD")) return deny(502, "No CHMOD."); }
 */
export interface CommandEvent {
  session: SessionInfo;
  verb: string;
  /** The argument; PASS arguments arrive as "***". */
  arg: string;
}

/**
 * A file transfer about to start (after permissions are checked, before 150).
 *
 * @example
 * onTransfer(e: TransferEvent) { if (e.path.endsWith(".exe")) return deny(553, "No executables."); }
 */
export interface TransferEvent {
  session: SessionInfo;
  direction: TransferDirection;
  /** Virtual path, as the user sees it. */
  path: string;
  offset: number;
}

/**
 * A finished file transfer: bytes moved (not counting the REST offset), time taken, outcome.
 *
 * @example
 * onTransferEnd(e: TransferEndEvent) { total[e.direction] += e.bytes; }
 */
export interface TransferEndEvent extends TransferEvent {
  bytes: number;
  ms: number;
  outcome: TransferOutcome;
}

/**
 * A change to the file tree other than an upload.
 *
 * @example
 * onFileEvent(e: FileEvent) { if (e.action === "deleted") ctx.log.info("deleted", { path: e.path, by: e.session.user }); }
 */
export interface FileEvent {
  session: SessionInfo;
  action: "deleted" | "mkdir" | "rmdir" | "renamed";
  path: string;
  /** The old path, for renamed. */
  from?: string;
}

/**
 * A control connection closed, for whatever reason (QUIT, timeout, the client went away).
 *
 * @example
 * onDisconnect(e: DisconnectEvent) { ctx.log.debug("bye", { session: e.session.id, reason: e.reason }); }
 */
export interface DisconnectEvent {
  session: SessionInfo;
  reason: string;
}

/**
 * Hooks that may answer (deny) — they run in order, the first denial wins.
 *
 * @example
 * const guards: GuardHooks = {
 *   onLogin: ({ user }) => (user === "root" ? deny(530, "Not here.") : undefined),
 * };
 */
export interface GuardHooks {
  onConnect?(e: ConnectEvent): MaybePromise<GuardResult>;
  onLogin?(e: LoginEvent): MaybePromise<GuardResult>;
  onCommand?(e: CommandEvent): MaybePromise<GuardResult>;
  onTransfer?(e: TransferEvent): MaybePromise<GuardResult>;
}

/**
 * Hooks told after the fact; they never delay the client.
 *
 * @example
 * const listeners: ListenerHooks = {
 *   onTransferEnd: ({ session, bytes }) => console.log(`${session.user} moved ${bytes} bytes`),
 * };
 */
export interface ListenerHooks {
  onLoginResult?(e: LoginResultEvent): MaybePromise<void>;
  onTransferEnd?(e: TransferEndEvent): MaybePromise<void>;
  onFileEvent?(e: FileEvent): MaybePromise<void>;
  onDisconnect?(e: DisconnectEvent): MaybePromise<void>;
}

/**
 * The name of any hook; the list is closed, and an unknown `on…` key refuses the plugin at startup.
 *
 * @example
 * const hook: HookName = "onTransferEnd";
 */
export type HookName = keyof GuardHooks | keyof ListenerHooks;

/**
 * The guard hooks, in the order a session meets them.
 *
 * @example
 * GUARD_HOOKS.includes("onLogin") // true
 */
export const GUARD_HOOKS = ["onConnect", "onLogin", "onCommand", "onTransfer"] as const;

/**
 * The listener hooks.
 *
 * @example
 * LISTENER_HOOKS.includes("onDisconnect") // true
 */
export const LISTENER_HOOKS = ["onLoginResult", "onTransferEnd", "onFileEvent", "onDisconnect"] as const;

/**
 * The answer of a SITE command handler: one line (sent as 200), several lines (a multi-line 200),
 * or a full reply with its own code.
 *
 * @example
 * ctx.site("PING", "answers pong", () => "pong");                       // 200 pong
 * ctx.site("TWO", "two lines", () => ["first", "second"]);             // 200-first / 200 second
 * ctx.site("NOPE", "always fails", () => ({ code: 550, lines: ["No."] }));
 */
export type SiteAnswer = string | string[] | { code: number; lines: string[] };

/**
 * What a SITE command handler is asked.
 *
 * @example
 * ctx.site("WHERE", "shows the current folder", (req: SiteRequest) => `${req.session.user} is in ${req.cwd}`);
 */
export interface SiteRequest {
  session: SessionInfo;
  /** Everything after "SITE VERB ". */
  arg: string;
  /** Read-only view of this session user's files (virtual paths), null before login. */
  files: ReadOnlyFiles | null;
  /** The session's current folder (virtual). */
  cwd: string;
}

/**
 * A SITE command handler; errors it throws become a 451 for that command only.
 *
 * @example
 * const size: SiteHandler = async ({ files, arg }) => `${(await files!.stat(arg)).size} bytes`;
 * ctx.site("BYTES", "size of a file", size);
 */
export type SiteHandler = (req: SiteRequest) => MaybePromise<SiteAnswer>;

/**
 * Read-only storage seen through virtual paths.
 *
 * @example
 * const files = ctx.files("anonymous");
 * const names = (await files?.list("/"))?.map((e) => e.name);
 */
export interface ReadOnlyFiles {
  stat(path: string): Promise<Entry>;
  list(path: string): Promise<Entry[]>;
}

/**
 * The plugin's logger: lines carry `plugin=<name>`. Never log a password.
 *
 * @example
 * ctx.log.warn("too many failures", { ip: "203.0.113.9", failures: 5 });
 */
export interface PluginLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * A JSON document kept across restarts, written atomically under the data folder
 * (`<dataDir>/plugins/<name>/<key>.json`). Saves are serialised: the last one wins.
 *
 * @example
 * const store: StateStore<{ visits: number }> = ctx.state("counter");
 * const saved = (await store.load()) ?? { visits: 0 };
 * await store.save({ visits: saved.visits + 1 });
 */
export interface StateStore<T> {
  load(): Promise<T | undefined>;
  save(value: T): Promise<void>;
}

/**
 * valibot, as the host hands it over (`ctx.v`, and the argument of `options: (v) => …`).
 *
 * @example
 * const schema = (v: Valibot) => v.object({ greeting: v.optional(v.string(), "Hello") });
 */
export type Valibot = typeof import("valibot");

/**
 * A plugin's options schema: a valibot schema, or a function that builds one from the valibot the
 * host passes in (the only way for a plugin file that may not import packages). The output type
 * of the schema is the type of `ctx.options`.
 *
 * @example
 * const options: OptionsSchema<{ limit: number }> = (v) => v.object({ limit: v.optional(v.number(), 10) });
 */
export type OptionsSchema<Options> = GenericSchema<unknown, Options> | ((v: Valibot) => GenericSchema<unknown, Options>);

/**
 * What `setup` receives. Everything registered through it (SITE verbs, routes, timers, close
 * tasks) belongs to the host, which undoes it when the server closes.
 *
 * @example
 * setup(ctx: PluginContext<{ greeting: string }>) {
 *   ctx.site("HELLO", "says hello", ({ session }) => `${ctx.options.greeting}, ${session.user}`);
 *   ctx.every(60_000, () => ctx.log.debug("still here"));
 * }
 */
export interface PluginContext<Options = unknown> {
  /** The plugin's name, as in its definition. */
  name: string;
  /** The options from the config, validated by the plugin's schema (its defaults applied). */
  options: Options;
  log: PluginLogger;
  /**
   * valibot, handed over so that plugins loaded at run time need no npm imports.
   * @example
   * const body = ctx.v.parse(ctx.v.object({ n: ctx.v.number() }), await c.req.json());
   */
  v: Valibot;
  /**
   * A persistent JSON store; `key` (letters, digits, - and _; default "state") names the file.
   * @example
   * const bans = ctx.state<string[]>("bans");
   * await bans.save([...(await bans.load() ?? []), "203.0.113.9"]);
   */
  state<T>(key?: string): StateStore<T>;
  /**
   * Read-only files of an account's home ("anonymous" for the public share); null for no such account.
   * @example
   * const readme = await ctx.files("anonymous")?.stat("/README.txt");
   */
  files(account: string): ReadOnlyFiles | null;
  /**
   * Adds `SITE <verb>`; verbs are unique across plugins (a clash refuses startup).
   * @example
   * ctx.site("UPTIME", "how long the server has run", () => `up ${Math.round(process.uptime())} s`);
   */
  site(verb: string, help: string, handler: SiteHandler): void;
  /**
   * Mounts routes under /plugins/<name> on the status page: `mount` receives a Hono app whose
   * paths are relative to that prefix. The status app puts them behind its admin login; a GET of
   * "/" makes the plugin's panel, linked from the status page's menu.
   * @example
   * ctx.web((app) => {
   *   app.get("/", (c) => c.html("<h1>Hello</h1>"));          // GET /plugins/<name>/
   *   app.get("/api/count", (c) => c.json({ count: 1 }));     // GET /plugins/<name>/api/count
   * });
   */
  web(mount: (app: Hono) => void): void;
  /**
   * Answers a request of one of your routes with a stream of Server-Sent Events (what a browser's
   * `EventSource` reads), for panels that update live. `run` writes events with `stream.send`;
   * the stream ends when `run` returns. `stream.signal` aborts when the browser goes away or the
   * server closes: loop until then, waiting with `stream.sleep(ms)`. An error `run` throws is
   * logged as `[<plugin>:web]` and ends the stream.
   * @example
   * ctx.web((app) => {
   *   app.get("/live", (c) =>
   *     ctx.sse(c, async (stream) => {
   *       await stream.send({ event: "hello", data: "", retry: 3000 }); // reconnect after 3 s
   *       while (!stream.signal.aborted) {
   *         await stream.send({ event: "count", data: JSON.stringify({ sessions: ctx.server.sessions().length }) });
   *         await stream.sleep(1000);
   *       }
   *     }),
   *   );
   * });
   * // in the panel's script: new EventSource("/plugins/<name>/live").addEventListener("count", (e) => …)
   */
  sse(c: Context, run: (stream: EventStream) => unknown): Response;
  /**
   * Escapes `& < > " '` so that text (a user name, a file name, a client's input) can go into HTML
   * you build as a string, inside an element or a quoted attribute.
   * @example
   * app.get("/", (c) => c.html(`<p>Last login: ${ctx.escapeHtml(lastUser)}</p>`));
   */
  escapeHtml(text: string): string;
  /**
   * Runs `task` every `ms` until the server closes; errors are logged, not thrown. The timer
   * never keeps the process alive.
   * @example
   * ctx.every(60_000, () => store.save(snapshot()));
   */
  every(ms: number, task: () => unknown): void;
  /**
   * Runs `task` once when the server closes, after the sessions have ended (awaited, within the
   * host's time budget): the place to save state that is otherwise saved now and then.
   * @example
   * ctx.onClose(() => store.save(snapshot()));
   */
  onClose(task: () => unknown): void;
  /**
   * Publishes an API for other plugins (and the status app); they get it with use(name).
   * @example
   * ctx.expose({ isBanned: (ip: string) => bans.has(ip) });
   */
  expose(api: unknown): void;
  /**
   * The API another plugin exposed, or undefined when that plugin is not loaded. Plugins set up in
   * load order, so call it when you need the API (in a hook or a route), not once in setup.
   * @example
   * const autoban = ctx.use<{ isBanned(ip: string): boolean }>("autoban");
   * if (autoban?.isBanned(ip)) return;
   */
  use<T = unknown>(plugin: string): T | undefined;
  /** Live view of the server (sessions, passive address), for status panels. */
  server: ServerView;
}

/**
 * One Server-Sent Event: `data` (several lines allowed), an optional `event` name (what the
 * browser's `addEventListener` listens for; "message" when absent), an `id`, and `retry`, the
 * milliseconds the browser waits before reconnecting after the stream drops.
 *
 * @example
 * const event: ServerSentEvent = { event: "rates", data: JSON.stringify({ in: 1024, out: 0 }) };
 */
export interface ServerSentEvent {
  data: string;
  event?: string;
  id?: string;
  retry?: number;
}

/**
 * The stream `ctx.sse` hands to its `run` function.
 *
 * @example
 * ctx.sse(c, async (stream: EventStream) => {
 *   while (!stream.signal.aborted) {
 *     await stream.send({ event: "tick", data: new Date().toISOString() });
 *     await stream.sleep(5000);
 *   }
 * });
 */
export interface EventStream {
  /** Writes one event; waits while the browser is slow to read. Does nothing once the stream has ended. */
  send(event: ServerSentEvent): Promise<void>;
  /** Aborted when the browser goes away, the server closes, or `run` returned. */
  readonly signal: AbortSignal;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number): Promise<void>;
}

/**
 * A transfer in progress, for live rates and progress bars.
 *
 * @example
 * const rate = (t: LiveTransfer) => t.bytes / Math.max(0.001, (Date.now() - t.startedAt.getTime()) / 1000);
 */
export interface LiveTransfer {
  session: SessionInfo;
  direction: TransferDirection;
  path: string;
  /** Bytes moved so far. */
  bytes: number;
  /** Size of the file for downloads, when known. */
  size: number | null;
  startedAt: Date;
}

/**
 * The live server, as a plugin sees it (`ctx.server`).
 *
 * @example
 * ctx.site("WHO", "who is connected", () => ctx.server.sessions().map((s) => `${s.user ?? "-"} ${s.remoteAddress}`));
 */
export interface ServerView {
  /** The sessions open now. */
  sessions(): SessionInfo[];
  /** Transfers running now (listings excluded). */
  transfers(): LiveTransfer[];
  /**
   * Sets the address given in PASV replies (what ddns feeds); a function may pick per client.
   * @example
   * ctx.server.setPassiveAddress((client) => (client.startsWith("192.168.") ? null : currentPublicIp));
   */
  setPassiveAddress(resolver: ((clientAddress: string) => string | null | Promise<string | null>) | null): void;
}

/**
 * A plugin: a plain object with a name, optional options schema and hooks. Write it with
 * {@link definePlugin} (built-ins) or `satisfies Plugin<Options>` (a file that may only
 * `import type`), so that hooks and `ctx` are typed.
 *
 * @example
 * import type { Plugin } from "ftpi";
 * export default {
 *   name: "no-root",
 *   onLogin: ({ user }) => (user === "root" ? { code: 530, text: "Not here." } : undefined),
 * } satisfies Plugin;
 */
export interface Plugin<Options = unknown> extends GuardHooks, ListenerHooks {
  /** Lower-case letters, digits and dashes; names the config entry, state folder and routes. */
  name: string;
  /**
   * A valibot schema, or a function that builds one from the valibot the host passes in. The config
   * entry's `options:` are validated against it at startup, with every problem listed at once.
   * @example
   * options: (v) => v.object({ greeting: v.optional(v.string(), "Hello") }),
   */
  options?: OptionsSchema<Options>;
  /** pre: before normal plugins; post: after. */
  order?: "pre" | "post";
  /** When a guard of this plugin throws or times out, deny (451) instead of letting the next run. */
  failClosed?: boolean;
  /** Names of plugins that must be loaded too. */
  dependsOn?: string[];
  /** Called once at startup, in load order, before the server listens. */
  setup?(ctx: PluginContext<Options>): void | Promise<void>;
}
