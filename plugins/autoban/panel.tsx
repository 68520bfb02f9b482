/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { Context, Hono } from "hono";
import type { Valibot } from "../../core/index.ts";
import { CsrfField, csrfTokenOf, PanelPage, renderPanel } from "../status-panel.tsx";
import { banRequest } from "./api.ts";
import type { Autoban, BanView } from "./autoban.ts";

const PANEL_CSS = `
.autoban-add { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: 1rem 0; }
.autoban-add label { display: flex; flex-direction: column; gap: .2rem; font-size: .85rem; color: var(--muted); }
.autoban-add input { font: inherit; padding: .4rem .6rem; border: 1px solid var(--line); border-radius: 8px; background: var(--card); color: var(--fg); }
.autoban-policy { color: var(--muted); margin: 0 0 1rem; }
`;

function remaining(untilIso: string, now: number): string {
  const s = Math.max(0, Math.round((Date.parse(untilIso) - now) / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

const pad = (n: number) => String(n).padStart(2, "0");
/** "2025-03-09 14:05:09" in the server's time zone, as the rest of the status page shows times. */
function localTime(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const duration = (s: number) => (s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`);

function BanTable(props: { bans: BanView[]; base: string; csrf: string | null; now: number }) {
  return (
    <table class="cards">
      <thead>
        <tr>
          <th>Address</th>
          <th>Reason</th>
          <th>Until</th>
          <th>Strikes</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        {props.bans.length === 0 ? (
          <tr class="empty">
            <td colspan={5}>Nobody is banned.</td>
          </tr>
        ) : (
          props.bans.map((b) => (
            <tr>
              <td data-label="Address" class="mono">
                {b.address}
              </td>
              <td data-label="Reason">{b.reason}</td>
              <td data-label="Until" title={b.until}>
                {localTime(b.until)} <span class="dim">({remaining(b.until, props.now)} left)</span>
              </td>
              <td data-label="Strikes">{b.strikes}</td>
              <td class="actions">
                <form method="post" action={`${props.base}/lift`}>
                  <CsrfField token={props.csrf} />
                  <input type="hidden" name="address" value={b.address} />
                  <button type="submit" class="danger">
                    Lift
                  </button>
                </form>
              </td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

function Panel(props: { autoban: Autoban; base: string; csrf: string | null; error?: string }) {
  const o = props.autoban.options;
  return (
    <PanelPage title="Autoban" styles={[`${props.base}/panel.css`]}>
      <p class="autoban-policy">
        An address is banned after {o.maxLoginFailures} failed logins in {duration(o.loginFailureWindow)}, or more than {o.maxConnections}{" "}
        connections in {duration(o.connectionWindow)}: for {duration(o.banTime)} at first, {o.banMultiplier}× longer each time after, at most{" "}
        {duration(o.maxBanTime)}. Watching {props.autoban.failures.size + props.autoban.connections.size} counters now.
        {o.allow.length > 0 && ` Never banned: ${o.allow.join(", ")}.`}
      </p>
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
      <BanTable bans={props.autoban.bans()} base={props.base} csrf={props.csrf} now={Date.now()} />
      <form method="post" action={`${props.base}/ban`} class="autoban-add">
        <CsrfField token={props.csrf} />
        <label>
          Address or IPv6 /{o.ipv6Prefix}
          <input name="address" required placeholder="203.0.113.9" />
        </label>
        <label>
          Minutes
          <input name="minutes" type="number" min="1" value="60" required />
        </label>
        <label>
          Reason
          <input name="reason" placeholder="banned by admin" />
        </label>
        <button type="submit" class="primary">
          Ban
        </button>
      </form>
    </PanelPage>
  );
}

/**
 * The HTML panel, under /plugins/autoban: the bans with a Lift button each, and a form to add one.
 * The forms post to /ban and /lift and come back to the panel (303).
 */
export function mountPanel(app: Hono, autoban: Autoban, v: Valibot, base: string): void {
  const show = (c: Context, error?: string) =>
    renderPanel(c, <Panel autoban={autoban} base={base} csrf={csrfTokenOf(c)} error={error} />, error ? 400 : 200);

  app.get("/", (c) => show(c));
  app.get("/panel.css", (c) => c.body(PANEL_CSS, 200, { "Content-Type": "text/css; charset=utf-8" }));

  app.post("/ban", async (c) => {
    const form = await c.req.parseBody();
    const parsed = v.safeParse(banRequest(v), {
      address: form["address"],
      minutes: Number(form["minutes"]),
      reason: typeof form["reason"] === "string" && form["reason"].trim() ? form["reason"] : undefined,
    });
    if (!parsed.success) return show(c, parsed.issues.map((i) => i.message).join("; "));
    try {
      autoban.ban(parsed.output.address, parsed.output.minutes * 60, parsed.output.reason);
    } catch (err) {
      return show(c, (err as Error).message);
    }
    return c.redirect(base, 303);
  });

  app.post("/lift", async (c) => {
    const address = (await c.req.parseBody())["address"];
    try {
      autoban.lift(typeof address === "string" ? address : "");
    } catch (err) {
      return show(c, (err as Error).message);
    }
    return c.redirect(base, 303);
  });
}
