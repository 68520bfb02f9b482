import type { FetchHandler, ListenOptions, RunningWebServer } from "./types.ts";

// The few parts of Deno.serve used here, typed locally: this repo does not load Deno's types.
interface DenoServer {
  readonly addr: { hostname: string; port: number };
  readonly finished: Promise<void>;
  shutdown(): Promise<void>;
}
interface DenoRuntime {
  serve(
    options: { hostname: string; port: number; signal?: AbortSignal; onListen?: (addr: unknown) => void },
    handler: (request: Request, info: { remoteAddr: { hostname: string } }) => Response | Promise<Response>,
  ): DenoServer;
}

export function serveOnDeno(fetch: FetchHandler, options: ListenOptions): RunningWebServer {
  const deno = (globalThis as unknown as { Deno: DenoRuntime }).Deno;
  const stop = new AbortController();
  const server = deno.serve(
    // onListen: Deno would print "Listening on ..." itself; the startup block says it.
    { hostname: options.host, port: options.port, signal: stop.signal, onListen: () => {} },
    (request, info) => fetch(request, { remoteAddress: info.remoteAddr.hostname }),
  );
  return {
    host: options.host,
    port: server.addr.port,
    async close() {
      stop.abort();
      await server.finished;
    },
  };
}
