import { Code } from "../codes.ts";
import type { Logger } from "../log/logger.ts";
import type {
  Denial,
  GuardHooks,
  ListenerHooks,
  Plugin,
  SiteAnswer,
  SiteHandler,
  SiteRequest,
} from "./types.ts";

type GuardName = keyof GuardHooks;
type ListenerName = keyof ListenerHooks;
type EventOf<H extends keyof (GuardHooks & ListenerHooks)> = Parameters<NonNullable<(GuardHooks & ListenerHooks)[H]>>[0];

/**
 * A SITE verb a plugin added with `ctx.site`, as the host keeps it.
 *
 * @example
 * const uptime: SiteCommand = { plugin: "greeter", verb: "UPTIME", help: "how long the server has run", handler: () => "up" };
 */
export interface SiteCommand {
  plugin: string;
  verb: string;
  help: string;
  handler: SiteHandler;
}

/** What a call into a plugin ran out of: its time budget. */
export class PluginTimeout extends Error {
  constructor(readonly budgetMs: number) {
    super(`timed out after ${budgetMs} ms`);
    this.name = "PluginTimeout";
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (typeof x === "object" || typeof x === "function") && x !== null && typeof (x as PromiseLike<unknown>).then === "function";
}

/**
 * Calls into plugins. Every call has a try/catch and errors are attributed as `[plugin:hook]`: a
 * plugin that throws or hangs never takes the server down. A call that returns a promise has a
 * time budget (`budgetMs`); a synchronous return costs no timer. Guards and SITE handlers are
 * awaited up to the budget, listeners never (the budget only counts and logs a hung one). The
 * server owns one; plugins never see it (they get a PluginContext).
 *
 * @example
 * const host = new PluginHost(logger);
 * host.setPlugins([autoban, greeter]);
 * const denial = await host.guard("onConnect", { session });
 * host.notify("onDisconnect", { session, reason: "QUIT" });
 * await host.close();
 */
export class PluginHost {
  private plugins: Plugin[] = [];
  readonly siteCommands = new Map<string, SiteCommand>();
  readonly webMounts: { plugin: string; mount: (app: any) => void }[] = [];
  readonly apis = new Map<string, unknown>();
  /** Errors per plugin, for /metrics. */
  readonly errorCounts = new Map<string, number>();
  private readonly timers = new Set<ReturnType<typeof setInterval>>();
  private readonly closeTasks: { plugin: string; task: () => unknown }[] = [];

  constructor(
    private readonly log: Logger,
    /** The time budget of each call into a plugin that returns a promise, in ms. */
    public budgetMs = 2000,
  ) {}

  /**
   * `value` when it is not a promise; else the promise raced against the time budget, rejecting
   * with PluginTimeout when it does not settle in time. The timer starts only for a promise and
   * is cleared as soon as it settles. `budgetMs` overrides the budget (e.g. a longer one for setup).
   * The timer does not keep the process alive unless `keepAlive` (startup waits on setup, and a
   * hung setup with nothing else pending must still end in its timeout, not in an exit).
   */
  within<T>(value: T | PromiseLike<T>, budgetMs = this.budgetMs, keepAlive = false): T | Promise<T> {
    if (!isThenable(value)) return value;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new PluginTimeout(budgetMs)), budgetMs);
      if (!keepAlive) (timer as { unref?: () => void }).unref?.();
      value.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (err) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** Plugins in call order: pre, normal, post; load order within each. */
  setPlugins(plugins: Plugin[]): void {
    const rank = (p: Plugin) => (p.order === "pre" ? 0 : p.order === "post" ? 2 : 1);
    this.plugins = plugins.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map((x) => x.p);
  }

  list(): readonly Plugin[] {
    return this.plugins;
  }

  /** Runs the guards of one hook in order; the first denial wins. */
  async guard<H extends GuardName>(hook: H, event: EventOf<H>): Promise<Denial | undefined> {
    for (const plugin of this.plugins) {
      const fn = plugin[hook] as ((e: unknown) => unknown) | undefined;
      if (!fn) continue;
      let result: unknown;
      try {
        result = fn.call(plugin, event);
        if (isThenable(result)) result = await this.within(result);
      } catch (err) {
        this.fault(plugin.name, hook, err);
        if (plugin.failClosed) return { code: Code.LocalError, text: "Request refused: a server extension failed." };
        continue;
      }
      if (isDenial(result)) return result;
    }
    return undefined;
  }

