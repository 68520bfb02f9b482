import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { HitOMeter } from "./meter.ts";

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
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
 * GET /live — Server-Sent Events: a "rates" event after each sample, its data the live rates as
 * JSON (`{ at, server: { in, out }, ip: { [address]: { in, out } }, user: { … } }`, bytes per
 * second). The stream ends when the browser goes or the server stops (`stopped`).
 */
export function mountLive(app: Hono, meter: HitOMeter, intervalMs: number, stopped: AbortSignal): void {
  app.get("/live", (c) =>
    streamSSE(c, async (stream) => {
      const stop = new AbortController();
      const serverStops = () => stop.abort();
      stream.onAbort(() => stop.abort());
      stopped.addEventListener("abort", serverStops, { once: true });
      try {
        await stream.writeSSE({ event: "hello", data: "", retry: 3000 });
        while (!stop.signal.aborted) {
          await stream.writeSSE({ event: "rates", data: JSON.stringify(meter.rates) });
          await pause(intervalMs, stop.signal);
        }
      } finally {
        stopped.removeEventListener("abort", serverStops);
      }
    }),
  );
}

/**
 * The panel's script, served from /live.js (the status page's Content-Security-Policy allows
 * same-origin scripts only): it fills every [data-rate] element from the "rates" events.
 */
export const LIVE_JS = `"use strict";
(() => {
  const units = ["B", "KB", "MB", "GB", "TB"];
  const rate = (n) => { let u = 0; while (n >= 1024 && u < units.length - 1) { n /= 1024; u++; } return (u ? n.toFixed(n < 10 ? 1 : 0) : Math.round(n)) + " " + units[u] + "/s"; };
  const pair = (r) => (r && (r.in || r.out) ? "↓ " + rate(r.out) + " ↑ " + rate(r.in) : "—");
  const source = new EventSource(document.body.dataset.liveUrl);
  const state = document.getElementById("hitometer-live-state");
  source.addEventListener("open", () => state && (state.dataset.state = "live"));
  source.addEventListener("error", () => state && (state.dataset.state = "offline"));
  source.addEventListener("rates", (event) => {
    const r = JSON.parse(event.data);
    for (const el of document.querySelectorAll("[data-rate]")) {
      const [kind, ...rest] = el.dataset.rate.split(":");
      const key = rest.join(":");
      if (kind === "server-in") el.textContent = rate(r.server.in);
      else if (kind === "server-out") el.textContent = rate(r.server.out);
      else el.textContent = pair((r[kind] || {})[key]);
    }
  });
})();
`;
