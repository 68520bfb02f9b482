import { isIP } from "node:net";
import { posix } from "node:path";
import * as v from "valibot";
import { isValidAddressOrCidr } from "../auth/address-filter.ts";
import { isPasswordHash } from "../auth/password.ts";
import { ALL_PERMISSIONS, type Permission } from "../auth/types.ts";
import { ALL_LOG_EVENTS, DEFAULT_SHUTDOWN_GRACE_MS, type ListenAddress, type LogEvent } from "./types.ts";

/*
 * The ftpi.yaml file as valibot schemas. Every key is optional; the defaults written here are the
 * defaults a new user gets (DESIGN.md), and template.ts spells out the same values.
 * Values stay relative (paths) and in seconds (durations): load.ts turns them into ServerOptions.
 */

type Issue = v.BaseIssue<unknown>;

// ---------------------------------------------------------------- did-you-mean

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The candidate the user most likely meant ("max_clients" → "maxClients", "pasword" → "password"). */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[-_ ]/g, "");
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = squash(word) === squash(candidate) ? 0 : editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return bestDistance <= tolerance ? best : undefined;
}

const hint = (word: string, candidates: readonly string[]) => {
  const match = closestMatch(word, candidates);
  return match ? ` (did you mean "${match}"?)` : "";
};

// ---------------------------------------------------------------- messages

const describeExpected = (expected: string) =>
  expected.replace(/\bObject\b/g, "a mapping (key: value)").replace(/\bArray\b/g, "a list");

/** Message for issues whose schema sets none: short, and never quoting a secret (passwords carry their own). */
export const defaultMessage = (issue: Issue): string => {
  if (issue.kind === "schema" && issue.input === undefined && issue.expected?.startsWith('"')) {
    return `missing required key ${issue.expected}`;
  }
  if (issue.kind === "schema" && issue.expected) {
    return `expected ${describeExpected(issue.expected)}, got ${issue.received}`;
  }
  return issue.message;
};

// ---------------------------------------------------------------- strict objects

