import type { Context, MiddlewareHandler } from "hono";
import type { StatusContext, StatusEnv } from "../context.ts";
import { clientAddress } from "./login-report.ts";

/**
 * What the status page asks of a plugin that bans addresses: the part of autoban's public API (as
 * it publishes it with `ctx.expose`, see AutobanApi in plugins/autoban) it needs for the refusal
 * and its Retry-After, read here by shape so that web/ needs nothing from the plugin's code.
 */
interface BanLookup {
  activeBan(ip: string): { until: string } | undefined;
}

/** The plugin whose bans the status page honours. */
const BANNING_PLUGIN = "autoban";

function banLookup(ctx: StatusContext): BanLookup | null {
  const api = ctx.server.host.apis.get(BANNING_PLUGIN) as Partial<BanLookup> | null | undefined;
  return typeof api?.activeBan === "function" ? (api as BanLookup) : null;
}

/** When the ban on `ip` ends (epoch ms), null when `ip` is not banned; a plugin that throws bans nobody. */
function bannedUntil(ctx: StatusContext, lookup: BanLookup, ip: string): number | null {
  try {
    const ban = lookup.activeBan(ip);
    return ban ? Date.parse(ban.until) || Date.now() : null;
  } catch (err) {
    ctx.server.host.fault(BANNING_PLUGIN, "web", err);
    return null;
  }
}

const wantsJson = (c: Context) => c.req.path.startsWith("/api/") || c.req.path === "/metrics" || !(c.req.header("accept") ?? "").includes("text/html");

/**
 * Refuses every request (but /healthz, mounted before it) from an address autoban has banned, with
 * 403 and Retry-After: a ban earned by failed admin logins, or on the FTP port, shuts the status
 * page too, its login form and HTTP Basic included. No-op when autoban is not loaded. The plugins
 * are set up before the app is made (their panels are mounted then too), so autoban's API is
 * looked up once here, not on every request.
 */
export function refuseBanned(ctx: StatusContext): MiddlewareHandler<StatusEnv> {
  const lookup = banLookup(ctx);
  if (!lookup) return (_c, next) => next();
  return async (c, next) => {
    const until = bannedUntil(ctx, lookup, clientAddress(c));
    if (until === null) return next();
    const seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
    c.header("Retry-After", String(seconds));
    c.header("Cache-Control", "no-store");
    const message = `Your address is banned by autoban (too many failed logins or connections) until ${new Date(until).toISOString()}.`;
    return wantsJson(c) ? c.json({ error: message }, 403) : c.text(message, 403);
  };
}
