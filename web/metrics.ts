import type { FtpServer } from "../core/server.ts";

/*
 * Prometheus text exposition format 0.0.4:
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type Labels = Record<string, string>;

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

function sample(name: string, value: number, labels: Labels = {}): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${value}`;
}

function family(name: string, type: "gauge" | "counter", help: string, samples: string[]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples];
}

export function renderMetrics(server: FtpServer): string {
  const { stats, host, pool } = server;
  // Every loaded plugin appears, at 0 until it fails, so a rate() over it has a start.
  const pluginErrors = new Map<string, number>(host.list().map((p) => [p.name, 0]));
  for (const [plugin, count] of host.errorCounts) pluginErrors.set(plugin, count);
  const lines = [
    ...family("ftpi_sessions", "gauge", "Control connections open now.", [sample("ftpi_sessions", server.sessions.size)]),
    ...family("ftpi_connections_total", "counter", "Control connections accepted or refused since start.", [
      sample("ftpi_connections_total", stats.connections),
    ]),
    ...family("ftpi_logins_total", "counter", "FTP logins since start, by result.", [
      sample("ftpi_logins_total", stats.loginsOk, { result: "ok" }),
      sample("ftpi_logins_total", stats.loginsFailed, { result: "failed" }),
    ]),
    ...family("ftpi_bytes_total", "counter", "File bytes moved by finished transfers, in (uploads) and out (downloads).", [
      sample("ftpi_bytes_total", stats.bytesIn, { direction: "in" }),
      sample("ftpi_bytes_total", stats.bytesOut, { direction: "out" }),
    ]),
    ...family(
      "ftpi_transfers_total",
      "counter",
      "Finished file transfers, by outcome.",
      (["ok", "aborted", "error"] as const).map((outcome) => sample("ftpi_transfers_total", stats.transfers[outcome], { outcome })),
    ),
    ...family("ftpi_passive_ports_in_use", "gauge", "Passive data ports offered or carrying a transfer now.", [sample("ftpi_passive_ports_in_use", pool.used)]),
    ...family("ftpi_passive_ports", "gauge", "Size of the passive port range.", [sample("ftpi_passive_ports", pool.size)]),
    ...family(
      "ftpi_plugin_errors_total",
      "counter",
      "Errors thrown (or timeouts) in plugin hooks, by plugin.",
      [...pluginErrors].map(([plugin, count]) => sample("ftpi_plugin_errors_total", count, { plugin })),
    ),
    ...family("ftpi_uptime_seconds", "gauge", "Seconds since the server started.", [
      sample("ftpi_uptime_seconds", Math.floor((Date.now() - server.startedAt.getTime()) / 1000)),
    ]),
  ];
  return `${[...lines, ...pluginMetrics(server)].join("\n")}\n`;
}

/**
 * A plugin may add its own samples by exposing an API with a `metrics()` method that returns
 * Prometheus text (hit-o-meter does); one that throws is counted as that plugin's error.
 */
function pluginMetrics(server: FtpServer): string[] {
  const out: string[] = [];
  for (const [plugin, api] of server.host.apis) {
    const metrics = (api as { metrics?: unknown } | null | undefined)?.metrics;
    if (typeof metrics !== "function") continue;
    try {
      const text = String(metrics.call(api)).trimEnd();
      if (text) out.push(text);
    } catch (err) {
      server.host.fault(plugin, "metrics", err);
    }
  }
  return out;
}
