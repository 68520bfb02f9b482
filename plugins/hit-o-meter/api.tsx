/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { Hono } from "hono";
import { SORT_KEYS, toView, type ActivityView, type SortKey } from "./activity.ts";
import { TrafficChart } from "./chart.tsx";
import { HISTORY_RANGES, type HistoryRange, type HitOMeter, type KeyKind } from "./meter.ts";

const KINDS: readonly KeyKind[] = ["ip", "user"];
const pick = <T extends string>(allowed: readonly T[], value: string | undefined, fallback: T): T | null =>
  value === undefined || value === "" ? fallback : (allowed as readonly string[]).includes(value) ? (value as T) : null;

/** The top `limit` addresses or users, busiest (by `sort`) first. */
export function topList(meter: HitOMeter, by: KeyKind, sort: SortKey = "bytes", limit = 50): ActivityView[] {
  return meter.tables[by].top(sort, limit).map(([key, a]) => toView(key, a));
}

/**
 * The JSON API and the chart, under /plugins/hit-o-meter:
 * - `GET /api/top?by=ip|user[&sort=bytes|connections|…][&limit=50]` → `[{ key, connections, logins, downloads, uploads, firstSeen, lastSeen }]`
 * - `GET /api/history?range=hour|day|month[&by=ip|user&key=…]` → `{ range, bucketSeconds, buckets: [{ start, in, out }] }`
 *   (bytes per bucket; in = uploads, out = downloads)
 * - `GET /api/rates` → the live rates of the last sample, bytes per second
 * - `GET /chart.svg?range=hour|day|month` → the traffic chart as an SVG image
 */
export function mountApi(app: Hono, meter: HitOMeter): void {
  app.get("/api/top", (c) => {
    const by = pick(KINDS, c.req.query("by"), "ip");
    const sort = pick(SORT_KEYS, c.req.query("sort"), "bytes");
    const limit = Number(c.req.query("limit") ?? 50);
    if (!by) return c.json({ error: "by must be ip or user" }, 400);
    if (!sort) return c.json({ error: `sort must be one of ${SORT_KEYS.join(", ")}` }, 400);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return c.json({ error: "limit must be a whole number from 1 to 10000" }, 400);
    return c.json(topList(meter, by, sort, limit));
  });

  app.get("/api/history", (c) => {
    const range = pick(HISTORY_RANGES, c.req.query("range"), "day");
    if (!range) return c.json({ error: "range must be hour, day or month" }, 400);
    const key = c.req.query("key");
    let of: { kind: KeyKind; key: string } | undefined;
    if (key !== undefined) {
      const kind = pick(KINDS, c.req.query("by"), "ip");
      if (!kind) return c.json({ error: "by must be ip or user" }, 400);
      of = { kind, key };
    }
    const history = meter.history(range, Date.now(), of);
    if (!history) return c.json({ error: `no history for ${of!.kind} ${of!.key} (only the ${meter.options.historyKeys} busiest have one)` }, 404);
    return c.json({ ...history, buckets: history.buckets.map((b) => ({ start: new Date(b.start).toISOString(), in: b.in, out: b.out })) });
  });

  app.get("/api/rates", (c) => c.json(meter.rates));

  app.get("/chart.svg", async (c) => {
    const range = pick(HISTORY_RANGES, c.req.query("range"), "day") as HistoryRange | null;
    if (!range) return c.text("range must be hour, day or month", 400);
    const svg = String(await (<TrafficChart history={meter.history(range, Date.now())!} />));
    return c.body(`<?xml version="1.0" encoding="UTF-8"?>\n${svg}`, 200, { "Content-Type": "image/svg+xml; charset=utf-8" });
  });
}