type PathItem = v.IssuePathItem;
const keyPath = (input: Record<string, unknown>, key: string): [PathItem] => [
  { type: "object", origin: "key", input, key, value: input[key] },
];
const valuePath = (input: Record<string, unknown>, key: string): PathItem => ({
  type: "object",
  origin: "value",
  input,
  key,
  value: input[key],
});
const itemPath = (input: unknown[], key: number): PathItem => ({
  type: "array",
  origin: "value",
  input,
  key,
  value: input[key],
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * An object that rejects unknown keys, reporting every one of them with a did-you-mean hint
 * (valibot's strictObject stops at the first).
 */
function strict<const E extends v.ObjectEntries>(entries: E) {
  const known = Object.keys(entries);
  return v.pipe(
    v.looseObject(entries),
    v.rawCheck(({ dataset, addIssue }) => {
      const value: unknown = dataset.value;
      if (!isRecord(value)) return;
      for (const key of Object.keys(value)) {
        if (known.includes(key)) continue;
        addIssue({
          message: `unknown key "${key}"${hint(key, known)}`,
          path: keyPath(value, key),
        });
      }
    }),
    v.transform((value) => value as v.InferOutput<v.ObjectSchema<E, undefined>>),
  );
}

/** Optional with no default: an absent key and an empty YAML value (`home:`) both mean "not set". */
const maybe = <S extends v.GenericSchema>(schema: S) =>
  v.pipe(
    v.nullish(schema),
    v.transform((value) => value ?? undefined),
  );

// ---------------------------------------------------------------- scalars

export const MAX_PORT = 65535;

export const portSchema = v.pipe(
  v.number("must be a port number (1-65535)"),
  v.integer("must be a whole port number (1-65535)"),
  v.minValue(1, "must be a port number between 1 and 65535"),
  v.maxValue(MAX_PORT, "must be a port number between 1 and 65535"),
);

/** A port to listen on: 0 asks the OS for a free one (tests, or "off" for the status page). */
export const listenPortSchema = v.pipe(
  v.number("must be a port number (0-65535)"),
  v.integer("must be a whole port number (0-65535)"),
  v.minValue(0, "must be a port number between 0 and 65535"),
  v.maxValue(MAX_PORT, "must be a port number between 0 and 65535"),
);

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

export const isHost = (text: string) => isIP(text) !== 0 || HOSTNAME.test(text);

export const hostSchema = v.pipe(
  v.string("must be an IP address or host name"),
  v.transform((text) => text.replace(/^\[(.*)\]$/, "$1")),
  v.check(isHost, (issue) => `"${String(issue.input)}" is not an IP address or host name`),
);

/** A duration in seconds; setTimeout cannot wait longer than 2^31-1 ms. */
const MAX_SECONDS = 2_147_483;
const secondsSchema = v.pipe(
  v.number("must be a number of seconds"),
  v.gtValue(0, "must be more than 0 seconds"),
  v.maxValue(MAX_SECONDS, `must be at most ${MAX_SECONDS} seconds`),
);

/** Like secondsSchema, but 0 is allowed: "do not wait". */
const secondsOrZeroSchema = v.pipe(
  v.number("must be a number of seconds"),
  v.minValue(0, "must be 0 or more seconds"),
  v.maxValue(MAX_SECONDS, `must be at most ${MAX_SECONDS} seconds`),
);

const countSchema = (min: number) =>
  v.pipe(
    v.number("must be a whole number"),
    v.integer("must be a whole number"),
    v.minValue(min, min === 0 ? "must be 0 (unlimited) or more" : `must be at least ${min}`),
  );

const BYTE_UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
const BYTE_SIZE_HINT = "a number of bytes, or one with a unit like 512K, 10M, 4 GiB (K, M, G, T are powers of 1024)";

/** "512K", "1.5 MiB", "4 GB" → bytes; null when the text is no size. K, M, G, T are powers of 1024. */
export function parseByteSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!match) return null;
  return Math.floor(Number(match[1]) * BYTE_UNITS[match[2]!.toUpperCase()]!);
}

/** A size or a rate in bytes: a whole number, or text with a unit (parseByteSize). 0 means "no limit" where used. */
const byteSizeSchema = v.pipe(
  v.union([v.number(), v.string()], `must be ${BYTE_SIZE_HINT}`),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const value = dataset.value;
    const bytes = typeof value === "number" ? value : parseByteSize(value);
    if (bytes === null || !Number.isSafeInteger(bytes) || bytes < 0) {
      addIssue({ message: typeof value === "number" ? "must be a whole number of bytes, 0 or more" : `"${value}" is not ${BYTE_SIZE_HINT}` });
      return NEVER;
    }
    return bytes;
  }),
);

/** A folder or file on this machine; made absolute by load.ts. */
const localPathSchema = v.pipe(v.string("must be a path"), v.nonEmpty("must not be empty"));

// ---------------------------------------------------------------- listen

/** "host:port", "[v6]:port", ":port" or "port"; an empty host means every IPv4 address. */
export function parseHostPort(text: string): ListenAddress | string {
  const trimmed = text.trim();
  const match = /^\[([^\]]*)\]:(\d+)$/.exec(trimmed) ?? /^([^:[\]]*):(\d+)$/.exec(trimmed) ?? /^()(\d+)$/.exec(trimmed);
  if (!match) {
    return isIP(trimmed) === 6
      ? `"${text}" needs a port; write IPv6 addresses in brackets, like [::]:2121`
      : `"${text}" is not an address like 0.0.0.0:2121 or [::]:2121`;
  }
  const host = match[1] || "0.0.0.0";
  const port = Number(match[2]);
  if (!isHost(host)) return `"${host}" is not an IP address or host name`;
  if (port > MAX_PORT) return `port ${match[2]} is not between 0 and 65535`;
  return { host, port };
}

