import { mkdtemp } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Hono } from "hono";
import * as v from "valibot";
import type { FtpServer, Plugin, PluginContext, ServerView, StateStore } from "../../core/index.ts";
import type { Account } from "../../core/auth/types.ts";
import type { ServerOptions } from "../../core/config/types.ts";
import { escapeHtml, eventStreamResponse } from "../../core/hooks/context.ts";
import { builtinPlugins } from "../../plugins/index.ts";
import { startServer, type TestServer } from "../support/server.ts";

/**
 * The routes the server's plugins gave ctx.web, each mounted under /plugins/<name> as the status
 * app does, without its login in front.
 */
export function pluginRoutes(server: FtpServer): Hono {
  const app = new Hono();
  for (const { plugin, mount } of server.host.webMounts) {
    const panel = new Hono();
    mount(panel);
    app.route(`/plugins/${plugin}`, panel);
  }
  return app;
}

/** A new empty data folder, for servers that must share one across a restart. */
export const tempDataDir = () => mkdtemp(path.join(os.tmpdir(), "ftpi-plugin-data-"));

/** A real server (alice/secret) loading built-in plugins by name, as ftpi.yaml would, and plugin objects (`plugins`) as code hands them over. */
export function startWithBuiltins(
  builtins: { name: string; options?: unknown }[],
  opts: { options?: Partial<ServerOptions>; accounts?: (root: string) => Promise<Account[]> | Account[]; plugins?: Plugin[] } = {},
): Promise<TestServer> {
  return startServer({
    options: { ...opts.options, plugins: builtins.map((p) => ({ name: p.name, path: null, options: p.options ?? {} })) },
    extras: { builtinPlugins, plugins: opts.plugins ?? [] },
    ...(opts.accounts ? { accounts: opts.accounts } : {}),
  });
}

/** An in-memory state store per key, shared by the contexts that get the same `states` map. */
export function memoryStates(): Map<string, unknown> {
  return new Map();
}

/**
 * A PluginContext with no server behind it, for unit tests that call a plugin's hooks directly.
 * Options go through the plugin's own schema, so defaults apply as at startup.
 */
export function fakeContext<O>(
  plugin: Plugin<O>,
  options: unknown = {},
  opts: { states?: Map<string, unknown>; server?: Partial<ServerView> } = {},
): { ctx: PluginContext<O>; exposed: () => unknown; closeTasks: (() => unknown)[]; mounts: ((app: Hono) => void)[] } {
  const schema = typeof plugin.options === "function" ? plugin.options(v) : plugin.options;
  const validated = schema ? v.parse(schema, options) : (options as O);
  const states = opts.states ?? new Map<string, unknown>();
  let api: unknown;
  const closeTasks: (() => unknown)[] = [];
  const mounts: ((app: Hono) => void)[] = [];
  const quiet = () => {};
  const ctx: PluginContext<O> = {
    name: plugin.name,
    options: validated,
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    v,
    state<T>(key = "state"): StateStore<T> {
      return {
        load: async () => structuredClone(states.get(key)) as T | undefined,
        save: async (value) => void states.set(key, structuredClone(value)),
      };
    },
    files: () => null,
    site: quiet,
    web: (mount) => void mounts.push(mount),
    sse: (_c, run) => eventStreamResponse(new AbortController().signal, run, (err) => { throw err; }),
    escapeHtml,
    every: quiet,
    onClose: (task) => void closeTasks.push(task),
    expose: (x) => void (api = x),
    use: () => undefined,
    server: { sessions: () => [], transfers: () => [], setPassiveAddress: quiet, ...opts.server },
  };
  return { ctx, exposed: () => api, closeTasks, mounts };
}

/** A session as hooks see it, from `remoteAddress`. */
export function fakeSession(remoteAddress: string, user: string | null = null) {
  return {
    id: `fake-${remoteAddress}`,
    remoteAddress,
    remotePort: 40000,
    localAddress: "127.0.0.1",
    localPort: 21,
    user,
    anonymous: false,
    secure: false,
    connectedAt: new Date(),
  };
}

/** Opens a data connection from `localAddress` (the server wants it from the control peer's address). */
export function connectDataFrom(host: string, port: number, localAddress?: string): Promise<net.Socket> {
  const s = net.connect({ host, port, ...(localAddress ? { localAddress } : {}) });
  return new Promise((resolve, reject) => {
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}
