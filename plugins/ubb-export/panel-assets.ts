// Served from the plugin's own routes: the status page's Content-Security-Policy allows scripts
// and styles from this origin only, never inline.

/** The copy button: the Clipboard API where the page is a secure context, else select + copy. */
export const COPY_JS = `document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const area = document.getElementById(button.dataset.copy);
  try {
    await navigator.clipboard.writeText(area.value);
  } catch {
    area.select();
    document.execCommand("copy");
  }
  button.textContent = "Copied";
  setTimeout(() => (button.textContent = "Copy"), 1500);
});
`;

export const PANEL_CSS = `.ubb-form { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; }
.ubb-form label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted, #667085); gap: .2rem; }
.ubb-form label.check { flex-direction: row; align-items: center; gap: .35rem; }
.ubb-form input[type=text], .ubb-form select { font: inherit; padding: .3rem .45rem; }
.ubb-output { width: 100%; min-height: 16rem; font: .85rem/1.4 var(--mono, monospace); box-sizing: border-box; }
.ubb-preview ul { margin: .2rem 0; padding-left: 1.4rem; }
.ubb-preview .details { color: var(--muted, #667085); }
.ubb-problems { color: var(--bad, #c0262d); }
.ubb-panel section { margin: 1rem 0; }
`;
