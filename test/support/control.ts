import net from "node:net";

export interface ParsedReply {
  code: number;
  lines: string[];
  text: string;
}

/**
 * A bare control-connection client that speaks raw lines, for checking replies to the letter.
 * Replies are parsed per RFC 959 §4.2 (multi-line "ddd-" … "ddd ").
 */
export class ControlClient {
  private buffer = "";
  private replies: ParsedReply[] = [];
  private waiting: ((r: ParsedReply) => void)[] = [];
  private partial: string[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => this.onData(d));
    socket.on("close", () => (this.closed = true));
    socket.on("error", () => {});
  }

  /** `localAddress` picks the client's own address, e.g. "127.0.0.2" to test per-address rules. */
  static async connect(port: number, host = "127.0.0.1", localAddress?: string): Promise<ControlClient> {
    const socket = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new ControlClient(socket);
  }

  private onData(d: string): void {
    this.buffer += d;
    let i: number;
    while ((i = this.buffer.indexOf("\r\n")) >= 0) {
      const line = this.buffer.slice(0, i);
      this.buffer = this.buffer.slice(i + 2);
      this.partial.push(line);
      const m = /^(\d{3})([ -])/.exec(this.partial[0]!);
      if (!m) {
        this.partial = [];
        continue;
      }
      const done = this.partial.length === 1 ? m[2] === " " : line.startsWith(`${m[1]} `);
      if (!done) continue;
      const lines = this.partial;
      this.partial = [];
      const r = { code: Number(m[1]), lines, text: lines.join("\n") };
      const w = this.waiting.shift();
      if (w) w(r);
      else this.replies.push(r);
    }
  }

  /** The next reply (waits up to `ms`). */
  read(ms = 10_000): Promise<ParsedReply> {
    const r = this.replies.shift();
    if (r) return Promise.resolve(r);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms);
      this.waiting.push((x) => {
        clearTimeout(t);
        resolve(x);
      });
    });
  }

  write(raw: string | Buffer): void {
    this.socket.write(raw);
  }

  async send(line: string): Promise<ParsedReply> {
    this.socket.write(line + "\r\n");
    return this.read();
  }

  async login(user = "alice", pass = "secret"): Promise<void> {
    const greeting = await this.read();
    if (greeting.code !== 220) throw new Error(`greeting ${greeting.text}`);
    const u = await this.send(`USER ${user}`);
    if (u.code !== 331) throw new Error(u.text);
    const p = await this.send(`PASS ${pass}`);
    if (p.code !== 230) throw new Error(p.text);
  }

  /** PASV, then connect the data socket; returns it. */
  async pasv(): Promise<net.Socket> {
    const r = await this.send("PASV");
    const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(r.text);
    if (r.code !== 227 || !m) throw new Error(r.text);
    const port = Number(m[5]) * 256 + Number(m[6]);
    return connectData(`${m[1]}.${m[2]}.${m[3]}.${m[4]}`, port);
  }

  async epsv(): Promise<net.Socket> {
    const r = await this.send("EPSV");
    const m = /\(\|\|\|(\d+)\|\)/.exec(r.text);
    if (r.code !== 229 || !m) throw new Error(r.text);
    return connectData(this.socket.remoteAddress!, Number(m[1]));
  }

  close(): void {
    this.socket.destroy();
  }
}

export function connectData(host: string, port: number): Promise<net.Socket> {
  const s = net.connect({ host, port });
  return new Promise((resolve, reject) => {
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

/** Everything the data socket delivers until the server closes it. */
export function readAll(s: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("end", () => resolve(Buffer.concat(chunks)));
    s.on("error", reject);
  });
}
