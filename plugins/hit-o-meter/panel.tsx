/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { Context, Hono } from "hono";
import { PanelPage, renderPanel } from "../status-panel.tsx";
import { SORT_KEYS, type ActivityView, type SortKey } from "./activity.ts";
import { topList } from "./api.tsx";
import { TrafficChart } from "./chart.tsx";
import { formatBytes, formatDateTime, formatRate, plural } from "./format.ts";
import { LIVE_JS } from "./live.ts";
import { HISTORY_RANGES, type HistoryRange, type HitOMeter, type KeyKind } from "./meter.ts";

const PANEL_CSS = `
.hitometer-ranges { display: flex; gap: .25rem; margin-bottom: .5rem; }
.hitometer-ranges a { padding: .2rem .7rem; border-radius: 999px; text-decoration: none; color: var(--fg); }
.hitometer-ranges a.active { background: var(--accent); color: var(--accent-fg); }
.hitometer-chart { display: block; max-width: 100%; height: auto; }
table.cards th a { color: inherit; text-decoration: none; }
table.cards th a.active { color: var(--accent); }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
section.hitometer-top { margin-top: 1.25rem; }
`;

const COLUMNS: { sort: SortKey; label: string }[] = [
  { sort: "key", label: "" },
  { sort: "connections", label: "Connections" },
  { sort: "logins", label: "Logins ok" },
  { sort: "failed", label: "Failed" },
  { sort: "downloads", label: "Downloaded" },
  { sort: "uploads", label: "Uploaded" },
  { sort: "lastSeen", label: "Last seen" },
];

interface View {
  base: string;
  sort: SortKey;
  range: HistoryRange;
}

const href = (view: View, change: Partial<View>) => {
  const next = { ...view, ...change };
  return `${view.base}?sort=${next.sort}&range=${next.range}`;
};

function TopTable(props: { kind: KeyKind; rows: ActivityView[]; view: View; title: string }) {
  const { view } = props;
  return (
    <section class="hitometer-top">
      <h2>{props.title}</h2>
      <table class="cards" data-kind={props.kind}>
        <thead>
          <tr>
            {COLUMNS.map((col) => (
              <th>
                <a href={href(view, { sort: col.sort })} class={view.sort === col.sort ? "active" : undefined}>
                  {col.label || (props.kind === "ip" ? "Address" : "User")}
                </a>
              </th>
            ))}
            <th>Rate now</th>
            <th>First seen</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.length === 0 ? (
            <tr class="empty">
              <td colspan={9}>Nothing counted yet.</td>
            </tr>
          ) : (
            props.rows.map((r) => (
              <tr>
                <td data-label={props.kind === "ip" ? "Address" : "User"} class={props.kind === "ip" ? "mono" : undefined}>
                  {r.key}
                </td>
                <td data-label="Connections" class="num">
                  {r.connections}
                </td>
                <td data-label="Logins ok" class="num">
                  {r.logins.ok}
                </td>
                <td data-label="Failed" class="num">
                  {r.logins.failed}
                </td>
                <td data-label="Downloaded" class="num" title={`${r.downloads.bytes} bytes`}>
                  {formatBytes(r.downloads.bytes)} <span class="dim">({plural(r.downloads.files, "file")})</span>
                </td>
                <td data-label="Uploaded" class="num" title={`${r.uploads.bytes} bytes`}>
                  {formatBytes(r.uploads.bytes)} <span class="dim">({plural(r.uploads.files, "file")})</span>
                </td>
                <td data-label="Last seen" class="num">
                  {formatDateTime(Date.parse(r.lastSeen))}
                </td>
                <td data-label="Rate now" class="num" data-rate={`${props.kind}:${r.key}`}>
                  —
                </td>
                <td data-label="First seen" class="num">
                  {formatDateTime(Date.parse(r.firstSeen))}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
}

function Panel(props: { meter: HitOMeter; view: View }) {
  const { meter, view } = props;
  const t = meter.total;
  const off = [!meter.options.countDownloads && "downloads", !meter.options.countUploads && "uploads"].filter(Boolean);
  return (
    <PanelPage title="Hit-o-meter" styles={[`${view.base}/panel.css`]} scripts={[`${view.base}/live.js`]} liveUrl={`${view.base}/live`}>
      <div class="stats">
        <div class="stat">
          <span class="stat-label">
            Out now <span class="live-state" id="hitometer-live-state"></span>
          </span>
          <span class="stat-value" data-rate="server-out">
            {formatRate(meter.rates.server.out)}
          </span>
          <span class="stat-note">{formatBytes(t.downloads.bytes)} in {plural(t.downloads.files, "download")}</span>
        </div>
        <div class="stat">
          <span class="stat-label">In now</span>
          <span class="stat-value" data-rate="server-in">
            {formatRate(meter.rates.server.in)}
          </span>
          <span class="stat-note">{formatBytes(t.uploads.bytes)} in {plural(t.uploads.files, "upload")}</span>
        </div>
        <div class="stat">
          <span class="stat-label">Connections</span>
          <span class="stat-value">{t.connections}</span>
          <span class="stat-note">since {formatDateTime(t.firstSeen)}</span>
        </div>
        <div class="stat">
          <span class="stat-label">Logins</span>
          <span class="stat-value">{t.logins.ok}</span>
          <span class="stat-note">{t.logins.failed} failed</span>
        </div>
      </div>
      {off.length > 0 && <p class="hint">Not counted ({off.join(" and ")} switched off in the options).</p>}
      <div class="card">
        <nav class="hitometer-ranges" aria-label="Chart range">
          {HISTORY_RANGES.map((range) => (
            <a href={href(view, { range })} class={view.range === range ? "active" : undefined}>
              {range === "hour" ? "Hour" : range === "day" ? "Day" : "Month"}
            </a>
          ))}
        </nav>
        <TrafficChart history={meter.history(view.range, Date.now())!} />
      </div>
      <TopTable kind="ip" title="Top addresses" rows={topList(meter, "ip", view.sort)} view={view} />
      <TopTable kind="user" title="Top users" rows={topList(meter, "user", view.sort)} view={view} />
    </PanelPage>
  );
}

/**
 * The HTML panel under /plugins/hit-o-meter: totals and live rates, the traffic chart
 * (`?range=hour|day|month`), and the top addresses and users (`?sort=bytes|connections|…`).
 */
export function mountPanel(app: Hono, meter: HitOMeter, base: string): void {
  app.get("/", (c: Context) => {
    const sort = (SORT_KEYS as readonly string[]).includes(c.req.query("sort") ?? "") ? (c.req.query("sort") as SortKey) : "bytes";
    const range = (HISTORY_RANGES as readonly string[]).includes(c.req.query("range") ?? "") ? (c.req.query("range") as HistoryRange) : "day";
    return renderPanel(c, <Panel meter={meter} view={{ base, sort, range }} />);
  });
  app.get("/panel.css", (c) => c.body(PANEL_CSS, 200, { "Content-Type": "text/css; charset=utf-8" }));
  app.get("/live.js", (c) => c.body(LIVE_JS, 200, { "Content-Type": "text/javascript; charset=utf-8" }));
}
