import { X509Certificate } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { hashPassword } from "../core/auth/password.ts";
import { loadConfig, loadConfigLeniently, type ConfigFlags } from "../core/config/load.ts";
import { DEFAULT_SHUTDOWN_GRACE_MS, type ServerOptions } from "../core/config/types.ts";
import { createLogger } from "../core/log/logger.ts";
import type { RunningStatusPage } from "../web/status-page.ts";
import { parseCommandArgs, splitUserFlag } from "./args.ts";
import { configErrorWithPlugins, quietLogger, setupBudgetMs } from "./check.ts";
import { findConfigFile } from "./config-file.ts";
import type { CliIo } from "./io.ts";
import { startupBlock } from "./startup-block.ts";
import { ensureTlsCertificate } from "./tls-certificate.ts";
import { ConfigError, formatProblem } from "../core/config/problems.ts";
import { SETUP_BUDGET_MS, type FtpServer } from "../core/server.ts";
import type { Logger } from "../core/log/logger.ts";

export const serveHelp = `Usage: ftpi serve [options]

Starts the FTP server. Settings come from --config FILE, else ./ftpi.yaml when present,
else the built-in defaults: ./ftp-root shared read-only to anonymous with a writable
upload/ folder, FTP on port 2121, passive ports 50000-50100, status page on port 8080.
Options override the config file.

Options:
  -c, --config FILE           config file (see "ftpi init")
  -r, --root DIR              shared folder: the anonymous home and the home of --user users
  -p, --port N                FTP port for every listen address
      --listen HOST:PORT      listen here instead (repeatable; "[::]:2121" for IPv6)
      --passive-ports A-B     port range for passive data connections
  -u, --user NAME:PASSWORD    a user with all rights on the shared folder (repeatable);
                              turns anonymous off unless --anonymous is given.
                              Other local users can see it in "ps": prefer ftpi.yaml.
      --anonymous             allow anonymous login even with --user
      --external-address A    IP or host name to announce in passive replies (behind NAT)
      --plugin NAME|PATH      load a built-in plugin or a plugin file (repeatable)
      --web-port N            status page port (0 = off); log in as admin with the password
                              printed on the first start, or set FTPI_ADMIN_PASSWORD
      --web-host HOST         where the status page listens (default 0.0.0.0; 127.0.0.1 keeps
                              it on this machine)
      --data-dir DIR          folder for state (statistics, bans, ...)
      --log-format text|json  log line format

Environment:
  FTPI_SETUP_BUDGET_MS        how long each plugin's setup may take (default ${SETUP_BUDGET_MS})

Examples:
  ftpi serve
  ftpi serve --root ~/share --user alice:wonderland
  ftpi serve --config /etc/ftpi.yaml --port 21
`;

const serveArgs = {
  config: { type: "string", short: "c" },
  root: { type: "string", short: "r" },
  port: { type: "string", short: "p" },
  listen: { type: "string", multiple: true },
  "passive-ports": { type: "string" },
  user: { type: "string", short: "u", multiple: true },
  anonymous: { type: "boolean" },
  "external-address": { type: "string" },
  plugin: { type: "string", multiple: true },
  "web-port": { type: "string" },
  "web-host": { type: "string" },
  "data-dir": { type: "string" },
  "log-format": { type: "string" },
} as const;

export interface ServeSetup {
  options: ServerOptions;
  /** The config file used, as named (or found), or null when running on the built-in defaults. */
  configFile: string | null;
  /** Names of the users given with --user. */
  flagUsers: string[];
}

/** The config file `ftpi serve` reads and the flags that override it, as given. */
async function serveInputs(argv: string[], cwd: string): Promise<{ configFile: string | undefined; flags: ConfigFlags; flagUsers: string[] }> {
  const values = parseCommandArgs("serve", argv, serveArgs);
  const users = await Promise.all(
    (values.user ?? []).map(async (text) => {
      const { name, password } = splitUserFlag(text);
      return { name, passwordHash: await hashPassword(password) };
    }),
  );
  const flags: ConfigFlags = {
    root: values.root,
    port: values.port,
    listen: values.listen,
    passivePorts: values["passive-ports"],
    externalAddress: values["external-address"],
    users,
    anonymous: values.anonymous ? true : undefined,
    plugins: values.plugin,
    webPort: values["web-port"],
    webHost: values["web-host"],
    dataDir: values["data-dir"],
    logFormat: values["log-format"],
  };
  return { configFile: findConfigFile(values.config, cwd), flags, flagUsers: users.map((user) => user.name) };
}

/**
 * Everything `ftpi serve` decides before starting: the config file, flags on top of it, --user
 * passwords hashed in memory. Throws UsageError or ConfigError.
 */
