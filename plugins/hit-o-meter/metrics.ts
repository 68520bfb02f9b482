import type { HitOMeter } from "./meter.ts";

/*
 * Prometheus text exposition format 0.0.4:
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

function sample(name: string, value: number, labels: Record<string, string> = {}): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${value}`;
}

/**
 * hit-o-meter's counters as Prometheus text lines (HELP, TYPE, samples; newline-terminated).
 * Per-user series cover the users that have logged in, so their number is that of the accounts.
 */
export function renderMetrics(meter: HitOMeter): string {
  const users = [...meter.tables.user.entriesSeen()].filter(([, a]) => a.logins.ok > 0).sort(([a], [b]) => (a < b ? -1 : 1));
  const lines = [
    "# HELP ftpi_hitometer_bytes_total File bytes moved, by direction (in = uploads, out = downloads) and user.",
    "# TYPE ftpi_hitometer_bytes_total counter",
    ...users.flatMap(([user, a]) => [
      sample("ftpi_hitometer_bytes_total", a.uploads.bytes, { direction: "in", user }),
      sample("ftpi_hitometer_bytes_total", a.downloads.bytes, { direction: "out", user }),
    ]),
    "# HELP ftpi_hitometer_files_total Files transferred completely, by direction and user.",
    "# TYPE ftpi_hitometer_files_total counter",
    ...users.flatMap(([user, a]) => [
      sample("ftpi_hitometer_files_total", a.uploads.files, { direction: "in", user }),
      sample("ftpi_hitometer_files_total", a.downloads.files, { direction: "out", user }),
    ]),
    "# HELP ftpi_hitometer_logins_total Logins by result and user (names that are no account are not listed).",
    "# TYPE ftpi_hitometer_logins_total counter",
    ...users.flatMap(([user, a]) => [
      sample("ftpi_hitometer_logins_total", a.logins.ok, { result: "ok", user }),
      sample("ftpi_hitometer_logins_total", a.logins.failed, { result: "failed", user }),
    ]),
    "# HELP ftpi_hitometer_connections_total FTP connections counted, kept across restarts.",
    "# TYPE ftpi_hitometer_connections_total counter",
    sample("ftpi_hitometer_connections_total", meter.total.connections),
    "# HELP ftpi_hitometer_rate_bytes_per_second Transfer rate at the last sample, by direction.",
    "# TYPE ftpi_hitometer_rate_bytes_per_second gauge",
    sample("ftpi_hitometer_rate_bytes_per_second", Math.round(meter.rates.server.in), { direction: "in" }),
    sample("ftpi_hitometer_rate_bytes_per_second", Math.round(meter.rates.server.out), { direction: "out" }),
    "# HELP ftpi_hitometer_tracked_keys Addresses and users hit-o-meter keeps counters for.",
    "# TYPE ftpi_hitometer_tracked_keys gauge",
    sample("ftpi_hitometer_tracked_keys", meter.tables.ip.size, { kind: "ip" }),
    sample("ftpi_hitometer_tracked_keys", meter.tables.user.size, { kind: "user" }),
  ];
  return `${lines.join("\n")}\n`;
}
