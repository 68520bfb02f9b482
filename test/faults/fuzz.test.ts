import { createHash, randomBytes, randomInt } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, expect, it } from "vitest";
import { COMMANDS } from "../../core/commands/table.ts";
import { ControlClient, readAll } from "../support/control.ts";
import { sleep } from "../support/wait.ts";
import { crashSigns, startChildServer, type ChildServer } from "./child.ts";

// Bounded in time and count; FTPI_FUZZ_SEED replays the inputs of a failed run (each connection
// draws from its own generator, so its bytes do not depend on how the others were scheduled).
const SEED = process.env.FTPI_FUZZ_SEED ? Number(process.env.FTPI_FUZZ_SEED) >>> 0 : randomInt(2 ** 31);
const BUDGET_MS = Number(process.env.FTPI_FUZZ_MS ?? 15_000);
const MAX_CONNECTIONS = Number(process.env.FTPI_FUZZ_CONNECTIONS ?? 800);
const PARALLEL = 24;
const CONNECTION_MS = 2_500;

const ALL_STATES = ["fresh", "afterUser", "loggedIn", "transfer", "afterRein", "tls"] as const;
type State = (typeof ALL_STATES)[number];
// FTPI_FUZZ_STATES=transfer,tls narrows a run down to some states, to corner a failure.
const STATES = ALL_STATES.filter((s) => !process.env.FTPI_FUZZ_STATES || process.env.FTPI_FUZZ_STATES.split(",").includes(s));

/** mulberry32: small, fast, and the same sequence on every machine for a seed. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

const VERBS = Object.keys(COMMANDS);
const IAC = 0xff;
const CRLF = Buffer.from("\r\n");
const LINE_ENDS = [CRLF, CRLF, CRLF, Buffer.from("\n"), Buffer.from("\r"), Buffer.from("\r\0"), Buffer.from("\n\r"), Buffer.from("")];
const TELNET = [[IAC, 0xf4], [IAC, 0xf2], [IAC, 0xfb, 1], [IAC, 0xfd, 3], [IAC, 0xfe, 0], [IAC, IAC], [IAC], [IAC, 0xf0], [IAC, 0xfa, 0x18, 1]].map((b) => Buffer.from(b));
const BAD_UTF8 = [[0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0xbc], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xfe]].map((b) => Buffer.from(b));
// Names the fuzz may touch; the fixtures it must not reach are named otherwise.
const NAMES = ["", ".", "..", "/", "small.txt", "dir", "dir/sub", "dir/../small.txt", "new.bin", "x y  z", "ünïcödé.txt", "../../../../etc/passwd", "..\\..\\windows", "%2e%2e%2f", "-la", "-la dir", "-a", "*", "~", "//", "a".repeat(300), "nested/deeper/still", "dir/", "./dir/./sub/.."];

function garbageText(r: Random): string {
  const alphabet = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~\tüé中😀";
  const chars = [...alphabet];
  let s = "";
  for (let i = r.int(40); i > 0; i--) s += r.pick(chars);
  return s;
}

function numberText(r: Random): string {
  return r.pick(["0", "1", "-1", "17", "4096", "1048576", "999999999999999", "99999999999999999999", "1e9", "0x10", "NaN", " 5", "5 ", String(r.int(2 ** 31))]);
}

/** PORT/EPRT never name a local port the fuzz does not own: the sink, or targets the server must refuse. */
function portArg(r: Random, sink: number): string {
  const hi = sink >> 8;
  const lo = sink & 255;
  return r.pick([`127,0,0,1,${hi},${lo}`, `127,0,0,1,0,21`, `10,0,0,1,${hi},${lo}`, `127,0,0,2,${hi},${lo}`, "1,2,3", "256,0,0,1,1,1", "127,0,0,1,300,1", "", "a,b,c,d,e,f", garbageText(r).replace(/\d/g, "")]);
}

function eprtArg(r: Random, sink: number): string {
  return r.pick([`|1|127.0.0.1|${sink}|`, `|2|::1|${sink}|`, `|1|127.0.0.2|${sink}|`, `|1|127.0.0.1|21|`, `|3|x|${sink}|`, "|1|127.0.0.1|0|", "|1|127.0.0.1|70000|", "||||", "garbage", `!1!127.0.0.1!${sink}!`, ""]);
}