  /**
   * Tells the listeners of one hook, after the reply is written: fire and forget, never awaited
   * by the session nor by other listeners. A listener's promise that does not settle within the
   * budget is counted and logged as a fault (it is not cut off; nothing waits for it anyway).
   */
  notify<H extends ListenerName>(hook: H, event: EventOf<H>): void {
    for (const plugin of this.plugins) {
      const fn = plugin[hook] as ((e: unknown) => unknown) | undefined;
      if (!fn) continue;
      setImmediate(() => {
        try {
          const r = fn.call(plugin, event);
          if (isThenable(r)) (this.within(r) as Promise<unknown>).catch((err) => this.fault(plugin.name, hook, err));
        } catch (err) {
          this.fault(plugin.name, hook, err);
        }
      });
    }
  }

  /**
   * Runs a SITE handler within the time budget. Throws what the handler threw, or PluginTimeout;
   * the caller answers 451 and logs the fault, and the session goes on (a hung handler is left
   * behind, its eventual answer dropped).
   */
  async site(command: SiteCommand, request: SiteRequest): Promise<SiteAnswer> {
    return this.within(command.handler(request));
  }

  /** A timer for `plugin` (ctx.every): errors are attributed, and close() stops it. */
  every(plugin: string, ms: number, task: () => unknown): void {
    const timer = setInterval(async () => {
      try {
        await task();
      } catch (err) {
        this.fault(plugin, "every", err);
      }
    }, ms);
    timer.unref?.();
    this.timers.add(timer);
  }

  /** A task for `plugin` to run once at close() (ctx.onClose). */
  onClose(plugin: string, task: () => unknown): void {
    this.closeTasks.push({ plugin, task });
  }

  /** Counts and logs a plugin's error as `[plugin:hook] message`. */
  fault(plugin: string, hook: string, err: unknown): void {
    this.errorCounts.set(plugin, (this.errorCounts.get(plugin) ?? 0) + 1);
    const message = err instanceof Error ? err.message : String(err);
    this.log.error(`[${plugin}:${hook}] ${message}`);
  }

  /**
   * Stops the plugins' timers, then runs their close tasks one after another, each within the time
   * budget. Listeners already queued (the last onDisconnect, onTransferEnd) run first.
   */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
    const tasks = this.closeTasks.splice(0);
    if (!tasks.length) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (const { plugin, task } of tasks) {
      try {
        await this.within(task());
      } catch (err) {
        this.fault(plugin, "onClose", err);
      }
    }
  }
}

/**
 * Whether a guard's return value refuses.
 *
 * @example
 * isDenial(deny(530, "No.")) // true
 * isDenial(undefined)        // false
 */
export function isDenial(x: unknown): x is Denial {
  return typeof x === "object" && x !== null && typeof (x as Denial).code === "number" && typeof (x as Denial).text === "string";
}

/**
 * Refuse what a guard was asked about: the core answers `code text`, and with `close: true` ends
 * the connection after the reply (an onConnect denial always does). Use a code the command may
 * return (RFC 959 §4.2): 530 for logins, 550/553 for files, 502/504 for commands, 421 with
 * `close: true` to hang up.
 *
 * @example
 * onLogin: ({ user }) => (user === "root" ? deny(530, "Not here.") : undefined)
 * @example
 * onConnect: () => deny(421, "Closed for maintenance.", { close: true })
 */
export function deny(code: number, text: string, options: { close?: boolean } = {}): Denial {
  return { code, text, ...options };
}

/**
 * Identity function that types a plugin: hooks get their event types, and `ctx.options` the
 * output type of the `options` schema.
 *
 * @example
 * export default definePlugin({ name: "hello", onConnect: () => deny(421, "Closed today.") })
 * @example
 * export default definePlugin({
 *   name: "greeter",
 *   options: (v) => v.object({ greeting: v.optional(v.string(), "Hello") }),
 *   setup(ctx) {
 *     ctx.site("HELLO", "says hello", () => ctx.options.greeting); // ctx.options: { greeting: string }
 *   },
 * })
 */
export function definePlugin<Options = unknown>(plugin: Plugin<Options>): Plugin<Options> {
  return plugin;
}