const listenTextSchema = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const parsed = parseHostPort(dataset.value);
    if (typeof parsed === "string") {
      addIssue({ message: parsed });
      return NEVER;
    }
    return parsed;
  }),
);

const listenObjectSchema = strict({ host: v.nullish(hostSchema, "0.0.0.0"), port: listenPortSchema });

export const listenEntrySchema = v.lazy((input) =>
  typeof input === "string"
    ? listenTextSchema
    : typeof input === "number"
      ? v.pipe(
          listenPortSchema,
          v.transform((port): ListenAddress => ({ host: "0.0.0.0", port })),
        )
      : listenObjectSchema,
);

const listenSchema = v.pipe(
  v.lazy((input) =>
    typeof input === "string" || typeof input === "number"
      ? v.pipe(
          listenEntrySchema,
          v.transform((entry) => [entry]),
        )
      : v.array(listenEntrySchema, "must be a list of addresses like 0.0.0.0:2121"),
  ),
  v.minLength(1, "must list at least one address"),
);

// ---------------------------------------------------------------- passive ports

export function parsePortRange(value: string | number): { min: number; max: number } | string {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(String(value));
  if (!match) return `"${value}" is not a port range like 50000-50100`;
  const min = Number(match[1]);
  const max = Number(match[2] ?? match[1]);
  for (const port of [min, max]) {
    if (port < 1 || port > MAX_PORT) return `port ${port} is not between 1 and 65535`;
  }
  if (min > max) return `the range ${min}-${max} runs backwards; write ${max}-${min}`;
  return { min, max };
}

export const passivePortsSchema = v.pipe(
  v.union([v.string(), v.number()], "must be a port range like 50000-50100"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const range = parsePortRange(dataset.value);
    if (typeof range === "string") {
      addIssue({ message: range });
      return NEVER;
    }
    return range;
  }),
);

// ---------------------------------------------------------------- address filters

const addressSchema = v.pipe(
  v.string("must be an IP address or CIDR range, like 192.168.1.0/24"),
  v.check(
    (text) => isValidAddressOrCidr(text),
    (issue) => `"${String(issue.input)}" is not an IP address or CIDR range (like 192.168.1.0/24 or 2001:db8::/32)`,
  ),
);

const addressFilterSchema = strict({
  allow: v.nullish(v.array(addressSchema, "must be a list of addresses"), () => []),
  deny: v.nullish(v.array(addressSchema, "must be a list of addresses"), () => []),
});

// ---------------------------------------------------------------- permissions

const PERMISSION_WORDS = [...ALL_PERMISSIONS, "all"];

/** Checks permission words (one name, "all", or a comma list) and expands them to Permission[]. */
function permissionWords(words: string[], addIssue: (message: string, index: number) => void): Permission[] {
  const granted = new Set<Permission>();
  words.forEach((word, index) => {
    const name = word.trim().toLowerCase();
    if (name === "all") ALL_PERMISSIONS.forEach((p) => granted.add(p));
    else if ((ALL_PERMISSIONS as readonly string[]).includes(name)) granted.add(name as Permission);
    else {
      addIssue(
        `unknown permission "${word.trim()}"${hint(name, PERMISSION_WORDS)}; use ${ALL_PERMISSIONS.join(", ")} or all`,
        index,
      );
    }
  });
  return ALL_PERMISSIONS.filter((p) => granted.has(p));
}

const allowTextSchema = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    let failed = false;
    const words = dataset.value.split(",").filter((word) => word.trim() !== "");
    const allow = permissionWords(words, (message) => {
      failed = true;
      addIssue({ message });
    });
    return failed ? NEVER : allow;
  }),
);

const allowListSchema = v.pipe(
  v.array(v.string("must be a permission name"), "must be a list of permissions, or a comma list like read,list"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    let failed = false;
    const list = dataset.value;
    const allow = permissionWords(list, (message, index) => {
      failed = true;
      addIssue({ message, path: [itemPath(list, index)] });
    });
    return failed ? NEVER : allow;
  }),
);

