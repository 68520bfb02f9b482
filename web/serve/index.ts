import type { FetchHandler, ListenOptions, RunningWebServer } from "./types.ts";

export type { FetchHandler, ListenOptions, RunningWebServer } from "./types.ts";

/**
 * Serves `fetch` with the runtime's own HTTP server: Bun.serve on Bun, Deno.serve on Deno,
 * @hono/node-server on Node. Only the adapter for this runtime is loaded.
 */
export async function serveWeb(fetch: FetchHandler, options: ListenOptions): Promise<RunningWebServer> {
  const runtime = globalThis as { Bun?: unknown; Deno?: unknown };
  if (runtime.Bun !== undefined) return (await import("./bun.ts")).serveOnBun(fetch, options);
  if (runtime.Deno !== undefined) return (await import("./deno.ts")).serveOnDeno(fetch, options);
  return (await import("./node.ts")).serveOnNode(fetch, options);
}
