import type { FtpServer } from "../core/server.ts";
import { createStatusApp } from "./app.tsx";
import { ADMIN_PASSWORD_ENV, resolveAdminPassword, type AdminPassword } from "./auth/admin-password.ts";
import { serveWeb } from "./serve/index.ts";

export interface RunningStatusPage {
  host: string;
  port: number;
  admin: AdminPassword;
  /** Ends the live streams, then stops listening. */
  close(): Promise<void>;
}

/**
 * What `ftpi serve` runs next to the FTP server: resolves the admin password (generating and
 * storing one on first start), builds the app and serves it on `web.host:web.port`.
 */
export async function startStatusPage(server: FtpServer, env: Record<string, string | undefined> = process.env): Promise<RunningStatusPage> {
  const { web, dataDir } = server.options;
  const admin = await resolveAdminPassword({ dataDir, configured: web.adminPassword, fromEnv: env[ADMIN_PASSWORD_ENV] });
  const live = new AbortController();
  const app = createStatusApp(server, { adminPasswordHash: admin.hash, signal: live.signal });
  let running;
  try {
    running = await serveWeb((request, bindings) => app.fetch(request, bindings), { host: web.host, port: web.port });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `status page: cannot listen on ${web.host}:${web.port} (${reason}); set web.port (or --web-port) to a free port, or 0 to turn the status page off`,
    );
  }
  return {
    host: web.host,
    port: running.port,
    admin,
    async close() {
      live.abort();
      await running.close();
    },
  };
}
