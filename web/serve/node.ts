import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FetchHandler, ListenOptions, RunningWebServer } from "./types.ts";

export async function serveOnNode(fetch: FetchHandler, options: ListenOptions): Promise<RunningWebServer> {
  // Loaded only here: Bun and Deno serve with their own servers and never need it.
  const { serve } = await import("@hono/node-server");
  const server = serve({
    hostname: options.host,
    port: options.port,
    fetch: (request, env) => fetch(request, { remoteAddress: env.incoming.socket.remoteAddress }),
  }) as Server;
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve();
    server.once("listening", resolve);
    server.once("error", reject);
  });
  server.on("error", () => {});
  return {
    host: options.host,
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Live pages hold their connections open; close() alone would wait for them forever.
      server.closeAllConnections();
      await closed;
    },
  };
}
