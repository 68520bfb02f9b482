import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import * as v from "valibot";
import { isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import { ALL_PERMISSIONS, type Account, type AddressFilter } from "../auth/types.ts";
import { ConfigError, type ConfigProblem } from "./problems.ts";
import {
  ANONYMOUS_NAMES,
  configSchema,
  DEFAULT_USER_PERMISSIONS,
  defaultMessage,
  isHost,
  logFormatSchema,
  looksLikePath,
  parseHostPort,
  parsePortRange,
  listenPortSchema,
  userNameSchema,
  type ConfigFile,
} from "./schema.ts";
import type { ListenAddress, PluginSpec, ServerOptions } from "./types.ts";

type ConfigPath = readonly (string | number)[];

/** A config file read but not yet validated. */
export interface RawConfig {
  /** The YAML as plain data; undefined or null for an empty file. */
  data: unknown;
  /**
   * Line and column (1-based) of the YAML node at `path`, or of its nearest ancestor present in the
   * file; `at: "key"` points at the key of a mapping entry instead of its value.
   */
  locate?(path: ConfigPath, at?: "key" | "value"): { line: number; col: number } | undefined;
}

/** Command-line values that override the config file, as typed (validated by resolveConfig). */
export interface ConfigFlags {
  /** Shared folder: the anonymous home and the home of `users`. */
  root?: string;
  /** Replaces the port of every listen address. */
  port?: string;
  /** Replaces the listen list ("host:port" each). */
  listen?: string[];
  passivePorts?: string;
  externalAddress?: string;
  /** Full-rights users whose home is `root`; when given without `anonymous`, anonymous is off. */
  users?: { name: string; passwordHash: string }[];
  anonymous?: boolean;
  /** Built-in plugin names or plugin file paths, added after the config file's plugins. */
  plugins?: string[];
  webPort?: string;
  /** Where the status page listens (web.host), e.g. 127.0.0.1 to keep it on this machine. */
  webHost?: string;
  dataDir?: string;
  logFormat?: string;
}

export interface ResolveContext {
  /** The config file as the user named it, for messages; absent when there is none. */
  file?: string;
  /** Folder that relative paths in the config file are relative to (the file's folder). */
  baseDir: string;
  /** Folder that relative paths in flags are relative to; defaults to baseDir. */
  cwd?: string;
  flags?: ConfigFlags;
}

/** Parses YAML text, keeping positions; syntax errors throw a ConfigError with every one of them. */
export function parseConfigText(text: string, file?: string): RawConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const where = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    const seen = new Set<string>();
    const problems: ConfigProblem[] = [];
    for (const error of doc.errors) {
      const { line, col } = where(error.pos[0]);
      const message = error.message.split("\n")[0]!;
      const key = `${line}:${col}:${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push({ file, line, col, path: "syntax", message });
    }
    throw new ConfigError(problems);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError([{ file, path: "syntax", message: (error as Error).message }]);
  }
  return { data, locate: (path, at) => locateNode(doc, path, at, where) };
}

function locateNode(
  doc: Document,
  path: ConfigPath,
  at: "key" | "value" = "value",
  where: (offset: number) => { line: number; col: number },
) {
  if (at === "key" && path.length > 0) {
    const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
    if (isMap(parent)) {
      const key = String(path.at(-1));
      const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      if (pair && isScalar(pair.key) && pair.key.range) return where(pair.key.range[0]);
    }
  }
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? doc.contents : doc.getIn(path.slice(0, length), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return where(range[0]);
  }
  return undefined;
}

/**
 * Reads and parses a config file; a missing file or bad YAML throws a ConfigError.
 * `file` is read relative to `cwd` and named in messages as given.
 */
export async function loadConfigFile(file: string, cwd: string = process.cwd()): Promise<RawConfig> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder, not a file" : (error as Error).message;
    throw new ConfigError([{ file, path: "(file)", message }]);
  }
  return parseConfigText(text, file);
}

/**
 * Validates a config file plus command-line flags and resolves them into ServerOptions: defaults
 * applied, groups merged into users, paths absolute, durations in ms. Throws one ConfigError holding
 * every problem found.
 *
 * @example
 * const raw = await loadConfigFile("ftpi.yaml");
 * const options = resolveConfig(raw, { file: "ftpi.yaml", baseDir: process.cwd() });
 */
export function resolveConfig(raw: RawConfig | undefined, context: ResolveContext): ServerOptions {
  const problems: ConfigProblem[] = [];
  const result = v.safeParse(configSchema, raw?.data, { message: defaultMessage });
  if (!result.success) {
    for (const issue of result.issues) problems.push(issueProblem(issue, raw, context.file));
    problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.col ?? 0) - (b.col ?? 0));
  }
  const flags = validateFlags(context.flags ?? {}, problems);
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return assemble(result.output, flags, context, raw);
}

/** Reads `file` (if any) and resolves it with `flags`; relative paths follow the file's folder. */
export async function loadConfig(
  file: string | undefined,
  options: { cwd?: string; flags?: ConfigFlags } = {},
): Promise<ServerOptions> {
  const { problems, options: resolved } = await loadConfigLeniently(file, options);
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved!;
}

/** What loadConfigLeniently found. */
export interface LenientConfig {
  /** Every problem of the file and the flags (none: `options` is what loadConfig returns). */
  problems: ConfigProblem[];
  /**
   * The options, or when there are problems the best that could be resolved: sections and
   * plugins: entries with problems left at their defaults, bad flags left out. Null when the file
   * cannot be read or parsed, or nothing could be resolved.
   */
  options: ServerOptions | null;
  /**
   * A problem found later about `options.plugins[i]` (path "plugins.<i>...") renumbered to the
   * entry's index in the file, which differs when a bad entry before it was left out.
   */
  renumber(problem: ConfigProblem): ConfigProblem;
}

const FLAG_KEYS: Record<string, keyof ConfigFlags> = {
  "--root": "root",
  "--port": "port",
  "--listen": "listen",
  "--passive-ports": "passivePorts",
  "--external-address": "externalAddress",
  "--user": "users",
  "--anonymous": "anonymous",
  "--plugin": "plugins",
  "--web-port": "webPort",
  "--web-host": "webHost",
  "--data-dir": "dataDir",
  "--log-format": "logFormat",
};

/**
 * loadConfig that returns its problems instead of throwing, and with them what could still be
 * resolved, so that `ftpi check` and a refused `ftpi serve` can check the plugins of a config
 * with problems too and list everything at once.
 */
export async function loadConfigLeniently(file: string | undefined, options: { cwd?: string; flags?: ConfigFlags } = {}): Promise<LenientConfig> {
  const same = (problem: ConfigProblem) => problem;
  const cwd = options.cwd ?? process.cwd();
  let raw: RawConfig | undefined;
  try {
    raw = file === undefined ? undefined : await loadConfigFile(file, cwd);
  } catch (error) {
    if (error instanceof ConfigError) return { problems: error.problems, options: null, renumber: same };
    throw error;
  }
  const context: ResolveContext = { file, baseDir: file === undefined ? cwd : dirname(resolve(cwd, file)), cwd, flags: options.flags };
  let problems: ConfigProblem[];
  try {
    return { problems: [], options: resolveConfig(raw, context), renumber: same };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  // Leave out what has problems and resolve the rest.
  const flags: ConfigFlags = { ...options.flags };
  for (const problem of problems) {
    const key = FLAG_KEYS[problem.path];
    if (key) delete flags[key];
  }
  const data = raw?.data;
  let pruned: RawConfig | undefined = raw;
  let kept: number[] | null = null;
  if (data !== undefined && data !== null) {
    if (typeof data !== "object" || Array.isArray(data)) return { problems, options: null, renumber: same };
    const result = v.safeParse(configSchema, data, { message: defaultMessage });
    const copy: Record<string, unknown> = { ...(data as Record<string, unknown>) };
    const badPlugins = new Set<number>();
    for (const issue of result.issues ?? []) {
      const path = (issue.path ?? []).map((item) => item.key as string | number);
      if (path.length === 0) return { problems, options: null, renumber: same };
      if (path[0] === "plugins" && typeof path[1] === "number" && Array.isArray(copy.plugins)) badPlugins.add(path[1]);
      else delete copy[String(path[0])];
    }
    if (badPlugins.size && Array.isArray(copy.plugins)) {
      const entries = copy.plugins as unknown[];
      kept = entries.map((_, i) => i).filter((i) => !badPlugins.has(i));
      copy.plugins = kept.map((i) => entries[i]);
    }
    pruned = {
      data: copy,
      locate: (path, at) => raw!.locate?.(kept && path[0] === "plugins" && typeof path[1] === "number" ? ["plugins", kept[path[1]] ?? path[1], ...path.slice(2)] : path, at),
    };
  }
  let resolved: ServerOptions;
  try {
    resolved = resolveConfig(pruned, { ...context, flags });
  } catch {
    return { problems, options: null, renumber: same };
  }
  const fromFile = kept?.length ?? 0;
  const total = Array.isArray((data as { plugins?: unknown } | undefined)?.plugins) ? ((data as { plugins: unknown[] }).plugins.length) : fromFile;
  const renumber = (problem: ConfigProblem): ConfigProblem => {
    const m = kept && /^plugins\.(\d+)(\..*)?$/.exec(problem.path);
    if (!m) return problem;
    const i = Number(m[1]);
    const original = i < fromFile ? kept![i]! : total + (i - fromFile);
    return { ...problem, path: `plugins.${original}${m[2] ?? ""}` };
  };
  return { problems, options: resolved, renumber };
}

/** What `ftpi serve` runs with no config file and no flags (DESIGN.md, "Defaults a new user gets"). */
export function embeddedDefaults(baseDir: string = process.cwd()): ServerOptions {
  return resolveConfig(undefined, { baseDir });
}

function issueProblem(issue: v.BaseIssue<unknown>, raw: RawConfig | undefined, file: string | undefined): ConfigProblem {
  const path = (issue.path ?? []).map((item) => item.key as string | number);
  const at = issue.path?.at(-1)?.origin === "key" ? "key" : "value";
  const position = raw?.locate?.(path, at);
  return { file, line: position?.line, col: position?.col, path: path.join("."), message: issue.message };
}

// ---------------------------------------------------------------- flags

interface CheckedFlags {
  root?: string;
  port?: number;
  listen?: ListenAddress[];
  passivePorts?: { min: number; max: number };
  externalAddress?: string;
  users: { name: string; passwordHash: string }[];
  anonymous?: boolean;
  plugins: string[];
  webPort?: number;
  webHost?: string;
  dataDir?: string;
  logFormat?: "text" | "json";
}

function validateFlags(flags: ConfigFlags, problems: ConfigProblem[]): CheckedFlags {
  const problem = (flag: string, message: string) => problems.push({ path: flag, message });
  const port = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const result = v.safeParse(listenPortSchema, /^\d+$/.test(text.trim()) ? Number(text) : NaN);
    if (result.success) return result.output;
    problem(flag, `"${text}" is not a port number (0-65535)`);
    return undefined;
  };
  const checked: CheckedFlags = {
    root: flags.root,
    port: port("--port", flags.port),
    webPort: port("--web-port", flags.webPort),
    anonymous: flags.anonymous,
    dataDir: flags.dataDir,
    users: [],
    plugins: [],
  };
  if (flags.listen !== undefined) {
    checked.listen = [];
    for (const text of flags.listen) {
      const address = parseHostPort(text);
      if (typeof address === "string") problem("--listen", address);
      else checked.listen.push(address);
    }
  }
  if (flags.passivePorts !== undefined) {
    const range = parsePortRange(flags.passivePorts);
    if (typeof range === "string") problem("--passive-ports", range);
    else checked.passivePorts = range;
  }
  if (flags.externalAddress !== undefined) {
    if (isHost(flags.externalAddress)) checked.externalAddress = flags.externalAddress;
    else problem("--external-address", `"${flags.externalAddress}" is not an IP address or host name`);
  }
  if (flags.webHost !== undefined) {
    if (isHost(flags.webHost)) checked.webHost = flags.webHost;
    else problem("--web-host", `"${flags.webHost}" is not an IP address or host name`);
  }
  if (flags.logFormat !== undefined) {
    const result = v.safeParse(logFormatSchema, flags.logFormat);
    if (result.success) checked.logFormat = result.output;
    else problem("--log-format", `must be text or json, not "${flags.logFormat}"`);
  }
  for (const text of flags.plugins ?? []) {
    if (looksLikePath(text) || /^[a-z0-9][a-z0-9-]*$/.test(text)) checked.plugins.push(text);
    else problem("--plugin", `"${text}" is neither a built-in plugin name nor a path (start a file path with ./)`);
  }
  const names = new Set<string>();
  for (const user of flags.users ?? []) {
    const result = v.safeParse(userNameSchema, user.name, { message: defaultMessage });
    if (!result.success) problem("--user", `${user.name}: ${result.issues[0].message}`);
    else if (names.has(user.name)) problem("--user", `${user.name}: given twice`);
    else {
      names.add(user.name);
      checked.users.push(user);
    }
  }
  return checked;
}

// ---------------------------------------------------------------- assembly

const noFilter = (): AddressFilter => ({ allow: [], deny: [] });

function localPath(text: string, base: string): string {
  if (text === "~") return homedir();
  if (text.startsWith("~/")) return resolve(homedir(), text.slice(2));
  return resolve(base, text);
}

function assemble(config: ConfigFile, flags: CheckedFlags, context: ResolveContext, raw: RawConfig | undefined) {
  const base = context.baseDir;
  const cwd = context.cwd ?? base;
  const limits = config.limits;
  const ms = (seconds: number) => Math.round(seconds * 1000);

  const root = flags.root !== undefined ? localPath(flags.root, cwd) : localPath(config.anonymous.home, base);
  const accounts: Account[] = [];
  const anonymousEnabled = flags.anonymous ?? (flags.users.length > 0 ? false : config.anonymous.enabled);
  if (anonymousEnabled) {
    accounts.push({
      name: ANONYMOUS_NAMES[0]!,
      passwordHash: null,
      anonymous: true,
      enabled: true,
      home: root,
      permissions: config.anonymous.permissions,
      fxp: config.anonymous.fxp,
      maxSessions: config.anonymous.maxSessions,
      ipFilter: config.anonymous.ipFilter,
      requireTls: config.anonymous.requireTls,
      maxUploadRate: config.anonymous.maxUploadRate,
      maxDownloadRate: config.anonymous.maxDownloadRate,
      quota: { maxBytes: config.anonymous.quota.maxBytes ?? 0, maxFiles: config.anonymous.quota.maxFiles ?? 0 },
    });
  }
  const flagUserNames = new Set(flags.users.map((user) => user.name));
  for (const user of config.users) {
    if (flagUserNames.has(user.name)) continue;
    const group = user.group === undefined ? undefined : config.groups[user.group];
    accounts.push({
      name: user.name,
      passwordHash: user.password,
      anonymous: false,
      enabled: user.enabled,
      home: localPath((user.home ?? group?.home)!, base),
      permissions: user.permissions ?? group?.permissions ?? DEFAULT_USER_PERMISSIONS(),
      fxp: user.fxp ?? group?.fxp ?? false,
      maxSessions: user.maxSessions ?? group?.maxSessions ?? limits.maxSessionsPerUser,
      ipFilter: user.ipFilter ?? group?.ipFilter ?? noFilter(),
      requireTls: user.requireTls ?? group?.requireTls ?? false,
      maxUploadRate: user.maxUploadRate ?? group?.maxUploadRate ?? 0,
      maxDownloadRate: user.maxDownloadRate ?? group?.maxDownloadRate ?? 0,
      quota: {
        maxBytes: user.quota?.maxBytes ?? group?.quota?.maxBytes ?? 0,
        maxFiles: user.quota?.maxFiles ?? group?.quota?.maxFiles ?? 0,
      },
    });
  }
  for (const user of flags.users) {
    accounts.push({
      name: user.name,
      passwordHash: user.passwordHash,
      anonymous: false,
      enabled: true,
      home: root,
      permissions: [{ path: "/", allow: [...ALL_PERMISSIONS], subdirs: true }],
      fxp: false,
      maxSessions: limits.maxSessionsPerUser,
      ipFilter: noFilter(),
    });
  }

  let listen = flags.listen ?? config.listen;
  if (flags.listen === undefined && flags.port !== undefined) {
    const port = flags.port;
    listen = listen.map((address) => ({ host: address.host, port }));
  }

  const plugins: PluginSpec[] = config.plugins.map((entry, index) => {
    const position = raw?.locate?.(["plugins", index]);
    return {
      name: entry.name,
      path: entry.path === null ? null : localPath(entry.path, base),
      options: entry.options,
      source: context.file ? `${context.file}${position ? `:${position.line}:${position.col}` : ""}` : undefined,
    };
  });
  for (const text of flags.plugins) {
    plugins.push(
      looksLikePath(text)
        ? { name: null, path: localPath(text, cwd), options: {}, source: "--plugin" }
        : { name: text, path: null, options: {}, source: "--plugin" },
    );
  }

  const options: ServerOptions = {
    listen,
    passivePorts: flags.passivePorts ?? config.passivePorts,
    externalAddress: flags.externalAddress ?? config.externalAddress,
    banner: config.banner,
    goodbye: config.goodbye,
    syncUploads: config.syncUploads,
    limits: {
      maxClients: limits.maxClients,
      maxSessionsPerIp: limits.maxSessionsPerIp,
      maxSessionsPerUser: limits.maxSessionsPerUser,
      loginTimeoutMs: ms(limits.loginTimeout),
      idleTimeoutMs: ms(limits.idleTimeout),
      maxLoginFailures: limits.maxLoginFailures,
      passiveTimeoutMs: ms(limits.passiveTimeout),
      dataTimeoutMs: ms(limits.dataTimeout),
      maxUploadRate: limits.maxUploadRate,
      maxDownloadRate: limits.maxDownloadRate,
      maxHashSize: limits.maxHashSize,
      shutdownGraceMs: ms(limits.shutdownGrace),
    },
    ipFilter: config.ipFilter,
    accounts,
    dataDir: flags.dataDir !== undefined ? localPath(flags.dataDir, cwd) : localPath(config.dataDir, base),
    log: {
      format: flags.logFormat ?? config.log.format,
      level: config.log.level,
      events: config.log.events,
      xferlog: config.log.xferlog === null ? null : localPath(config.log.xferlog, base),
    },
    plugins,
    web: {
      host: flags.webHost ?? config.web.host,
      port: flags.webPort ?? config.web.port,
      adminPassword: config.web.adminPassword,
      metricsToken: config.web.metricsToken,
    },
    tls: {
      enabled: config.tls.enabled,
      certFile: config.tls.certFile === null ? null : localPath(config.tls.certFile, base),
      keyFile: config.tls.keyFile === null ? null : localPath(config.tls.keyFile, base),
      implicit: config.tls.implicit,
      require: config.tls.require,
      requireSessionReuse: config.tls.requireSessionReuse,
    },
  };
  return options;
}
