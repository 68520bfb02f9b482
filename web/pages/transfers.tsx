/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { TransferView } from "../snapshot.ts";
import { formatBytes, formatClock, formatDuration, formatRate } from "./format.ts";

const OUTCOME_LABEL = { ok: "done", aborted: "aborted", error: "failed" } as const;

/** Finished transfers, newest first; keyed by time and session so new ones slide in on top. */
export function TransferRows(props: { transfers: TransferView[] }) {
  if (props.transfers.length === 0) {
    return (
      <tr class="empty">
        <td colspan={7}>No transfers yet.</td>
      </tr>
    );
  }
  return (
    <>
      {props.transfers.map((t) => (
        <tr id={`transfer-${t.session}-${Date.parse(t.at)}-${t.bytes}`}>
          <td data-label="Finished" title={t.at}>
            {formatClock(t.at)}
          </td>
          <td data-label="User">
            {t.user ?? <span class="dim">—</span>} <span class="dim mono">{t.remoteAddress}</span>
          </td>
          <td data-label="File" class="path">
            <span class={`dir dir-${t.direction}`}>{t.direction === "download" ? "↓" : "↑"}</span> {t.path}
          </td>
          <td data-label="Size">{formatBytes(t.bytes)}</td>
          <td data-label="Took">{formatDuration(t.ms / 1000)}</td>
          <td data-label="Speed">{formatRate(t.bytesPerSecond)}</td>
          <td data-label="Outcome">
            <span class={`pill pill-${t.outcome}`}>{OUTCOME_LABEL[t.outcome]}</span>
          </td>
        </tr>
      ))}
    </>
  );
}

export function TransfersTable(props: { transfers: TransferView[] }) {
  return (
    <table class="cards transfers">
      <thead>
        <tr>
          <th>Finished</th>
          <th>User</th>
          <th>File</th>
          <th>Size</th>
          <th>Took</th>
          <th>Speed</th>
          <th>Outcome</th>
        </tr>
      </thead>
      <tbody data-live="transfers">
        <TransferRows transfers={props.transfers} />
      </tbody>
    </table>
  );
}
