/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { StatusContext } from "./context.ts";
import { SessionBadge } from "./pages/layout.tsx";
import { SummaryTiles } from "./pages/overview.tsx";
import { renderFragment } from "./pages/render.ts";
import { SessionRows } from "./pages/sessions.tsx";
import { TransferRows } from "./pages/transfers.tsx";
import { sessionViews, statusView, transferViews } from "./snapshot.ts";

/*
 * Parts of a page that refresh live. A page renders each inside an element marked
 * data-live="<name>"; /events sends the same fragment again whenever it changes, and the embedded
 * script patches it in. One renderer per region keeps the first paint and the updates identical.
 */

export const LIVE_REGIONS = ["badge", "summary", "sessions", "transfers"] as const;
export type LiveRegion = (typeof LIVE_REGIONS)[number];

export interface RegionViewer {
  /** The host the admin opened the page by (for the FTP info block). */
  pageHost: string | null;
  /** Put in kick forms; null for callers without a browser session. */
  csrfToken: string | null;
}

export function isLiveRegion(name: string): name is LiveRegion {
  return (LIVE_REGIONS as readonly string[]).includes(name);
}

export function renderRegion(ctx: StatusContext, region: LiveRegion, viewer: RegionViewer): Promise<string> {
  switch (region) {
    case "badge":
      return renderFragment(<SessionBadge count={ctx.server.sessions.size} />);
    case "summary":
      return renderFragment(<SummaryTiles status={statusView(ctx, viewer.pageHost)} />);
    case "sessions":
      return renderFragment(<SessionRows sessions={sessionViews(ctx)} csrfToken={viewer.csrfToken} now={Date.now()} />);
    case "transfers":
      return renderFragment(<TransferRows transfers={transferViews(ctx.server)} />);
  }
}