const allowSchema = v.lazy((input) => (typeof input === "string" ? allowTextSchema : allowListSchema));

/** A folder as the logged-in user sees it: "/upload", never "upload" or "/upload/". */
const virtualPathSchema = v.pipe(
  v.string('must be a folder path like "/upload"'),
  v.check(
    (text) => text.startsWith("/"),
    'must be a folder path as the user sees it, starting with "/" (like /upload)',
  ),
  v.transform((text) => {
    const normal = posix.normalize(text);
    return normal.length > 1 ? normal.replace(/\/+$/, "") : normal;
  }),
);

const permissionRuleSchema = strict({
  path: virtualPathSchema,
  allow: allowSchema,
  subdirs: v.nullish(v.boolean("must be true or false"), true),
});

const permissionRulesSchema = v.pipe(
  v.array(permissionRuleSchema, "must be a list of {path, allow, subdirs} rules, or a permission list like read,list"),
  v.rawCheck<v.InferOutput<typeof permissionRuleSchema>[]>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const rules = dataset.value;
    const seen = new Set<string>();
    rules.forEach((rule, index) => {
      if (!isRecord(rule) || typeof rule.path !== "string") return;
      if (seen.has(rule.path)) {
        addIssue({
          message: `a second rule for "${rule.path}"; merge it into the first`,
          path: [itemPath(rules, index), valuePath(rule, "path")],
        });
      }
      seen.add(rule.path);
    });
  }),
);

/** A rule list, or the shorthand `permissions: read,list` (one rule on "/" and everything below). */
export const permissionsSchema = v.lazy((input) =>
  typeof input === "string"
    ? v.pipe(
        allowTextSchema,
        v.transform((allow) => [{ path: "/", allow, subdirs: true }]),
      )
    : permissionRulesSchema,
);

const ANONYMOUS_PERMISSIONS = () => [
  { path: "/", allow: ["read", "list"], subdirs: true },
  { path: "/upload", allow: ["read", "list", "write", "append", "mkdir"], subdirs: true },
];

/** What a named user may do when neither the user nor the group says: everything, inside the home. */
export const DEFAULT_USER_PERMISSIONS = () => [{ path: "/", allow: [...ALL_PERMISSIONS], subdirs: true }];

// ---------------------------------------------------------------- accounts

/** Login names of the anonymous account (RFC 1635); they cannot name a user. */
export const ANONYMOUS_NAMES = ["anonymous", "ftp"];

export const userNameSchema = v.pipe(
  v.string("must be a user name"),
  v.regex(/^[^\s:/\\\p{Cc}]{1,64}$/u, "must be 1-64 characters without spaces, ':', '/' or '\\'"),
  v.check(
    (name) => !ANONYMOUS_NAMES.includes(name.toLowerCase()),
    (issue) => `"${String(issue.input)}" is the anonymous login; configure it under anonymous: instead`,
  ),
);

const passwordSchema = v.pipe(
  v.string('must be a password hash in quotes, made by "ftpi passwd"'),
  v.check(
    (text) => isPasswordHash(text),
    'is not a password hash; plain passwords are not accepted: run "ftpi passwd", type the password, and paste the "$scrypt$..." line it prints here',
  ),
);

const groupNameSchema = v.pipe(
  v.string(),
  v.regex(/^[\w.-]{1,64}$/, "group names are 1-64 letters, digits, '.', '-' or '_'"),
);

/** Each limit is kept apart, so a user's own maxFiles and its group's maxBytes combine. */
const quotaSchema = strict({
  maxBytes: maybe(byteSizeSchema),
  maxFiles: maybe(countSchema(0)),
});

