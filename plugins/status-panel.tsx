/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { Context } from "hono";
import type { Child } from "hono/jsx";

/*
 * The frame of a built-in plugin's status-page panel. The status app serves /assets/style.css and
 * sends a Content-Security-Policy that allows only same-origin scripts and styles, so a panel
 * links its extra CSS and JS from its own routes instead of inlining them.
 */

/**
 * The CSRF token the status app wants in the `csrf` field of a POST form (or the X-CSRF-Token
 * header), or null when the caller used HTTP Basic and needs none.
 */
export function csrfTokenOf(c: Context): string | null {
  const caller = (c.var as { caller?: { session?: { csrfToken?: unknown } } }).caller;
  const token = caller?.session?.csrfToken;
  return typeof token === "string" ? token : null;
}

/** The hidden field a POST form carries for the status app's CSRF check. */
export function CsrfField(props: { token: string | null }) {
  return props.token ? <input type="hidden" name="csrf" value={props.token} /> : null;
}

export interface PanelPageProps {
  title: string;
  /** Absolute URLs of the panel's own stylesheets and scripts. */
  styles?: string[];
  scripts?: string[];
  /** Where the panel's script finds its live stream: the body's data-live-url (no inline script under the CSP). */
  liveUrl?: string;
  children?: Child;
}

/** A whole panel page in the status page's look: its stylesheet, top bar and main column. */
export function PanelPage(props: PanelPageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${props.title} · ftpi`}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/style.css" />
        {(props.styles ?? []).map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
        {(props.scripts ?? []).map((src) => (
          <script src={src} defer></script>
        ))}
      </head>
      <body data-live-url={props.liveUrl}>
        <header class="topbar">
          <a class="brand" href="/">
            <img src="/favicon.svg" alt="" width="24" height="24" />
            ftpi
          </a>
          <nav>
            <a href="/">Overview</a>
            <a href="/sessions">Sessions</a>
            <a href="/transfers">Transfers</a>
          </nav>
        </header>
        <main>
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** Sends a panel page (a JSX tree) as HTML with its doctype. */
export async function renderPanel(c: Context, page: unknown, status: 200 | 400 | 404 = 200): Promise<Response> {
  return c.html(`<!DOCTYPE html>${String(await page)}`, status);
}
