import { Hono } from "hono";
import type { StatusEnv } from "../context.ts";
import { ICON_SVG } from "./icon.ts";
import { LIVE_JS } from "./live.ts";
import { STYLE_CSS } from "./style.ts";

// Embedded as strings, never read from disk, so the compiled binary carries them.
const ASSETS: Record<string, { type: string; body: string }> = {
  "/assets/style.css": { type: "text/css; charset=utf-8", body: STYLE_CSS },
  "/assets/live.js": { type: "text/javascript; charset=utf-8", body: LIVE_JS },
  "/favicon.svg": { type: "image/svg+xml", body: ICON_SVG },
};

/** The stylesheet, the page script and the icon: public, since the login page needs them. */
export function assetRoutes(): Hono<StatusEnv> {
  const app = new Hono<StatusEnv>();
  for (const [path, asset] of Object.entries(ASSETS)) {
    // Page links carry ?v=<version>, so a day of caching never outlives an upgrade.
    app.get(path, (c) => c.body(asset.body, 200, { "Content-Type": asset.type, "Cache-Control": "public, max-age=86400" }));
  }
  return app;
}