const accountSettings = {
  home: maybe(localPathSchema),
  permissions: maybe(permissionsSchema),
  fxp: maybe(v.boolean("must be true or false")),
  maxSessions: maybe(countSchema(0)),
  ipFilter: maybe(addressFilterSchema),
  requireTls: maybe(v.boolean("must be true or false")),
  maxUploadRate: maybe(byteSizeSchema),
  maxDownloadRate: maybe(byteSizeSchema),
  quota: maybe(quotaSchema),
};

const groupSchema = strict(accountSettings);

const userSchema = strict({
  name: userNameSchema,
  password: passwordSchema,
  enabled: v.nullish(v.boolean("must be true or false"), true),
  group: maybe(v.string("must be a group name")),
  ...accountSettings,
});

const anonymousObjectSchema = strict({
  enabled: v.nullish(v.boolean("must be true or false"), true),
  home: v.nullish(localPathSchema, "./ftp-root"),
  permissions: v.nullish(permissionsSchema, ANONYMOUS_PERMISSIONS),
  fxp: v.nullish(v.boolean("must be true or false"), false),
  /** 0: the anonymous login is shared by every visitor, so it gets no per-account cap by default. */
  maxSessions: v.nullish(countSchema(0), 0),
  ipFilter: v.nullish(addressFilterSchema, () => ({})),
  requireTls: v.nullish(v.boolean("must be true or false"), false),
  /** Shared by every anonymous visitor together, like the login itself. */
  maxUploadRate: v.nullish(byteSizeSchema, 0),
  maxDownloadRate: v.nullish(byteSizeSchema, 0),
  quota: v.nullish(quotaSchema, () => ({})),
});

/** `anonymous: false` is short for `anonymous: { enabled: false }`. */
const anonymousSchema = v.lazy((input) =>
  typeof input === "boolean"
    ? v.pipe(
        v.boolean(),
        v.transform((enabled) => v.parse(anonymousObjectSchema, { enabled })),
      )
    : anonymousObjectSchema,
);

// ---------------------------------------------------------------- log and plugins

const LOG_EVENT_WORDS = [...ALL_LOG_EVENTS, "all"];

const logEventsSchema = v.pipe(
  v.lazy((input) =>
    typeof input === "string"
      ? v.pipe(
          v.string(),
          v.transform((text) => text.split(",").map((word) => word.trim()).filter(Boolean)),
        )
      : v.array(v.string("must be an event name"), "must be a list of event names"),
  ),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const words = dataset.value;
    const events = new Set<LogEvent>();
    let failed = false;
    words.forEach((word, index) => {
      if (word === "all") ALL_LOG_EVENTS.forEach((event) => events.add(event));
      else if ((ALL_LOG_EVENTS as readonly string[]).includes(word)) events.add(word as LogEvent);
      else {
        failed = true;
        addIssue({
          message: `unknown event "${word}"${hint(word, LOG_EVENT_WORDS)}; use ${ALL_LOG_EVENTS.join(", ")} or all`,
          path: [itemPath(words, index)],
        });
      }
    });
    return failed ? NEVER : ALL_LOG_EVENTS.filter((event) => events.has(event));
  }),
);

export const DEFAULT_LOG_EVENTS: LogEvent[] = ALL_LOG_EVENTS.filter((event) => event !== "cwd" && event !== "command");

export const LOG_FORMATS = ["text", "json"] as const;
export const logFormatSchema = v.picklist(LOG_FORMATS, (issue) => `must be text or json, not ${issue.received}`);

const logSchema = strict({
  format: v.nullish(logFormatSchema, "text"),
  level: v.nullish(
    v.picklist(["info", "debug"], (issue) => `must be info or debug, not ${issue.received}`),
    "info",
  ),
  events: v.nullish(logEventsSchema, () => [...DEFAULT_LOG_EVENTS]),
  xferlog: v.nullish(localPathSchema, null),
});

export interface PluginEntry {
  name: string | null;
  /** As written; load.ts makes it absolute. */
  path: string | null;
  options: unknown;
}

