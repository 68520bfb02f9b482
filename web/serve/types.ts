import type { WebBindings } from "../context.ts";

/** What every runtime adapter serves: a fetch handler that also takes the client's address. */
export type FetchHandler = (request: Request, bindings: WebBindings) => Response | Promise<Response>;

export interface ListenOptions {
  host: string;
  /** 0 lets the OS choose. */
  port: number;
}

export interface RunningWebServer {
  host: string;
  /** The real port (when 0 was asked for). */
  port: number;
  /** Stops listening and drops open connections (live pages reconnect elsewhere or give up). */
  close(): Promise<void>;
}
