/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { Hono, type Context } from "hono";
import type { Child } from "hono/jsx";
import type { StatusContext, StatusEnv } from "../context.ts";
import { hostOfHeader } from "../ftp-info.ts";
import type { LiveRegion } from "../live-regions.tsx";
import { pluginViews, sessionViews, statusView, transferViews } from "../snapshot.ts";
import { Layout, type PageName } from "./layout.tsx";
import { Overview } from "./overview.tsx";
import { renderPage } from "./render.ts";
import { SessionsTable } from "./sessions.tsx";
import { TransfersTable } from "./transfers.tsx";

const csrfOf = (c: Context<StatusEnv>) => {
  const caller = c.get("caller");
  return caller.via === "cookie" ? caller.session.csrfToken : null;
};

/** The HTML pages: overview, live sessions, recent transfers. */
export function pageRoutes(ctx: StatusContext): Hono<StatusEnv> {
  const app = new Hono<StatusEnv>();
  const { server } = ctx;

  const page = (c: Context<StatusEnv>, name: PageName, title: string, live: LiveRegion[], body: Child) =>
    renderPage(
      c,
      <Layout title={title} page={name} live={["badge", ...live]} csrfToken={csrfOf(c)} sessionCount={server.sessions.size} plugins={pluginViews(ctx)}>
        {body}
      </Layout>,
    );

  app.get("/", (c) => page(c, "overview", "Overview", ["summary"], <Overview status={statusView(ctx, hostOfHeader(c.req.header("host")))} />));

  app.get("/sessions", (c) =>
    page(c, "sessions", "Live sessions", ["sessions"], <SessionsTable sessions={sessionViews(ctx)} csrfToken={csrfOf(c)} now={Date.now()} />),
  );

  app.get("/transfers", (c) =>
    page(
      c,
      "transfers",
      "Recent transfers",
      ["transfers"],
      <>
        <p class="dim">
          {server.recentTransfers.length === 1 ? "1 finished transfer" : `${server.recentTransfers.length} finished transfers`}, newest
          first.
        </p>
        <TransfersTable transfers={transferViews(server)} />
      </>,
    ),
  );

  return app;
}
