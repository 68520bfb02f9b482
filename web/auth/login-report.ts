import type { Context } from "hono";
import type { StatusContext, StatusEnv } from "../context.ts";

/** The user name plugins see for status-page logins, distinct from any FTP account. */
export const WEB_ADMIN_USER = "admin(web)";

export function clientAddress(c: Context<StatusEnv>): string {
  return c.env?.remoteAddress ?? "unknown";
}

/**
 * Tells the log and the plugins about an admin login attempt. Plugins get it as an ordinary
 * onLoginResult event (user "admin(web)", reason "web" on failure), so autoban can count failed
 * status-page logins next to failed FTP logins without a hook of its own.
 */
export function reportAdminLogin(ctx: StatusContext, c: Context<StatusEnv>, ok: boolean, via: "form" | "basic" | "bearer"): void {
  const ip = clientAddress(c);
  const { server } = ctx;
  if (ok) server.log.info("admin login ok", { ip, via });
  else server.log.warn("admin login failed", { ip, via });
  server.host.notify("onLoginResult", {
    session: {
      id: "web",
      remoteAddress: ip,
      remotePort: 0,
      localAddress: "",
      localPort: 0,
      user: null,
      anonymous: false,
      secure: new URL(c.req.url).protocol === "https:",
      connectedAt: new Date(),
    },
    user: WEB_ADMIN_USER,
    ok,
    ...(ok ? {} : { reason: "web" }),
  });
}
