import path from "node:path";
import * as v from "valibot";
import type { ConfigProblem } from "../config/problems.ts";
import type { Logger } from "../log/logger.ts";
import type { PluginHost } from "./host.ts";
import { jsonStateStore } from "./state.ts";
import type { EventStream, PluginContext, ReadOnlyFiles, ServerSentEvent, ServerView } from "./types.ts";

export interface ContextDeps {
  host: PluginHost;
  log: Logger;
  dataDir: string;
  files(account: string): ReadOnlyFiles | null;
  server: ServerView;
  /** Collects setup-time problems (duplicate SITE verbs, ...). */
  problems: ConfigProblem[];
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** `& < > " '` as entities: safe inside an element and a quoted attribute. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/** One event in the text/event-stream format; a multi-line `data` becomes several data: lines. */
export function formatEvent(e: ServerSentEvent): string {
  const field = (name: string, value: string) => `${name}: ${value.replace(/[\r\n]/g, "")}\n`;
  let text = "";
  if (e.event !== undefined) text += field("event", e.event);
  if (e.id !== undefined) text += field("id", e.id);
  if (e.retry !== undefined) text += `retry: ${Math.max(0, Math.floor(e.retry))}\n`;
  for (const line of String(e.data).split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return `${text}\n`;
}

/** Resolves after `ms`, or at once when `signal` aborts (already aborted: at once). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * A text/event-stream response fed by `run`, on Web Streams only (the same on Node, Bun and Deno).
 * Writes wait for the reader (a slow browser holds `run`, not memory); the stream's signal aborts
 * when the runtime cancels the body (the browser went; all three do) or `closing` aborts. The
 * request's own signal is left alone: Deno aborts it on every finished response, and says so.
 */
export function eventStreamResponse(closing: AbortSignal, run: (stream: EventStream) => unknown, onError: (err: unknown) => void): Response {
  const stop = new AbortController();
  const abort = () => stop.abort();
  const encoder = new TextEncoder();
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  writer.closed.catch(abort);
  closing.addEventListener("abort", abort, { once: true });
  const stream: EventStream = {
    signal: stop.signal,
    async send(event) {
      if (stop.signal.aborted) return;
      try {
        await writer.write(encoder.encode(formatEvent(event)));
      } catch {
        abort();
      }
    },
    sleep: (ms) => sleep(ms, stop.signal),
  };
  void (async () => {
    try {
      await run(stream);
    } catch (err) {
      onError(err);
    } finally {
      closing.removeEventListener("abort", abort);
      abort();
      await writer.close().catch(() => {});
    }
  })();
  return new Response(readable, { headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", "X-Accel-Buffering": "no" } });
}

/** The `ctx` a plugin's setup() receives; everything it registers is owned by the host. */
export function makePluginContext<O>(name: string, options: O, deps: ContextDeps): PluginContext<O> {
  const { host } = deps;
  const log = deps.log.child({ plugin: name });
  // Ends the plugin's event streams when the server closes (made on the first stream).
  let closing: AbortController | null = null;
  const closingSignal = () => {
    if (!closing) {
      const controller = (closing = new AbortController());
      host.onClose(name, () => controller.abort());
    }
    return closing.signal;
  };
  return {
    name,
    options,
    log,
    v,
    state<T>(key = "state") {
      if (!/^[a-z0-9_-]+$/i.test(key)) throw new Error(`state key "${key}" must be letters, digits, - or _`);
      return jsonStateStore<T>(path.join(deps.dataDir, "plugins", name, `${key}.json`));
    },
    files: deps.files,
    site(verb, help, handler) {
      const upper = verb.toUpperCase();
      if (!/^[A-Z][A-Z0-9]{0,15}$/.test(upper) || upper === "HELP") {
        deps.problems.push({ path: `plugins.${name}`, message: `SITE verb "${verb}" is not allowed` });
        return;
      }
      const taken = host.siteCommands.get(upper);
      if (taken) {
        deps.problems.push({ path: `plugins.${name}`, message: `SITE ${upper} is already added by plugin "${taken.plugin}"` });
        return;
      }
      host.siteCommands.set(upper, { plugin: name, verb: upper, help, handler });
    },
    web(mount) {
      host.webMounts.push({ plugin: name, mount });
    },
    sse(_c, run) {
      return eventStreamResponse(closingSignal(), run, (err) => host.fault(name, "web", err));
    },
    escapeHtml,
    every(ms, task) {
      host.every(name, ms, task);
    },
    onClose(task) {
      host.onClose(name, task);
    },
    expose(api) {
      host.apis.set(name, api);
    },
    use<T>(plugin: string) {
      return host.apis.get(plugin) as T | undefined;
    },
    server: deps.server,
  };
}
