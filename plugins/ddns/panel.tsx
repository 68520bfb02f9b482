/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { Context, Hono } from "hono";
import { PanelPage, renderPanel } from "../status-panel.tsx";
import type { DdnsStatus, ProviderStatus } from "./types.ts";

/**
 * The status panel: GET /plugins/ddns/ (HTML) and GET /plugins/ddns/api/status (JSON): the public
 * addresses, each provider's names, last check, last update and its result, next check.
 */
export function mountPanel(app: Hono, status: () => DdnsStatus): void {
  const page = (c: Context) => renderPanel(c, <Panel status={status()} />);
  app.get("/", page);
  // "/plugins/ddns/" as well as "/plugins/ddns".
  app.get("/:index{^$}", page);
  app.get("/api/status", (c) => c.json(status()));
}

function Panel(props: { status: DdnsStatus }) {
  const s = props.status;
  return (
    <PanelPage title="Dynamic DNS">
      <section class="card">
        <dl class="facts">
          <dt>Public IPv4</dt>
          <dd>
            {s.addresses.ipv4 ?? "unknown"} {s.sources.ipv4 && <span class="dim">(from {s.sources.ipv4})</span>}
          </dd>
          <dt>Public IPv6</dt>
          <dd>
            {s.addresses.ipv6 ?? "none"} {s.sources.ipv6 && <span class="dim">(from {s.sources.ipv6})</span>}
          </dd>
          <dt>Last check</dt>
          <dd>{when(s.lastCheckAt, "not yet")}</dd>
          <dt>Next check</dt>
          <dd>{when(s.nextCheckAt, "—")}</dd>
        </dl>
        {s.lookupError && <p class="hint">Lookup failed: {s.lookupError}</p>}
      </section>
      <section class="card">
        <h2>Names</h2>
        {s.providers.length === 0 ? (
          <p class="dim">No provider configured: the address is only used for PASV replies.</p>
        ) : (
          <table class="cards">
            <thead>
              <tr>
                <th>Provider</th>
                <th>Names</th>
                <th>Points at</th>
                <th>Last update</th>
                <th>Last answer</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {s.providers.map((p) => (
                <Row provider={p} />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </PanelPage>
  );
}

function Row(props: { provider: ProviderStatus }) {
  const p = props.provider;
  const result = p.lastResult;
  return (
    <tr data-provider={p.name}>
      <td data-label="Provider">{p.name}</td>
      <td data-label="Names">{p.hostnames.join(", ")}</td>
      <td data-label="Points at">{[p.addresses?.ipv4, p.addresses?.ipv6].filter(Boolean).join(", ") || "—"}</td>
      <td data-label="Last update">{when(p.lastUpdateAt, "never")}</td>
      <td data-label="Last answer">{result ? `${result.code}: ${result.message} (${when(result.at, "")})` : "—"}</td>
      <td data-label="State">{p.stopped ? "stopped: fix the configuration" : p.retryAt ? `retrying ${when(p.retryAt, "")}` : "ok"}</td>
    </tr>
  );
}

/** An ISO time as "2024-03-05 14:02:11 UTC". */
function when(iso: string | null, none: string): string {
  return iso ? `${iso.slice(0, 19).replace("T", " ")} UTC` : none;
}
