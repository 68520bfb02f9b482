/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { VERSION } from "../snapshot.ts";
import type { PluginView } from "../snapshot.ts";

export type PageName = "overview" | "sessions" | "transfers";

export interface LayoutProps {
  title: string;
  page: PageName | null;
  /** The live regions this page shows; the embedded script subscribes to exactly these. */
  live: string[];
  csrfToken: string | null;
  sessionCount: number;
  plugins: PluginView[];
  children?: Child;
}

/** Assets carry the version in their URL, so an upgrade is never served a stale script. */
export const assetUrl = (name: string) => `/assets/${name}?v=${VERSION}`;

export function SessionBadge(props: { count: number }) {
  return <>{String(props.count)}</>;
}

export function Layout(props: LayoutProps) {
  const link = (page: PageName, href: string, label: Child) => (
    <a href={href} class={props.page === page ? "active" : undefined} aria-current={props.page === page ? "page" : undefined}>
      {label}
    </a>
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${props.title} · ftpi`}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href={assetUrl("style.css")} />
        <script src={assetUrl("live.js")} defer></script>
      </head>
      <body data-live-regions={props.live.join(",")}>
        <header class="topbar">
          <a class="brand" href="/">
            <img src="/favicon.svg" alt="" width="24" height="24" />
            ftpi
          </a>
          <span class="live-state" id="live-state" title="Live updates">
            live
          </span>
          <nav>
            {link("overview", "/", "Overview")}
            {link(
              "sessions",
              "/sessions",
              <>
                Sessions{" "}
                <span class="badge" data-live="badge">
                  <SessionBadge count={props.sessionCount} />
                </span>
              </>,
            )}
            {link("transfers", "/transfers", "Transfers")}
            {props.plugins
              .filter((p) => p.panel)
              .map((p) => (
                <a href={p.panel!}>{p.name}</a>
              ))}
          </nav>
          {props.csrfToken && (
            <form method="post" action="/logout" class="logout">
              <input type="hidden" name="csrf" value={props.csrfToken} />
              <button type="submit" class="quiet">
                Log out
              </button>
            </form>
          )}
        </header>
        <main>
          <h1>{props.title}</h1>
          {props.children}
        </main>
        <footer>
          ftpi {VERSION} · <a href="/api/status">JSON API</a> · <a href="/metrics">metrics</a>
        </footer>
      </body>
    </html>
  );
}