function argFor(r: Random, verb: string, sink: number): string {
  const name = () => (r.chance(0.8) ? r.pick(NAMES) : garbageText(r));
  switch (verb) {
    case "USER":
      return r.pick(["alice", "alice", "anonymous", "ftp", "root", "", garbageText(r)]);
    case "PASS":
      return r.pick(["secret", "secret", "wrong", "", garbageText(r)]);
    case "PORT":
      return portArg(r, sink);
    case "EPRT":
      return eprtArg(r, sink);
    case "TYPE":
      return r.pick(["A", "I", "A N", "L 8", "E", "L 7", "A T", "X", "i", "", garbageText(r)]);
    case "MODE":
    case "STRU":
      return r.pick(["S", "F", "B", "C", "R", "P", "Z", "", garbageText(r)]);
    case "REST":
    case "ALLO":
      return numberText(r);
    case "MFMT":
      return `${r.pick(["20200101000000", "99999999999999", "20201301256161", "2020", "", garbageText(r)])} ${name()}`;
    case "OPTS":
      return r.pick(["UTF8 ON", "UTF8 OFF", "UTF8", "MLST type;size;", "MLST ", `MLST ${garbageText(r)}`, garbageText(r)]);
    case "AUTH":
      return r.pick(["TLS", "SSL", "TLS-C", "TLS-P", "KERBEROS", ""]);
    case "PBSZ":
      return r.pick(["0", "1", "x", "99999999999999999999"]);
    case "PROT":
      return r.pick(["P", "C", "S", "E", "X", ""]);
    case "SITE":
      return r.pick(["HELP", "CHMOD 777 small.txt", "", garbageText(r)]);
    case "EPSV":
      return r.pick(["", "1", "2", "ALL", garbageText(r)]);
    case "HELP":
      return r.pick(["", r.pick(VERBS), "SITE", garbageText(r)]);
    default:
      return r.chance(0.1) ? numberText(r) : name();
  }
}

/** Bytes that break the line: controls, Telnet commands, invalid UTF-8, lost or doubled parts. */
function mutate(r: Random, line: Buffer): Buffer {
  let b = line;
  for (let n = r.between(1, 3); n > 0; n--) {
    const at = r.int(b.length + 1);
    switch (r.int(5)) {
      case 0:
        b = Buffer.concat([b.subarray(0, at), Buffer.from([r.pick([0, 0x0d, 0x0a, 0x7f, 0x1b, 0x09])]), b.subarray(at)]);
        break;
      case 1:
        b = Buffer.concat([b.subarray(0, at), r.pick(TELNET), b.subarray(at)]);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), r.pick(BAD_UTF8), b.subarray(at)]);
        break;
      case 3:
        b = b.subarray(0, at);
        break;
      default:
        b = Buffer.concat([b, b.subarray(at)]);
    }
  }
  return b;
}

function commandLine(r: Random, sink: number): Buffer {
  const verb = r.chance(0.9) ? r.pick(VERBS) : garbageText(r).replace(/\s/g, "").slice(0, 8);
  const spelled = r.chance(0.2) ? verb.toLowerCase() : verb;
  const sep = r.pick([" ", " ", " ", "  ", "\t", ""]);
  let line: Buffer = Buffer.from(r.chance(0.9) ? `${spelled}${sep}${argFor(r, verb, sink)}` : spelled, "utf8");
  // PORT/EPRT lines stay as built: a mutation could aim the server at someone else's local port.
  if (!/^(PORT|EPRT)$/i.test(verb) && r.chance(0.3)) line = mutate(r, line);
  return Buffer.concat([line, r.pick(LINE_ENDS)]);
}

