/** The one stylesheet: plain CSS, light and dark, tables that become cards on a phone. */
export const STYLE_CSS = `
:root {
  --bg: #f4f6f9; --fg: #1b2230; --muted: #667085; --card: #ffffff; --line: #e2e6ec; --soft: #eef2f7;
  --accent: #2563eb; --accent-fg: #ffffff; --ok: #15803d; --warn: #b45309; --bad: #c0262d;
  --radius: 12px; --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f131a; --fg: #e5e8ee; --muted: #97a1b2; --card: #171c25; --line: #2a313d; --soft: #1f2631;
    --accent: #5b8def; --accent-fg: #0b1220; --ok: #4ade80; --warn: #fbbf24; --bad: #f87171;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.45 var(--sans); background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
h1 { font-size: 1.45rem; margin: .25rem 0 1rem; }
h2 { font-size: 1rem; margin: 0 0 .75rem; }

.topbar { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem;
  padding: .55rem 1rem; background: var(--card); border-bottom: 1px solid var(--line); }
.brand { display: flex; align-items: center; gap: .45rem; font-weight: 700; font-size: 1.15rem; color: inherit; text-decoration: none; }
.brand img { border-radius: 6px; }
.live-state { font-size: .75rem; color: var(--muted); display: inline-flex; align-items: center; gap: .3rem; }
.live-state::before { content: ""; width: .55rem; height: .55rem; border-radius: 50%; background: var(--muted); }
.live-state[data-state="live"]::before { background: var(--ok); box-shadow: 0 0 0 3px color-mix(in srgb, var(--ok) 25%, transparent); }
.live-state[data-state="offline"] { color: var(--bad); }
.live-state[data-state="offline"]::before { background: var(--bad); }
nav { display: flex; gap: .25rem; flex: 1; flex-wrap: wrap; }
nav a { padding: .35rem .8rem; border-radius: 999px; color: var(--fg); text-decoration: none; white-space: nowrap; }
nav a:hover { background: var(--soft); }
nav a.active { background: var(--accent); color: var(--accent-fg); }
.badge { display: inline-block; min-width: 1.4em; padding: 0 .4em; border-radius: 999px; background: var(--soft); color: var(--fg);
  font-size: .8rem; text-align: center; font-variant-numeric: tabular-nums; }
nav a.active .badge { background: color-mix(in srgb, var(--accent-fg) 25%, transparent); color: inherit; }
.logout { margin: 0; }

main { max-width: 1200px; margin: 0 auto; padding: 1.1rem 1rem 0; }
footer { text-align: center; color: var(--muted); font-size: .85rem; padding: 2rem 1rem; }
footer a { color: inherit; }

.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: .75rem; margin-bottom: 1rem; }
.stat { display: flex; flex-direction: column; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: .75rem 1rem; }
.stat-label { color: var(--muted); font-size: .75rem; text-transform: uppercase; letter-spacing: .05em; }
.stat-value { font-size: 1.45rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.stat-note { color: var(--muted); font-size: .85rem; }

.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 330px), 1fr)); gap: 1rem; align-items: start; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem 1.15rem; }
.share { grid-column: 1 / -1; }
.ftp-info { margin: 0 0 .75rem; padding: .75rem .9rem; background: var(--soft); border-radius: 8px; font: .92rem/1.5 var(--mono);
  white-space: pre-wrap; overflow-wrap: anywhere; }
.row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.hint { color: var(--muted); font-size: .88rem; margin: .75rem 0 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ul.plugins { list-style: none; margin: 0; padding: 0; }
ul.plugins li { display: flex; justify-content: space-between; gap: 1rem; padding: .35rem 0; border-bottom: 1px solid var(--line); }
ul.plugins li:last-child { border-bottom: 0; }

button, .button { font: inherit; font-size: .92rem; display: inline-block; padding: .45rem .95rem; border-radius: 8px; cursor: pointer;
  border: 1px solid var(--line); background: var(--card); color: var(--fg); text-decoration: none; line-height: 1.3; }
button:hover, .button:hover { background: var(--soft); }
.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-fg); }
.primary:hover { background: var(--accent); filter: brightness(1.08); }
.danger { color: var(--bad); border-color: color-mix(in srgb, var(--bad) 45%, var(--line)); }
.danger:hover { background: var(--bad); color: #fff; }
.quiet { background: transparent; border-color: transparent; color: var(--muted); }

table.cards { width: 100%; border-collapse: separate; border-spacing: 0; background: var(--card); border: 1px solid var(--line);
  border-radius: var(--radius); overflow: hidden; }
table.cards th, table.cards td { text-align: left; padding: .6rem .75rem; border-bottom: 1px solid var(--line); vertical-align: top; }
table.cards th { background: var(--soft); color: var(--muted); font-size: .75rem; font-weight: 600; text-transform: uppercase; letter-spacing: .05em; }
table.cards tbody tr:last-child td { border-bottom: 0; }
table.cards tr.busy td { background: color-mix(in srgb, var(--accent) 6%, transparent); }
table.cards tr.leaving { opacity: .4; }
tr.empty td { color: var(--muted); text-align: center; padding: 2rem 1rem; }
td.actions { text-align: right; width: 1%; white-space: nowrap; }
td.actions form { margin: 0; }
.transfer-cell { min-width: 240px; }
.transfer { display: flex; flex-direction: column; gap: .3rem; }
.transfer-numbers { color: var(--muted); font-size: .85rem; font-variant-numeric: tabular-nums; }
.dir { font-size: .8rem; font-weight: 600; white-space: nowrap; }
.dir-download { color: var(--accent); }
.dir-upload { color: var(--ok); }
progress { -webkit-appearance: none; appearance: none; width: 100%; height: .55rem; border: 0; border-radius: 999px; background: var(--line); overflow: hidden; }
progress::-webkit-progress-bar { background: var(--line); border-radius: 999px; }
progress::-webkit-progress-value { background: var(--accent); border-radius: 999px; }
progress::-moz-progress-bar { background: var(--accent); border-radius: 999px; }
.pill { display: inline-block; padding: .05rem .55rem; border-radius: 999px; font-size: .8rem; font-weight: 600;
  background: var(--soft); white-space: nowrap; }
.pill-ok { color: var(--ok); }
.pill-aborted { color: var(--warn); }
.pill-error { color: var(--bad); }
.mono { font-family: var(--mono); font-size: .9em; }
.path { overflow-wrap: anywhere; }
.dim { color: var(--muted); }
.center { text-align: center; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.login-body { min-height: 100vh; display: grid; place-items: center; }
.login { width: 100%; max-width: 380px; padding: 1rem; }
.login h1 { display: flex; align-items: center; gap: .6rem; font-size: 1.3rem; }
.login h1 img { border-radius: 8px; }
.login label { display: block; margin: .8rem 0; color: var(--muted); font-size: .9rem; }
.login input { display: block; width: 100%; margin-top: .3rem; padding: .6rem .75rem; font: inherit; color: var(--fg);
  background: var(--bg); border: 1px solid var(--line); border-radius: 8px; }
.login input[readonly] { color: var(--muted); }
.login button { width: 100%; margin-top: .5rem; padding: .65rem; }
.error { color: var(--bad); background: color-mix(in srgb, var(--bad) 10%, transparent); padding: .5rem .75rem; border-radius: 8px; }

/* Phones: the top bar scrolls its links, and table rows become cards with labelled lines. */
@media (max-width: 720px) {
  body { font-size: 15.5px; }
  .topbar { padding: .5rem .75rem; }
  nav { order: 3; flex-basis: 100%; flex-wrap: nowrap; overflow-x: auto; margin: 0 -.25rem; }
  .logout { margin-left: auto; }
  main { padding: .9rem .75rem 0; }
  .stats { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .5rem; }
  .stat { padding: .6rem .75rem; }
  .stat-value { font-size: 1.2rem; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards { background: transparent; border: 0; overflow: visible; }
  table.cards thead { display: none; }
  table.cards tr { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); margin-bottom: .75rem; padding: .5rem .85rem; }
  table.cards td { position: relative; border: 0; padding: .3rem 0 .3rem 6.2rem; min-height: 1.9rem; }
  table.cards td::before { content: attr(data-label); position: absolute; left: 0; top: .3rem; width: 5.8rem; color: var(--muted); font: .85rem/1.6 var(--sans); }
  table.cards tr.busy td { background: transparent; }
  table.cards tr.busy { border-color: color-mix(in srgb, var(--accent) 45%, var(--line)); }
  table.cards td.transfer-cell { padding-left: 0; }
  table.cards td.transfer-cell::before { position: static; display: block; margin-bottom: .2rem; }
  table.cards td.actions { width: 100%; text-align: left; padding: .4rem 0 .1rem; }
  table.cards td.actions button { width: 100%; }
  table.cards tr.empty td { padding: 1.2rem 0; text-align: center; }
  table.cards tr.empty td::before { content: none; }
}
`;
