/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { SessionView, TransferProgress } from "../snapshot.ts";
import { formatBytes, formatClock, formatDuration, formatRate } from "./format.ts";

const DIRECTION_LABEL = { download: "↓ download", upload: "↑ upload", list: "listing" } as const;

function TransferCell(props: { t: TransferProgress }) {
  const { t } = props;
  const moved = t.offset + t.bytes;
  return (
    <div class="transfer">
      <div class="transfer-path">
        <span class={`dir dir-${t.direction}`}>{DIRECTION_LABEL[t.direction]}</span> <span class="path">{t.path}</span>
      </div>
      {t.percent !== null ? (
        <progress max="100" value={t.percent.toFixed(1)} aria-label={`${t.percent.toFixed(0)}% of ${t.path}`}></progress>
      ) : (
        <progress aria-label={`${t.path}, size unknown`}></progress>
      )}
      <div class="transfer-numbers">
        {t.size !== null ? `${formatBytes(moved)} of ${formatBytes(t.size)}` : formatBytes(t.bytes)}
        {" · "}
        {formatRate(t.bytesPerSecond)}
        {t.etaSeconds !== null && ` · ${formatDuration(t.etaSeconds)} left`}
      </div>
    </div>
  );
}

/** The rows of the live sessions table; ids key the rows so the live script patches them in place. */
export function SessionRows(props: { sessions: SessionView[]; csrfToken: string | null; now: number }) {
  if (props.sessions.length === 0) {
    return (
      <tr class="empty">
        <td colspan={7}>Nobody is connected.</td>
      </tr>
    );
  }
  return (
    <>
      {props.sessions.map((s) => {
        const who = s.user ?? "not logged in";
        return (
          <tr id={`session-${s.id}`} class={s.transfer ? "busy" : undefined}>
            <td data-label="Client" class="mono">
              {s.remoteAddress}
              <span class="dim">:{s.remotePort}</span>
            </td>
            <td data-label="User">
              {s.user ? <strong>{s.user}</strong> : <span class="dim">not logged in</span>}
              {s.secure && (
                <>
                  {" "}
                  <span class="pill pill-ok" title="Control connection protected by TLS">
                    TLS
                  </span>
                </>
              )}
            </td>
            <td data-label="Since" title={s.connectedAt}>
              {formatClock(s.connectedAt)} <span class="dim">({formatDuration((props.now - Date.parse(s.connectedAt)) / 1000)})</span>
            </td>
            <td data-label="Idle">{s.transfer ? <span class="dim">busy</span> : formatDuration(s.idleSeconds)}</td>
            <td data-label="Command" class="mono">
              {s.currentCommand ?? <span class="dim">—</span>}
            </td>
            <td data-label="Transfer" class="transfer-cell">
              {s.transfer ? <TransferCell t={s.transfer} /> : <span class="dim">—</span>}
            </td>
            <td class="actions">
              {props.csrfToken && (
                <form method="post" action={`/api/sessions/${s.id}/kick`} data-confirm={`Disconnect ${who} (${s.remoteAddress})?`}>
                  <input type="hidden" name="csrf" value={props.csrfToken} />
                  <button type="submit" class="danger">
                    Kick
                  </button>
                </form>
              )}
            </td>
          </tr>
        );
      })}
    </>
  );
}

export function SessionsTable(props: { sessions: SessionView[]; csrfToken: string | null; now: number }) {
  return (
    <table class="cards sessions">
      <thead>
        <tr>
          <th>Client</th>
          <th>User</th>
          <th>Since</th>
          <th>Idle</th>
          <th>Command</th>
          <th>Transfer</th>
          <th>
            <span class="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody data-live="sessions">
        <SessionRows {...props} />
      </tbody>
    </table>
  );
}
