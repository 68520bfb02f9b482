import { describe, expect, it } from "vitest";
import { createLogger, type LoggerOptions } from "../../core/log/logger.ts";

const NOW = new Date("2026-11-23T18:00:00.000Z");

function capture(options: Omit<LoggerOptions, "out" | "now">) {
  const lines: string[] = [];
  const log = createLogger({ ...options, out: (line) => lines.push(line), now: () => NOW });
  return { log, lines };
}

describe("text format", () => {
  it("writes time, padded level, message and fields", () => {
    const { log, lines } = capture({ format: "text", level: "info" });
    log.info("login", { user: "alice", ip: "10.0.0.5", ok: true, n: 3 });
    log.error("failed");
    expect(lines).toEqual([
      "2026-11-23T18:00:00.000Z INFO  login user=alice ip=10.0.0.5 ok=true n=3",
      "2026-11-23T18:00:00.000Z ERROR failed",
    ]);
  });

  it("quotes values with spaces, quotes, '=' or control characters", () => {
    const { log, lines } = capture({ format: "text", level: "info" });
    log.info("upload", { path: "/my music/a.mp3", q: 'say "hi"', eq: "a=b", nl: "a\nb", empty: "" });
    expect(lines[0]).toBe(
      '2026-11-23T18:00:00.000Z INFO  upload path="/my music/a.mp3" q="say \\"hi\\"" eq="a=b" nl="a\\nb" empty=""',
    );
  });

  it("keeps a message with newlines on one line", () => {
    const { log, lines } = capture({ format: "text", level: "info" });
    log.info("user x\r\n2026-11-23T18:00:00.000Z INFO  forged");
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\r\n]/);
    expect(lines[0]).toContain("user x\\r\\n2026");
  });

  it("writes objects, errors and dates readably", () => {
    const { log, lines } = capture({ format: "text", level: "info" });
    log.warn("odd", { err: new TypeError("boom"), at: new Date(0), obj: { a: 1 }, big: 10n, none: undefined, nul: null });
    expect(lines[0]).toBe(
      '2026-11-23T18:00:00.000Z WARN  odd err="TypeError: boom" at=1970-01-01T00:00:00.000Z obj={"a":1} big=10 nul=null',
    );
  });
});

describe("JSON format", () => {
  it("writes one object per line, time/level/msg first", () => {
    const { log, lines } = capture({ format: "json", level: "info" });
    log.info("login", { user: "alice", n: 3 });
    expect(lines[0]).toBe('{"time":"2026-11-23T18:00:00.000Z","level":"info","msg":"login","user":"alice","n":3}');
  });

  it("does not let fields override time, level or msg", () => {
    const { log, lines } = capture({ format: "json", level: "info" });
    log.info("real", { msg: "fake", level: "error", toString: "x" });
    expect(JSON.parse(lines[0]!)).toEqual({ time: NOW.toISOString(), level: "info", msg: "real", toString: "x" });
  });

  it("survives circular fields", () => {
    const { log, lines } = capture({ format: "json", level: "info" });
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    log.info("loop", { a });
    expect(JSON.parse(lines[0]!).a).toEqual({ name: "a", self: "[circular]" });
  });
});

describe("levels", () => {
  it("drops debug lines at info level", () => {
    const { log, lines } = capture({ format: "text", level: "info" });
    log.debug("hidden");
    log.info("shown");
    log.warn("shown too");
    expect(lines).toEqual([
      "2026-11-23T18:00:00.000Z INFO  shown",
      "2026-11-23T18:00:00.000Z WARN  shown too",
    ]);
  });

  it("writes debug lines at debug level", () => {
    const { log, lines } = capture({ format: "text", level: "debug" });
    log.debug("visible");
    expect(lines[0]).toBe("2026-11-23T18:00:00.000Z DEBUG visible");
  });

  it("can be limited to warnings and errors", () => {
    const { log, lines } = capture({ format: "json", level: "warn" });
    log.info("no");
    log.warn("yes");
    log.error("yes");
    expect(lines).toHaveLength(2);
  });
});

describe("child loggers", () => {
  it("add their fields to every line, nested children too", () => {
    const { log, lines } = capture({ format: "text", level: "info" });
    const session = log.child({ session: 7, ip: "10.0.0.5" });
    session.info("connect");
    session.child({ user: "alice" }).info("login", { ok: true });
    log.info("parent unchanged");
    expect(lines).toEqual([
      "2026-11-23T18:00:00.000Z INFO  connect session=7 ip=10.0.0.5",
      "2026-11-23T18:00:00.000Z INFO  login session=7 ip=10.0.0.5 user=alice ok=true",
      "2026-11-23T18:00:00.000Z INFO  parent unchanged",
    ]);
  });

  it("let a call's fields win over the child's", () => {
    const { log, lines } = capture({ format: "json", level: "info" });
    log.child({ user: "anonymous" }).info("login", { user: "alice" });
    expect(JSON.parse(lines[0]!).user).toBe("alice");
  });
});

describe("passwords", () => {
  it.each(["text", "json"] as const)("are never written (%s)", (format) => {
    const { log, lines } = capture({ format, level: "debug" });
    log.debug("login", { user: "alice", password: "hunter2" });
    log.info("cmd", { pass: "hunter2", nested: { Password: "hunter2", list: [{ PASS: "hunter2" }] } });
    log.child({ passwd: "hunter2" }).warn("child");
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).not.toContain("hunter2");
    }
    expect(lines[0]).toContain(format === "json" ? '"password":"***"' : "password=***");
  });
});

describe("default output", () => {
  it("writes to stdout when no out is given", () => {
    const written: string[] = [];
    const original = process.stdout.write;
    process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
    try {
      createLogger({ format: "text", level: "info", now: () => NOW }).info("hello");
    } finally {
      process.stdout.write = original;
    }
    expect(written).toEqual(["2026-11-23T18:00:00.000Z INFO  hello\n"]);
  });
});
