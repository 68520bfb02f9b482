import type { FetchHandler, ListenOptions, RunningWebServer } from "./types.ts";

// The few parts of Bun.serve used here, typed locally: bun-types would retype Node's globals.
interface BunServer {
  readonly port: number;
  requestIP(request: Request): { address: string } | null;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}
interface BunRuntime {
  serve(options: {
    hostname: string;
    port: number;
    idleTimeout?: number;
    fetch(request: Request, server: BunServer): Response | Promise<Response>;
  }): BunServer;
}

export function serveOnBun(fetch: FetchHandler, options: ListenOptions): RunningWebServer {
  const bun = (globalThis as unknown as { Bun: BunRuntime }).Bun;
  const server = bun.serve({
    hostname: options.host,
    port: options.port,
    // Seconds; live pages send at least a keepalive every 15 s.
    idleTimeout: 60,
    fetch: (request, srv) => fetch(request, { remoteAddress: srv.requestIP(request)?.address }),
  });
  return {
    host: options.host,
    port: server.port,
    async close() {
      await server.stop(true);
    },
  };
}
