/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { StatusView } from "../snapshot.ts";
import { formatBytes, formatDateTime, formatDuration, formatLimit } from "./format.ts";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function Stat(props: { label: string; value: string; note?: string }) {
  return (
    <div class="stat">
      <span class="stat-label">{props.label}</span>
      <span class="stat-value">{props.value}</span>
      {props.note && <span class="stat-note">{props.note}</span>}
    </div>
  );
}

/** The numbers that move: refreshed live on the overview. */
export function SummaryTiles(props: { status: StatusView }) {
  const s = props.status;
  return (
    <>
      <Stat label="Sessions" value={formatLimit(s.sessions.current, s.sessions.maxClients)} note={`${s.sessions.transferring} transferring`} />
      <Stat label="Uptime" value={formatDuration(s.uptimeSeconds)} note={plural(s.connectionsTotal, "connection")} />
      <Stat label="Logins" value={`${s.logins.ok} ok`} note={`${s.logins.failed} failed`} />
      <Stat label="Transfers" value={`${s.transfers.ok} done`} note={`${s.transfers.aborted} aborted, ${s.transfers.error} failed`} />
      <Stat label="Traffic" value={`${formatBytes(s.bytes.out)} out`} note={`${formatBytes(s.bytes.in)} in (uploads)`} />
      <Stat
        label="Passive ports"
        value={`${s.passivePorts.inUse} in use`}
        note={`of ${s.passivePorts.max - s.passivePorts.min + 1} (${s.passivePorts.min}-${s.passivePorts.max})`}
      />
    </>
  );
}

const HOST_NOTE = {
  externalAddress: "the externalAddress from your config.",
  listen: "the address the server listens on.",
  page: "the address you opened this page by: it works on your network. For friends on the internet, forward the ports on your router and set externalAddress.",
  lan: "this machine's address on your network. For friends on the internet, forward the ports on your router and set externalAddress.",
  fallback: "no network address found; set externalAddress.",
} as const;

function ShareCard(props: { status: StatusView }) {
  const { ftp, passivePorts } = props.status;
  return (
    <section class="card share">
      <h2>Post your FTP info</h2>
      <pre id="ftp-info" class="ftp-info">
        {ftp.text}
      </pre>
      <div class="row">
        <button type="button" class="primary" data-copy="#ftp-info">
          Copy
        </button>
        <a class="button" href={ftp.url}>
          Open {ftp.url}
        </a>
      </div>
      <p class="hint">
        Host {ftp.host}: {HOST_NOTE[ftp.hostFrom]}{" "}
        {ftp.hostFrom !== "externalAddress" && ftp.hostFrom !== "listen" && `Router: forward TCP ${ftp.port} and ${passivePorts.min}-${passivePorts.max}.`}
        {!ftp.anonymous && ftp.users.length === 0 && " Nobody can log in yet: add users to ftpi.yaml."}
      </p>
    </section>
  );
}

function tlsText(tls: StatusView["tls"]): string {
  if (!tls.enabled && tls.implicit.length === 0) return "off";
  const parts = [tls.enabled ? (tls.required ? "explicit (AUTH TLS), required for logins" : "explicit (AUTH TLS)") : null];
  if (tls.implicit.length) parts.push(`implicit on port ${tls.implicit.map((a) => a.port).join(", ")}`);
  return parts.filter(Boolean).join("; ");
}

function ServerCard(props: { status: StatusView }) {
  const s = props.status;
  const perAddress = s.sessions.maxPerAddress > 0 ? `${s.sessions.maxPerAddress} per address` : "no limit per address";
  return (
    <section class="card">
      <h2>Server</h2>
      <dl class="facts">
        <dt>Version</dt>
        <dd>ftpi {s.version}</dd>
        <dt>Started</dt>
        <dd title={s.startedAt}>{formatDateTime(s.startedAt)}</dd>
        <dt>Listening</dt>
        <dd class="mono">{s.listen.map((a) => `${a.host.includes(":") ? `[${a.host}]` : a.host}:${a.port}`).join(", ")}</dd>
        <dt>TLS</dt>
        <dd>{tlsText(s.tls)}</dd>
        <dt>Passive ports</dt>
        <dd>
          {s.passivePorts.min}-{s.passivePorts.max}
          {s.externalAddress && `, announced as ${s.externalAddress}`}
        </dd>
        <dt>Connections</dt>
        <dd>
          {s.sessions.maxClients > 0 ? `at most ${s.sessions.maxClients}` : "no limit"}, {perAddress}
        </dd>
      </dl>
    </section>
  );
}

function PluginsCard(props: { status: StatusView }) {
  const { plugins } = props.status;
  return (
    <section class="card">
      <h2>Plugins</h2>
      {plugins.length === 0 ? (
        <p class="dim">No plugins loaded.</p>
      ) : (
        <ul class="plugins">
          {plugins.map((p) => (
            <li>
              {p.panel ? <a href={p.panel}>{p.name}</a> : <span>{p.name}</span>}
              {p.errors > 0 ? <span class="pill pill-error">{p.errors === 1 ? "1 error" : `${p.errors} errors`}</span> : <span class="pill pill-ok">ok</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Overview(props: { status: StatusView }) {
  return (
    <>
      <div class="stats" data-live="summary">
        <SummaryTiles status={props.status} />
      </div>
      <div class="grid">
        <ShareCard status={props.status} />
        <ServerCard status={props.status} />
        <PluginsCard status={props.status} />
      </div>
    </>
  );
}
