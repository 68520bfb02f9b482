import type { Hono } from "hono";
import type { PluginContext } from "../../core/index.ts";
import type { HitOMeter } from "./meter.ts";

/**
 * GET /live — Server-Sent Events: a "rates" event after each sample, its data the live rates as
 * JSON (`{ at, server: { in, out }, ip: { [address]: { in, out } }, user: { … } }`, bytes per
 * second). Made with the host's `ctx.sse`, as a plugin file would: the stream ends when the
 * browser goes or the server closes.
 */
export function mountLive(app: Hono, meter: HitOMeter, intervalMs: number, sse: PluginContext["sse"]): void {
  app.get("/live", (c) =>
    sse(c, async (stream) => {
      await stream.send({ event: "hello", data: "", retry: 3000 });
      while (!stream.signal.aborted) {
        await stream.send({ event: "rates", data: JSON.stringify(meter.rates) });
        await stream.sleep(intervalMs);
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
