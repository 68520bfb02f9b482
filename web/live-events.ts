import { Hono } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { sleep } from "../core/hooks/context.ts";
import type { Caller, StatusContext, StatusEnv } from "./context.ts";
import { hostOfHeader } from "./ftp-info.ts";
import { isLiveRegion, renderRegion, type LiveRegion, type RegionViewer } from "./live-regions.tsx";

/** A comment line now and then keeps proxies and idle timeouts from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/**
 * GET /events?regions=badge,sessions — Server-Sent Events: one event per live region, named after
 * it, carrying the region's HTML, sent when it differs from the last one sent. The stream ends
 * when the browser goes, the admin session ends, or the server stops.
 */
export function liveEvents(ctx: StatusContext): Hono<StatusEnv> {
  const app = new Hono<StatusEnv>();
  app.get("/events", (c) => {
    const caller = c.get("caller");
    const regions = [...new Set((c.req.query("regions") ?? "").split(",").filter(isLiveRegion))];
    const viewer = { pageHost: hostOfHeader(c.req.header("host")), csrfToken: caller.via === "cookie" ? caller.session.csrfToken : null };
    return streamSSE(c, async (stream) => {
      const stop = new AbortController();
      const serverStops = () => stop.abort();
      stream.onAbort(() => stop.abort());
      ctx.signal.addEventListener("abort", serverStops, { once: true });
      try {
        await streamRegions(ctx, stream, { caller, regions, viewer, stop: stop.signal });
      } finally {
        ctx.signal.removeEventListener("abort", serverStops);
      }
    });
  });
  return app;
}

async function streamRegions(
  ctx: StatusContext,
  stream: SSEStreamingApi,
  opts: { caller: Caller; regions: LiveRegion[]; viewer: RegionViewer; stop: AbortSignal },
): Promise<void> {
  const { caller, stop } = opts;
  // Looking the session up each tick also keeps it alive while the page stays open.
  const loggedIn = () => caller.via !== "cookie" || ctx.adminSessions.find(caller.session.id) !== null;
  const sent = new Map<LiveRegion, string>();
  let lastWrite = Date.now();
  // Ask the browser to come back soon after a dropped connection (a restart, a Wi-Fi hiccup).
  await stream.writeSSE({ event: "hello", data: "", retry: 2000 });
  while (!stop.aborted && loggedIn()) {
    for (const region of opts.regions) {
      const html = await renderRegion(ctx, region, opts.viewer);
      if (sent.get(region) === html) continue;
      sent.set(region, html);
      await stream.writeSSE({ event: region, data: html });
      lastWrite = Date.now();
    }
    if (Date.now() - lastWrite >= KEEPALIVE_MS) {
      await stream.write(": keepalive\n\n");
      lastWrite = Date.now();
    }
    await sleep(ctx.liveIntervalMs, stop);
  }
  if (!stop.aborted && !loggedIn()) await stream.writeSSE({ event: "logged-out", data: "" });
}