/** A plugin given as one word: a path when it looks like one, else a built-in plugin's name. */
export const looksLikePath = (text: string) => /^[./~]|[/\\]|\.[cm]?[jt]s$/.test(text);

const pluginNameSchema = v.pipe(
  v.string("must be a plugin name"),
  v.regex(/^[a-z0-9][a-z0-9-]*$/, "plugin names are lowercase letters, digits and '-'; give a file as path:"),
);

const pluginObjectSchema = strict({
  name: maybe(pluginNameSchema),
  path: maybe(localPathSchema),
  options: v.optional(v.unknown()),
});

export const pluginEntrySchema = v.lazy((input) =>
  typeof input === "string"
    ? v.pipe(
        v.string(),
        v.nonEmpty("must be a plugin name or a path"),
        v.transform((text): PluginEntry =>
          looksLikePath(text) ? { name: null, path: text, options: {} } : { name: text, path: null, options: {} },
        ),
        v.check(
          (entry) => entry.name === null || /^[a-z0-9][a-z0-9-]*$/.test(entry.name),
          "plugin names are lowercase letters, digits and '-'; start a file path with ./",
        ),
      )
    : v.pipe(
        pluginObjectSchema,
        v.rawCheck<v.InferOutput<typeof pluginObjectSchema>>(({ dataset, addIssue }) => {
          if (!dataset.typed) return;
          const { name, path } = dataset.value;
          if ((name === undefined) === (path === undefined)) {
            addIssue({ message: "give either name: (a built-in plugin) or path: (a plugin file), not both or neither" });
          }
        }),
        v.transform(
          (entry): PluginEntry => ({ name: entry.name ?? null, path: entry.path ?? null, options: entry.options ?? {} }),
        ),
      ),
);

// ---------------------------------------------------------------- the file

const limitsSchema = strict({
  maxClients: v.nullish(countSchema(1), 50),
  maxSessionsPerIp: v.nullish(countSchema(1), 8),
  maxSessionsPerUser: v.nullish(countSchema(0), 8),
  loginTimeout: v.nullish(secondsSchema, 60),
  idleTimeout: v.nullish(secondsSchema, 600),
  maxLoginFailures: v.nullish(countSchema(1), 3),
  passiveTimeout: v.nullish(secondsSchema, 30),
  dataTimeout: v.nullish(secondsSchema, 300),
  maxUploadRate: v.nullish(byteSizeSchema, 0),
  maxDownloadRate: v.nullish(byteSizeSchema, 0),
  maxHashSize: v.nullish(byteSizeSchema, 4 * 1024 ** 3),
  /** Seconds running transfers get to finish on SIGTERM/SIGINT; 0 cuts them at once. */
  shutdownGrace: v.nullish(secondsOrZeroSchema, DEFAULT_SHUTDOWN_GRACE_MS / 1000),
});

const webSchema = strict({
  host: v.nullish(hostSchema, "0.0.0.0"),
  /** 0 turns the status page off. */
  port: v.nullish(listenPortSchema, 8080),
  /** The admin login's hash; unset: FTPI_ADMIN_PASSWORD, else one generated on first start. */
  adminPassword: v.nullish(passwordSchema, null),
  /** A bearer token Prometheus may send to /metrics instead of the admin login. */
  metricsToken: v.nullish(
    v.pipe(
      v.string("must be text"),
      // A scraper token sits in a config file in clear: long and random is its only protection.
      v.minLength(16, "must be at least 16 characters; make one with: openssl rand -hex 24"),
    ),
    null,
  ),
});

