/** Levels in increasing severity; a logger drops lines below its own level. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. `{ session: 12, ip: "10.0.0.5" }`). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  format: "text" | "json";
  level: LogLevel;
  /** Receives each line without its newline; default: stdout. */
  out?: (line: string) => void;
  /** Clock, for tests. */
  now?: () => Date;
}

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Never log a password: these field names are masked at any depth, whoever passed them. */
const SECRET_FIELD = /^(pass|password|passwd)$/i;
const MASK = "***";

/** Fields made safe to serialise: secrets masked, errors and bigints turned into text. */
function clean(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => clean(v, seen));
  const out: LogFields = {};
  for (const [key, v] of Object.entries(value)) out[key] = SECRET_FIELD.test(key) ? MASK : clean(v, seen);
  return out;
}

/** key=value; a value with spaces, quotes, "=" or control characters is JSON-quoted. */
function textField(key: string, value: unknown): string {
  if (typeof value === "string") {
    return /^[^\s"=\\\p{Cc}]+$/u.test(value) ? `${key}=${value}` : `${key}=${JSON.stringify(value)}`;
  }
  if (value === undefined) return `${key}=undefined`;
  if (typeof value === "object" && value !== null) return `${key}=${JSON.stringify(value)}`;
  return `${key}=${String(value)}`;
}

/** A message must stay on one line, or a user name with a newline could forge log lines. */
function oneLine(msg: string): string {
  return msg.replace(/[\r\n\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1));
}

function formatText(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  const parts = [time.toISOString(), level.toUpperCase().padEnd(5, " "), oneLine(msg)];
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) parts.push(textField(key, value));
  return parts.join(" ");
}

/** One JSON object per line; time, level and msg come first and cannot be overridden by fields. */
function formatJson(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  const record: LogFields = { time: time.toISOString(), level, msg };
  for (const [key, value] of Object.entries(fields)) if (!Object.hasOwn(record, key)) record[key] = value;
  return JSON.stringify(record);
}

/**
 * A logger writing one line per call, as text or JSON lines.
 *
 * @example
 * const log = createLogger({ format: "text", level: "info" });
 * log.child({ session: 7 }).info("login", { user: "alice", password: "hunter2" });
 * // 2026-11-23T18:00:00.000Z INFO  login session=7 user=alice password=***
 */
export function createLogger(options: LoggerOptions): Logger {
  const out = options.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const threshold = SEVERITY[options.level];
  const format = options.format === "json" ? formatJson : formatText;

  const make = (base: LogFields): Logger => {
    const write = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (SEVERITY[level] < threshold) return;
      const all = clean({ ...base, ...fields }) as LogFields;
      let line: string;
      try {
        line = format(now(), level, String(msg), all);
      } catch (err) {
        // Logging must never take a session down; say what could not be written instead.
        line = format(now(), level, String(msg), { logError: String(err) });
      }
      out(line);
    };
    return {
      debug: (msg, fields) => write("debug", msg, fields),
      info: (msg, fields) => write("info", msg, fields),
      warn: (msg, fields) => write("warn", msg, fields),
      error: (msg, fields) => write("error", msg, fields),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make({});
}