function rawChunk(r: Random, sink: number): Buffer {
  switch (r.int(9)) {
    case 0:
      return r.bytes(r.between(1, 300));
    case 1:
      return Buffer.concat(Array.from({ length: r.between(1, 8) }, () => r.pick(TELNET)));
    case 2: // around the 2048-byte line limit
      return Buffer.concat([Buffer.alloc(r.between(2040, 2060), r.pick([0x41, 0x20, 0x2f])), r.pick(LINE_ENDS)]);
    case 3: // far over it, often with a command hidden in the tail
      return Buffer.concat([Buffer.alloc(r.between(4_000, 300_000), 0x41), Buffer.from(r.chance(0.5) ? "DELE small.txt" : ""), CRLF]);
    case 4:
      return Buffer.concat([Buffer.from(r.pick(["CWD ", "MKD ", "STAT ", "USER ", "SIZE ", "RNFR "])), ...Array.from({ length: r.between(1, 4) }, () => r.pick(BAD_UTF8)), CRLF]);
    case 5: // pipelined bursts
      return Buffer.from(r.pick(["NOOP\r\n", "HELP\r\n", "PWD\r\n", "FEAT\r\n", "STAT\r\n", "PASV\r\n", "ABOR\r\n"]).repeat(r.between(10, 400)));
    case 6:
      return Buffer.from(r.pick(["\r\n", "\n", "\r", " \r\n", "\0"]).repeat(r.between(1, 200)));
    case 7: // a command split across writes
      return commandLine(r, sink).subarray(0, r.between(1, 6));
    default:
      return Buffer.concat([Buffer.from([0]), commandLine(r, sink)]);
  }
}

interface Recorded {
  conn: number;
  state: State;
  sent: string;
}

const journal: Recorded[] = [];
/** How often each state was really reached, so a run that never got there does not pass as covered. */
const reached: Record<string, number> = {};
const reach = (what: string) => (reached[what] = (reached[what] ?? 0) + 1);
function record(conn: number, state: State, bytes: Buffer): void {
  journal.push({ conn, state, sent: JSON.stringify(bytes.subarray(0, 120).toString("latin1")) + (bytes.length > 120 ? `…(${bytes.length} bytes)` : "") });
  if (journal.length > 300) journal.shift();
}

/** Everything a fuzz run opened, destroyed at the end whatever happened. */
const sockets = new Set<net.Socket>();
function track<T extends net.Socket>(s: T): T {
  sockets.add(s);
  s.on("error", () => {});
  s.on("close", () => sockets.delete(s));
  return s;
}

/** What a data connection (passive, or accepted by the active sink) does with the server. */
function behave(r: Random, data: net.Socket): void {
  switch (r.int(5)) {
    case 0:
      data.resume();
      break;
    case 1:
      data.pause();
      break;
    case 2:
      data.write(r.bytes(r.between(0, 65_536)));
      data.end();
      data.resume();
      break;
    case 3:
      setTimeout(() => data.destroy(), r.int(200)).unref();
      break;
    default:
      data.end();
  }
}

let t: ChildServer;
let sink: net.Server;
let sinkPort: number;
const clean = randomBytes(1024 * 1024 + 7);

beforeAll(async () => {
  t = await startChildServer({ tls: true, limits: { loginTimeout: 2, idleTimeout: 2, passiveTimeout: 2, maxLoginFailures: 1000 } });
  await mkdir(path.join(t.root, "dir", "sub"), { recursive: true });
  await writeFile(path.join(t.root, "small.txt"), "small\n");
  await writeFile(path.join(t.root, "fixture-transfer.bin"), randomBytes(8 * 1024 * 1024));
  await writeFile(path.join(t.root, "fixture-clean.bin"), clean);
  const rng = new Random(SEED ^ 0x5eed);
  sink = net.createServer((s) => behave(rng, track(s)));
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  sinkPort = (sink.address() as net.AddressInfo).port;
}, 60_000);

afterAll(async () => {
  // The server's whole log, for a look after a failure (test-artifacts is gitignored).
  const artifacts = process.env.FTPI_TEST_ARTIFACTS;
  if (artifacts && t) await mkdir(artifacts, { recursive: true }).then(() => writeFile(path.join(artifacts, "fuzz-server.log"), t.output()));
  for (const s of sockets) s.destroy();
  sink?.close();
  await t?.close();
});

