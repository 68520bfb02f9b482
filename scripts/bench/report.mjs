// The markdown tables of a results object (see run.mjs for its shape).

export function formatNumber(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString("en");
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a >= 0.01) return v.toFixed(3);
  return v.toPrecision(2);
}

function spread(summary, repeats) {
  if (!summary) return "–";
  if (summary.error && summary.median === null) return `failed: ${summary.error.slice(0, 60)}`;
  const head = formatNumber(summary.median);
  const note = summary.error ? " ⚠" : "";
  const fewer = repeats > 1 && summary.runs < repeats && !summary.error ? ` (${summary.runs} run${summary.runs > 1 ? "s" : ""})` : "";
  return repeats > 1 && summary.runs > 1 ? `${head} (${formatNumber(summary.min)}–${formatNumber(summary.max)})${fewer}${note}` : `${head}${fewer}${note}`;
}

const row = (cells) => `| ${cells.join(" | ")} |`;

function table(header, rows) {
  return [row(header), row(header.map((_, i) => (i === 0 ? "---" : "---:"))), ...rows.map(row)].join("\n");
}

const CPU_UNITS = {
  GiB: { label: "CPU s per GiB", scale: 1 },
  file: { label: "CPU ms per file", scale: 1000 },
  LIST: { label: "CPU ms per LIST", scale: 1000 },
  session: { label: "CPU ms per session", scale: 1000 },
};

export function markdown(results) {
  const servers = results.servers;
  const names = servers.map((s) => s.name);
  const n = results.repeats;
  const out = [];

  out.push(`Median of ${n} repeat${n > 1 ? "s" : ""}${n > 1 ? " (min–max)" : ""}, fewer where a server's repeats of a workload passed 25 s; MB = 10⁶ bytes. ⚠ = some repeats failed (see the JSON). A login-storm session fails when it gets no greeting within 15 s, or any reply is not the expected one.`);
  out.push("");
  const throughput = [];
  for (const w of results.workloads) {
    if (w.id === "idle") continue; // in the memory table
    throughput.push([`${w.title} (${w.unit}${w.higherIsBetter ? ", higher is better" : ", lower is better"})`, ...servers.map((s) => spread(s.workloads[w.id], n))]);
    if (w.id === "storm") {
      const detail = (key, f = formatNumber) => servers.map((s) => f(s.workloads.storm?.median === null ? null : s.workloads.storm?.detail?.[key]));
      throughput.push(["login storm: failed sessions (all repeats)", ...detail("failures", (v) => (v === null || v === undefined ? "–" : String(v)))]);
      throughput.push(["login storm: p50 latency (ms)", ...detail("p50Ms")]);
      throughput.push(["login storm: p99 latency (ms)", ...detail("p99Ms")]);
    }
  }
  out.push(table(["workload", ...names], throughput));
  out.push("");

  out.push("Server CPU time (user + system of the server and every process it forked, from its own cgroup; all repeats together):");
  out.push("");
  const cpuRows = [];
  for (const w of results.workloads) {
    if (!w.per) continue;
    const unit = CPU_UNITS[w.per];
    cpuRows.push([`${w.title}: ${unit.label}`, ...servers.map((s) => {
      const r = s.workloads[w.id];
      return r?.cpuPerWork === null || r?.cpuPerWork === undefined ? "–" : formatNumber(r.cpuPerWork * unit.scale);
    })]);
  }
  out.push(table(["workload", ...names], cpuRows));
  out.push("");

  out.push("Memory (PSS and RSS summed over the server's processes, from /proc/PID/smaps_rollup):");
  out.push("");
  const mib = (v) => (v === null || v === undefined ? "–" : formatNumber(v / 2 ** 20));
  const idle = servers.map((s) => s.workloads.idle);
  out.push(
    table(
      ["", ...names],
      [
        ["idle PSS after start (MiB)", ...servers.map((s) => mib(s.memory?.start?.pss))],
        ["idle PSS after start, anonymous part (MiB)", ...servers.map((s) => mib(s.memory?.start?.pssAnon))],
        ["idle RSS after start (MiB)", ...servers.map((s) => mib(s.memory?.start?.rss))],
        [`PSS per idle logged-in session (KiB, ${results.sizes.idleSessions} open, fresh server)`, ...idle.map((r) => spread(r, 1))],
        ["RSS per idle logged-in session (KiB)", ...idle.map((r) => formatNumber(r?.detail?.rssPerSessionKiB))],
        [`processes with ${results.sizes.idleSessions} sessions open`, ...idle.map((r) => (r?.detail?.processesAfter ? String(r.detail.processesAfter) : "–"))],
        ["idle PSS after the run (MiB)", ...servers.map((s) => mib(s.memory?.end?.pss))],
        ["idle PSS after the run, anonymous part (MiB)", ...servers.map((s) => mib(s.memory?.end?.pssAnon))],
        ["idle RSS after the run (MiB)", ...servers.map((s) => mib(s.memory?.end?.rss))],
      ],
    ),
  );
  out.push("");

  const times = n > 1 ? `${n} times` : "once";
  out.push(`Physical limits, same run (${times} before the servers and ${times} after):`);
  out.push("");
  out.push(table(["limit", "MB/s"], results.limits.map((l) => [l.title, spread(l, 2 * n)])));
  out.push("");
  out.push("Servers:");
  out.push("");
  for (const s of servers) out.push(`- **${s.name}**: ${s.version}${s.error ? ` (failed: ${s.error})` : ""}`);
  if (results.skipped.length > 0) out.push(`- not installed, skipped: ${results.skipped.join(", ")}`);
  return out.join("\n");
}

export function machineMarkdown(results) {
  const m = results.machine;
  return [
    `- Command: \`${results.command}\``,
    `- When: ${results.startedAt} (took ${Math.round(results.durationSeconds)} s)`,
    `- CPU: ${m.cpu}, ${m.nproc} CPUs (nproc); memory ${m.memoryGiB} GiB; kernel ${m.kernel}`,
    `- Runtimes: Node ${m.node} (the bench client), Bun ${m.bun}; ${m.python}`,
    `- Sizes: ${JSON.stringify(results.sizes)}`,
    `- 1-minute load average at each workload's start and end (the bench's own processes and anything else running): ${loadRange(results.load)}`,
  ].join("\n");
}

function loadRange(load) {
  const xs = load.flatMap((l) => [l.before, l.after]).filter((x) => typeof x === "number");
  if (xs.length === 0) return "–";
  return `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
}