const tlsSchema = v.pipe(
  strict({
    enabled: v.nullish(v.boolean("must be true or false"), true),
    certFile: v.nullish(localPathSchema, null),
    keyFile: v.nullish(localPathSchema, null),
    implicit: v.nullish(
      v.lazy((input) =>
        typeof input === "string" || typeof input === "number"
          ? v.pipe(
              listenEntrySchema,
              v.transform((entry) => [entry]),
            )
          : v.array(listenEntrySchema, "must be a list of addresses like 0.0.0.0:990"),
      ),
      () => [],
    ),
    require: v.nullish(v.boolean("must be true or false"), false),
    requireSessionReuse: v.nullish(v.boolean("must be true or false"), true),
  }),
  v.forward(
    v.check((tls) => (tls.certFile === null) === (tls.keyFile === null), "certFile and keyFile go together: give both, or neither for a self-signed pair"),
    ["certFile"],
  ),
);

export const DEFAULT_BANNER = "Welcome to ftpi.";
export const DEFAULT_GOODBYE = "Goodbye.";

const fileSchema = strict({
  listen: v.nullish(listenSchema, () => ["0.0.0.0:2121"]),
  passivePorts: v.nullish(passivePortsSchema, "50000-50100"),
  externalAddress: v.nullish(hostSchema, null),
  banner: v.nullish(v.string("must be text"), DEFAULT_BANNER),
  goodbye: v.nullish(v.string("must be text"), DEFAULT_GOODBYE),
  /** fsync every upload before its 226 (see LocalStorageOptions.syncUploads). */
  syncUploads: v.nullish(v.boolean("must be true or false"), true),
  limits: v.nullish(limitsSchema, () => ({})),
  ipFilter: v.nullish(addressFilterSchema, () => ({})),
  anonymous: v.nullish(anonymousSchema, () => ({})),
  groups: v.nullish(v.record(groupNameSchema, groupSchema, "must be a mapping of group names"), () => ({})),
  users: v.nullish(v.array(userSchema, "must be a list of users"), () => []),
  dataDir: v.nullish(localPathSchema, "./ftpi-data"),
  web: v.nullish(webSchema, () => ({})),
  tls: v.nullish(tlsSchema, () => ({})),
  log: v.nullish(logSchema, () => ({})),
  plugins: v.nullish(v.array(pluginEntrySchema, "must be a list of plugins"), () => []),
});

/** Checks between sections: unique user names, groups that exist, a home for every user. */
const crossReferences = v.rawCheck<v.InferOutput<typeof fileSchema>>(({ dataset, addIssue }) => {
  const file: unknown = dataset.value;
  if (!isRecord(file) || !Array.isArray(file.users)) return;
  const users: unknown[] = file.users;
  const groups = isRecord(file.groups) ? file.groups : {};
  const firstIndexByName = new Map<string, number>();
  users.forEach((user, index) => {
    if (!isRecord(user)) return;
    const at = (key: string): [PathItem, ...PathItem[]] => [
      valuePath(file, "users"),
      itemPath(users, index),
      valuePath(user, key),
    ];
    if (typeof user.name === "string") {
      const first = firstIndexByName.get(user.name);
      if (first !== undefined) {
        addIssue({ message: `user "${user.name}" is already defined as users.${first}`, path: at("name") });
      } else firstIndexByName.set(user.name, index);
    }
    let group: unknown;
    if (typeof user.group === "string") {
      if (!Object.hasOwn(groups, user.group)) {
        const names = Object.keys(groups);
        addIssue({
          message: `no group "${user.group}" under groups:${hint(user.group, names)}`,
          path: at("group"),
        });
        return;
      }
      group = groups[user.group];
    }
    if (user.home == null && !(isRecord(group) && group.home != null)) {
      addIssue({ message: "has no home folder: set home: here or in its group", path: at("home") });
    }
  });
});

/** The whole ftpi.yaml; an empty file is the defaults. */
export const configSchema = v.nullish(v.pipe(fileSchema, crossReferences), () => ({}));

/** ftpi.yaml after validation: defaults applied, values still as written (relative paths, seconds). */
export type ConfigFile = v.InferOutput<typeof configSchema>;
export type UserEntry = ConfigFile["users"][number];
export type GroupEntry = ConfigFile["groups"][string];