/** One fuzz connection: brought into `state`, then fed random lines and bytes, then dropped. */
async function fuzzConnection(conn: number): Promise<void> {
  const r = new Random((SEED ^ Math.imul(conn + 1, 0x9e3779b1)) >>> 0);
  const state = r.pick(STATES);
  const raw = track(net.connect({ host: "127.0.0.1", port: t.port }));
  let control: net.Socket = raw;
  let seen = "";
  const onData = (d: Buffer) => {
    const text = d.toString("latin1");
    seen = (seen + text).slice(-65_536);
    for (const m of text.matchAll(/^227 [^\r\n]*\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/gm)) openData(Number(m[5]) * 256 + Number(m[6]));
    for (const m of text.matchAll(/^229 [^\r\n]*\(\|\|\|(\d+)\|\)/gm)) openData(Number(m[1]));
  };
  const openData = (port: number) => {
    if (!r.chance(0.7)) return;
    behave(r, track(net.connect({ host: "127.0.0.1", port })));
  };
  /** Waits (briefly) for a reply line with `code`, seen after the call. */
  const expectReply = async (code: number, ms = 2_000) => {
    const from = seen.length;
    const until = Date.now() + ms;
    while (Date.now() < until && !raw.destroyed) {
      if (new RegExp(`(^|\\n)${code} `).test(seen.slice(Math.max(0, from - 2)))) return true;
      await sleep(5);
    }
    return false;
  };
  const send = (bytes: Buffer) => {
    record(conn, state, bytes);
    if (!control.destroyed) control.write(bytes);
  };
  const deadline = Date.now() + r.between(100, CONNECTION_MS);
  raw.on("data", onData);
  try {
    await new Promise<void>((resolve, reject) => {
      raw.once("connect", resolve);
      raw.once("error", reject);
    });
    if (await expectReply(220)) reach("greeted");
    if (state !== "fresh" && state !== "tls") {
      send(Buffer.from("USER alice\r\n"));
      await expectReply(331);
    }
    if (state === "loggedIn" || state === "transfer" || state === "afterRein") {
      send(Buffer.from("PASS secret\r\n"));
      if (await expectReply(230)) reach("loggedIn");
    }
    if (state === "afterRein") {
      send(Buffer.from("REIN\r\n"));
      if (await expectReply(220)) reach("afterRein");
    }
    if (state === "transfer") {
      send(Buffer.from("TYPE I\r\nPASV\r\n"));
      const pasv = /^227 [^\r\n]*\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/m;
      const until = Date.now() + 2_000;
      while (!pasv.test(seen) && Date.now() < until) await sleep(5);
      const m = pasv.exec(seen);
      if (m) {
        const data = track(net.connect({ host: "127.0.0.1", port: Number(m[5]) * 256 + Number(m[6]) }));
        if (r.chance(0.5)) {
          data.pause(); // a download the client never reads: it stays running
          send(Buffer.from("RETR fixture-transfer.bin\r\n"));
        } else {
          send(Buffer.from(`STOR up-${conn}.bin\r\n`));
          const trickle = setInterval(() => (data.destroyed ? clearInterval(trickle) : data.write(r.bytes(512))), 20);
          data.on("close", () => clearInterval(trickle));
        }
        if (await expectReply(150)) reach("transfer");
      }
    }
    if (state === "tls") {
      send(Buffer.from("AUTH TLS\r\n"));
      if ((await expectReply(234)) && r.chance(0.8)) {
        raw.off("data", onData);
        const secured = track(tls.connect({ socket: raw, rejectUnauthorized: false }));
        const handshake = await new Promise<boolean>((resolve) => {
          secured.once("secureConnect", () => resolve(true));
          secured.once("close", () => resolve(false));
        });
        if (handshake) reach("tls");
        secured.on("data", onData);
        control = secured;
        if (r.chance(0.5)) send(Buffer.from("PBSZ 0\r\nPROT P\r\nUSER alice\r\nPASS secret\r\n"));
      }
    }
    for (let n = r.between(1, 60); n > 0 && Date.now() < deadline && !control.destroyed; n--) {
      send(r.chance(0.7) ? commandLine(r, sinkPort) : rawChunk(r, sinkPort));
      if (r.chance(0.3)) await sleep(r.int(40));
      else if (r.chance(0.2)) await expectReply(r.pick([150, 200, 226, 250, 500, 501, 530, 550]), 300);
    }
    switch (r.int(4)) {
      case 0:
        send(Buffer.from("QUIT\r\n"));
        await expectReply(221);
        break;
      case 1:
        control.end();
        break;
      case 2:
        await sleep(Math.max(0, deadline - Date.now()));
        break;
      default:
        break;
    }
  } catch {
    // A refused or reset connection is part of the game.
  } finally {
    control.destroy();
    raw.destroy();
  }
}