export async function serveOptions(argv: string[], cwd: string): Promise<ServeSetup> {
  const { configFile, flags, flagUsers } = await serveInputs(argv, cwd);
  const options = await loadConfig(configFile, { cwd, flags });
  return { options, configFile: configFile ?? null, flagUsers };
}

/**
 * Creates the shared folder (the anonymous home, or the home of --user users) and the folders
 * anonymous may write to, so the defaults work on the first run. Homes of users from the config
 * file are left alone: a missing one may be a disk that is not mounted.
 */
export async function prepareSharedFolders(setup: ServeSetup): Promise<string[]> {
  const { options, flagUsers } = setup;
  const created: string[] = [];
  const ensure = async (folder: string) => {
    if (await mkdir(folder, { recursive: true })) created.push(folder);
  };
  for (const account of options.accounts) {
    if (!account.anonymous && !flagUsers.includes(account.name)) continue;
    await ensure(account.home);
    if (!account.anonymous) continue;
    for (const rule of account.permissions) {
      const writable = rule.allow.some((p) => p === "write" || p === "append" || p === "mkdir");
      if (writable && rule.path !== "/") await ensure(join(account.home, rule.path));
    }
  }
  return created;
}

export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  if (parseCommandArgs("serve", args, serveArgs).help) {
    io.stdout(serveHelp);
    return 0;
  }
  const inputs = await serveInputs(args, io.cwd);
  const config = await loadConfigLeniently(inputs.configFile, { cwd: io.cwd, flags: inputs.flags });
  // A config with problems: its plugins are checked too, so that one list holds everything.
  if (config.problems.length) throw await configErrorWithPlugins(config, quietLogger(io));
  const setup: ServeSetup = { options: config.options!, configFile: inputs.configFile ?? null, flagUsers: inputs.flagUsers };
  const { configFile } = setup;
  const created = await prepareSharedFolders(setup);
  const { options, generated: certificate } = await ensureTlsCertificate(setup.options);
  if (certificate) created.push(certificate);
  const logger = createLogger({ format: options.log.format, level: options.log.level });
  const { createServer } = await import("../core/index.ts");
  const { builtinPlugins } = await import("../plugins/index.ts");
  const server = await createServer(options, { logger, builtinPlugins, setupBudgetMs: setupBudgetMs() });
  await server.listen();
  // SIGHUP: re-read the config (users, rights, limits) and the TLS certificate (a certbot
  // renewal) without dropping anyone; a config with problems is refused and the old one stays.
  const onHangup = () => void reloadConfig(args, io, server, logger);
  process.on("SIGHUP", onHangup);
  let statusPage: RunningStatusPage | null = null;
  if (options.web.port !== 0) {
    const { startStatusPage } = await import("../web/status-page.ts");
    try {
      statusPage = await startStatusPage(server);
    } catch (err) {
      await server.close();
      throw err;
    }
  }
  // Listen for signals before saying we run: a supervisor may stop us the moment it reads that.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  io.stdout(
    startupBlock({
      options,
      addresses: server.addresses(),
      configFile,
      created,
      tlsFingerprint: await certificateFingerprints(options.tls.certFile),
      statusPage: statusPage && { port: statusPage.port, generatedPassword: statusPage.admin.generated, passwordFile: statusPage.admin.file },
    }),
  );

  const signal = await stopSignal;
  // A second signal while closing means "now".
  const force = () => process.exit(130);
  process.once("SIGINT", force);
  process.once("SIGTERM", force);
  // limits.shutdownGrace, as last reloaded.
  const graceMs = server.options.limits.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  logger.info(`${signal}: closing; running transfers get ${graceMs / 1000} s to finish (signal again to stop now)`);
  process.off("SIGHUP", onHangup);
  await statusPage?.close();
  await server.close(graceMs);
  return 0;
}

async function certificateFingerprints(certFile: string | null): Promise<{ sha256: string; sha1: string } | null> {
  if (!certFile) return null;
  try {
    const certificate = new X509Certificate(await readFile(certFile));
    return { sha256: certificate.fingerprint256, sha1: certificate.fingerprint };
  } catch {
    return null;
  }
}

async function reloadConfig(args: string[], io: CliIo, server: FtpServer, logger: Logger): Promise<void> {
  try {
    const next = await serveOptions(args, io.cwd);
    const { options } = await ensureTlsCertificate(next.options);
    const notApplied = server.reload(options);
    if (notApplied.length) logger.warn(`SIGHUP: restart ftpi to apply the changes to ${notApplied.join(", ")}`);
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.error(`SIGHUP: the new configuration is refused, the running one stays:\n${err.problems.map(formatProblem).join("\n")}`);
    } else {
      logger.error(`SIGHUP: reload failed, the running configuration stays: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  await server.reloadTls();
}
