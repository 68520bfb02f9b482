/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { formatClock, formatDay, formatRate } from "./format.ts";
import type { HistoryView } from "./meter.ts";

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 72, right: 12, top: 28, bottom: 26 };
const COLORS = { out: "#2563eb", in: "#15803d", grid: "#8891a0" };
const RANGE_LABEL = { hour: "the last hour", day: "the last 24 hours", month: "the last 30 days" } as const;

/** A rounded-up axis maximum: 1, 2 or 5 times a power of ten. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** An area under `values` (already in pixels), as an SVG path. */
function areaPath(points: [number, number][], baseline: number): string {
  if (points.length === 0) return "";
  const line = points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
  return `${line} L${points[points.length - 1]![0].toFixed(1)},${baseline} L${points[0]![0].toFixed(1)},${baseline} Z`;
}

/**
 * Traffic in and out as an SVG chart: one area per direction, the rate (bytes per second, averaged
 * over each bucket) on the y axis. Colours are attributes, not CSS, so the SVG also stands alone.
 */
export function TrafficChart(props: { history: HistoryView; title?: string }) {
  const { buckets, bucketSeconds, range } = props.history;
  const rates = buckets.map((b) => ({ start: b.start, in: b.in / bucketSeconds, out: b.out / bucketSeconds }));
  const top = niceCeiling(Math.max(0, ...rates.map((r) => Math.max(r.in, r.out))));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const baseline = PAD.top + plotH;
  const x = (i: number) => PAD.left + (rates.length <= 1 ? 0 : (i / (rates.length - 1)) * plotW);
  const y = (rate: number) => baseline - (rate / top) * plotH;
  const series = (side: "in" | "out") => areaPath(rates.map((r, i): [number, number] => [x(i), y(r[side])]), baseline);
  const label = (ms: number) => (range === "month" ? formatDay(ms) : formatClock(ms));
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const xTicks = rates.length ? [0, Math.floor((rates.length - 1) / 2), rates.length - 1] : [];
  const title = props.title ?? `Traffic in and out over ${RANGE_LABEL[range]}`;
  return (
    <svg xmlns="http://www.w3.org/2000/svg" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" role="img" aria-label={title} class="hitometer-chart" font-family="system-ui, sans-serif" font-size="11">
      <title>{title}</title>
      {ticks.map((t) => (
        <g>
          <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(top * t)} y2={y(top * t)} stroke={COLORS.grid} stroke-opacity={t === 0 ? "0.6" : "0.2"} />
          <text x={PAD.left - 6} y={y(top * t) + 4} text-anchor="end" fill={COLORS.grid}>
            {formatRate(top * t)}
          </text>
        </g>
      ))}
      <path d={series("out")} fill={COLORS.out} fill-opacity="0.22" stroke={COLORS.out} stroke-width="1.5" data-series="out" />
      <path d={series("in")} fill={COLORS.in} fill-opacity="0.22" stroke={COLORS.in} stroke-width="1.5" data-series="in" />
      {xTicks.map((i, n) => (
        <text x={x(i)} y={HEIGHT - 8} text-anchor={n === 0 ? "start" : n === xTicks.length - 1 ? "end" : "middle"} fill={COLORS.grid}>
          {label(rates[i]!.start)}
        </text>
      ))}
      <g transform={`translate(${PAD.left}, 14)`}>
        <rect width="10" height="10" y="-9" fill={COLORS.out} />
        <text x="14" fill={COLORS.grid}>out (downloads)</text>
        <rect x="120" width="10" height="10" y="-9" fill={COLORS.in} />
        <text x="134" fill={COLORS.grid}>in (uploads)</text>
      </g>
    </svg>
  );
}