function failureReport(reason: string): string {
  const tail = journal.slice(-60).map((j) => `  #${j.conn} [${j.state}] ${j.sent}`).join("\n");
  return `${reason}\nseed ${SEED} (replay: FTPI_FUZZ_SEED=${SEED})\nlast inputs:\n${tail}\nserver output (tail):\n${t.output().slice(-4000)}`;
}

const openFiles = async () => (await t.openFiles()).length;
const describeFiles = async () => (await t.openFiles()).join(", ");

async function cleanRoundTrip(): Promise<void> {
  const c = await ControlClient.connect(t.port);
  try {
    await c.login();
    expect((await c.send("TYPE I")).code).toBe(200);
    let data = await c.pasv();
    let body = readAll(data);
    expect((await c.send("LIST")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    expect((await body).toString()).toContain("fixture-clean.bin");
    data = await c.pasv();
    body = readAll(data);
    expect((await c.send("RETR fixture-clean.bin")).code).toBe(150);
    expect((await c.read()).code).toBe(226);
    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    expect(sha(await body)).toBe(sha(clean));
    expect((await c.send("QUIT")).code).toBe(221);
  } finally {
    c.close();
  }
}

it("survives random and mutated commands, raw bytes and Telnet noise in every session state", { timeout: BUDGET_MS + 90_000 }, async () => {
  console.log(`fuzz: seed ${SEED}, up to ${MAX_CONNECTIONS} connections in ${BUDGET_MS} ms (replay: FTPI_FUZZ_SEED=${SEED})`);
  await cleanRoundTrip();
  await t.waitForSessions(0);
  const filesBefore = await openFiles();
  const describedBefore = await describeFiles();
  const until = Date.now() + BUDGET_MS;
  let next = 0;
  const worker = async () => {
    while (Date.now() < until && next < MAX_CONNECTIONS && t.alive()) await fuzzConnection(next++);
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  for (const s of sockets) s.destroy();
  console.log(`fuzz: ${next} connections; reached ${JSON.stringify(reached)}`);

  expect(t.alive(), failureReport("the server exited")).toBe(true);
  // A run that never got where it meant to go covered nothing there.
  const meant = new Set(["greeted"]);
  for (const state of STATES) {
    if (state === "loggedIn" || state === "transfer" || state === "afterRein") meant.add("loggedIn");
    if (state === "transfer" || state === "afterRein" || state === "tls") meant.add(state);
  }
  for (const what of meant) expect(reached[what] ?? 0, `fuzz never reached ${what}`).toBeGreaterThan(0);
  await t.waitForSessions(0).catch((err: Error) => expect.fail(failureReport(err.message)));
  // Every PASV offer of a closed session gave its port back.
  let ports = -1;
  for (let i = 0; i < 100 && (ports = await t.metric("ftpi_passive_ports_in_use")) !== 0; i++) await sleep(100);
  expect(ports, failureReport("passive ports still held")).toBe(0);
  await cleanRoundTrip();
  await t.waitForSessions(0);
  // No file or socket outlives its session (the runtime may open one or two of its own on demand).
  let files = 0;
  for (let i = 0; i < 50 && (files = await openFiles()) > filesBefore + 2; i++) await sleep(100);
  expect(files, failureReport(`the server holds ${files} descriptors, ${filesBefore} before the fuzz:\nbefore: ${describedBefore}\nafter: ${await describeFiles()}`)).toBeLessThanOrEqual(filesBefore + 2);
  expect(crashSigns(t.output()), failureReport("the server logged a crash")).toEqual([]);
  expect(t.alive(), failureReport("the server exited")).toBe(true);
});
