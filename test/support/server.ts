import { mkdtemp, mkdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createServer, type FtpServer, type ServerExtras } from "../../core/index.ts";
import type { Account, PermissionRule } from "../../core/auth/types.ts";
import type { ServerOptions } from "../../core/config/types.ts";
import { ALL_LOG_EVENTS } from "../../core/config/types.ts";
import { hashPassword } from "../../core/auth/password.ts";
import { createLogger } from "../../core/log/logger.ts";

export const FULL: PermissionRule[] = [{ path: "/", allow: ["read", "write", "append", "delete", "rename", "list", "mkdir", "rmdir"], subdirs: true }];
export const PUBLIC_WITH_UPLOAD: PermissionRule[] = [
  { path: "/", allow: ["read", "list"], subdirs: true },
  { path: "/upload", allow: ["read", "list", "write", "append", "mkdir"], subdirs: true },
];

let hashCache: Promise<string> | null = null;
/** The password of every test user: "secret". Hashed once per test file. */
export function secretHash(): Promise<string> {
  return (hashCache ??= hashPassword("secret"));
}

export async function account(name: string, home: string, overrides: Partial<Account> = {}): Promise<Account> {
  return {
    name,
    passwordHash: await secretHash(),
    anonymous: false,
    enabled: true,
    home,
    permissions: FULL,
    fxp: false,
    maxSessions: 0,
    ipFilter: { allow: [], deny: [] },
    ...overrides,
  };
}

export function anonymousAccount(home: string, overrides: Partial<Account> = {}): Account {
  return { name: "anonymous", passwordHash: null, anonymous: true, enabled: true, home, permissions: PUBLIC_WITH_UPLOAD, fxp: false, maxSessions: 0, ipFilter: { allow: [], deny: [] }, ...overrides };
}

export interface TestServer {
  server: FtpServer;
  port: number;
  root: string;
  dataDir: string;
  logs: string[];
  close(): Promise<void>;
}

let nextPassive = 30000 + (process.pid % 200) * 100;

/** A real server on 127.0.0.1 with a temp root; user "alice"/"secret" has full rights there. */
export async function startServer(opts: { options?: Partial<ServerOptions>; accounts?: (root: string) => Promise<Account[]> | Account[]; extras?: ServerExtras } = {}): Promise<TestServer> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), "ftpi-test-"));
  const root = path.join(tmp, "root");
  const dataDir = path.join(tmp, "data");
  await mkdir(root);
  const accounts = opts.accounts ? await opts.accounts(root) : [await account("alice", root)];
  const min = nextPassive;
  nextPassive += 50;
  const logs: string[] = [];
  const options: ServerOptions = {
    listen: [{ host: "127.0.0.1", port: 0 }],
    passivePorts: { min, max: min + 49 },
    externalAddress: null,
    banner: "ftpi test server",
    goodbye: "Goodbye.",
    limits: { maxClients: 50, maxSessionsPerIp: 20, maxSessionsPerUser: 0, loginTimeoutMs: 30_000, idleTimeoutMs: 60_000, maxLoginFailures: 3, passiveTimeoutMs: 10_000, dataTimeoutMs: 300_000, maxUploadRate: 0, maxDownloadRate: 0, maxHashSize: 4 * 1024 ** 3 },
    ipFilter: { allow: [], deny: [] },
    accounts,
    dataDir,
    log: { format: "text", level: "debug", events: [...ALL_LOG_EVENTS], xferlog: path.join(dataDir, "xferlog") },
    plugins: [],
    tls: { enabled: false, certFile: null, keyFile: null, implicit: [], require: false, requireSessionReuse: true },
    web: { host: "127.0.0.1", port: 0, adminPassword: null, metricsToken: null },
    ...opts.options,
  };
  const server = await createServer(options, { logger: createLogger({ format: "text", level: "debug", out: (l) => logs.push(l) }), ...opts.extras });
  await server.listen();
  const port = server.addresses()[0]!.port;
  return {
    server,
    port,
    root,
    dataDir,
    logs,
    async close() {
      await server.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
