/**
 * hit-o-meter — who uses the server, and how much. Counts connections, logins, files and bytes
 * per address and per user, keeps a per-minute (24 h) and per-hour (30 days) traffic history for
 * the server and its busiest addresses and users, and shows it all on a status-page panel with
 * live rates, a chart and a JSON API. Counters survive restarts.
 *
 * ```yaml
 * plugins:
 *   - name: hit-o-meter
 *     options: { countUploads: true, countDownloads: true }
 * ```
 *
 * Written only against ftpi's public plugin API, as an example for plugin authors. Options, API,
 * metrics and panel: docs/plugins/hit-o-meter.md.
 */
import type { Hono } from "hono";
import { definePlugin } from "../../core/index.ts";
import { mountApi, topList } from "./api.tsx";
import { mountLive } from "./live.ts";
import { HitOMeter, type HistoryRange, type HistoryView, type KeyKind, type SavedMeter } from "./meter.ts";
import { renderMetrics } from "./metrics.ts";
import { hitOMeterOptions, type HitOMeterOptions } from "./options.ts";
import { mountPanel } from "./panel.tsx";
import type { ActivityView } from "./activity.ts";

export type { ActivityView } from "./activity.ts";
export type { HistoryView, LiveRates } from "./meter.ts";
export type { HitOMeterOptions } from "./options.ts";

/**
 * What hit-o-meter publishes with ctx.expose: `ctx.use<HitOMeterApi>("hit-o-meter")`.
 */
export interface HitOMeterApi {
  /** Prometheus text lines (ftpi_hitometer_bytes_total{direction,user} and friends), for /metrics. */
  metrics(): string;
  /** The busiest addresses or users, as GET /api/top gives them. */
  top(by: KeyKind, limit?: number): ActivityView[];
  /** The server's traffic history, as GET /api/history gives it (start times in epoch ms). */
  history(range: HistoryRange): HistoryView;
}

// One server per process uses a plugin object; setup() gives it its state.
let meter: HitOMeter | null = null;

export default definePlugin<HitOMeterOptions>({
  name: "hit-o-meter",
  options: hitOMeterOptions,

  async setup(ctx) {
    const current = new HitOMeter(ctx.options);
    const store = ctx.state<SavedMeter>("meter");
    const saved = await store.load();
    if (saved?.version === 1) current.restore(saved);
    meter = current;

    const save = () => store.save(current.save(Date.now()));
    const sampleMs = ctx.options.sampleInterval * 1000;
    ctx.every(sampleMs, () => current.sample(ctx.server.transfers(), Date.now()));
    ctx.every(ctx.options.saveInterval * 1000, save);
    ctx.onClose(save);

    const api: HitOMeterApi = {
      metrics: () => renderMetrics(current),
      top: (by, limit = 50) => topList(current, by, "bytes", limit),
      history: (range) => current.history(range, Date.now())!,
    };
    ctx.expose(api);

    ctx.web((app: Hono) => {
      mountApi(app, current);
      mountLive(app, current, Math.max(1000, sampleMs), ctx.sse);
      mountPanel(app, current, `/plugins/${ctx.name}`);
    });
  },

  onConnect({ session }) {
    meter?.connected(session, Date.now());
  },

  onLoginResult(e) {
    meter?.loginResult(e, Date.now());
  },

  onTransferEnd(e) {
    meter?.transferEnded(e, Date.now());
  },
});
