import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import net from "node:net";
import tls from "node:tls";
import { ensureTlsCertificate } from "../../cli/tls-certificate.ts";
import type { ServerOptions } from "../../core/config/types.ts";

/** A self-signed pair, made as `ftpi serve` makes it, under `dataDir`/tls. */
export async function selfSignedPair(dataDir: string): Promise<{ certFile: string; keyFile: string }> {
  const made = await ensureTlsCertificate({ dataDir, tls: { enabled: true, certFile: null, keyFile: null, implicit: [], require: false, requireSessionReuse: true } } as unknown as ServerOptions);
  return { certFile: made.options.tls.certFile!, keyFile: made.options.tls.keyFile! };
}

/** The SHA-256 fingerprint of a PEM certificate file, as a client sees it. */
export async function fingerprintOf(certFile: string): Promise<string> {
  return new X509Certificate(await readFile(certFile)).fingerprint256;
}

/**
 * A control connection that speaks AUTH TLS by hand, for checking replies to the letter: `read`
 * and `send` give the last line of each reply ("ddd text").
 */
export class TlsControl {
  private buf = "";
  private waiters: ((line: string) => void)[] = [];
  private lines: string[] = [];
  socket: net.Socket;
  constructor(socket: net.Socket) {
    this.socket = socket;
    this.listen(socket);
  }
  private listen(s: net.Socket) {
    s.setEncoding("utf8");
    s.on("data", (d: string) => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf("\r\n")) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 2);
        if (!/^\d{3} /.test(line)) continue;
        const w = this.waiters.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
  }
  read(): Promise<string> {
    const l = this.lines.shift();
    if (l) return Promise.resolve(l);
    return new Promise((r) => this.waiters.push(r));
  }
  async send(cmd: string): Promise<string> {
    this.socket.write(cmd + "\r\n");
    return this.read();
  }
  async startTls(options: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
    this.socket.removeAllListeners("data");
    const secured = tls.connect({ socket: this.socket, rejectUnauthorized: false, ...options });
    await new Promise((resolve, reject) => {
      secured.once("secureConnect", resolve);
      secured.once("error", reject);
    });
    this.socket = secured;
    this.listen(secured);
    return secured;
  }
}

/**
 * A fresh control connection to 127.0.0.1:`port` after AUTH TLS (220 and 234 checked): the
 * secured socket, the certificate's fingerprint, and the connection's `send` and `read`.
 */
export async function authTls(port: number, options: tls.ConnectionOptions = {}): Promise<{ socket: tls.TLSSocket; fingerprint: string; send(line: string): Promise<string>; read(): Promise<string> }> {
  const raw = net.connect(port, "127.0.0.1");
  raw.on("error", () => {});
  const c = new TlsControl(raw);
  const greeting = await c.read();
  if (!greeting.startsWith("220")) throw new Error(`greeting ${greeting}`);
  const auth = await c.send("AUTH TLS");
  if (!auth.startsWith("234")) throw new Error(`AUTH TLS: ${auth}`);
  const socket = await c.startTls(options);
  return { socket, fingerprint: socket.getPeerCertificate().fingerprint256, send: (line) => c.send(line), read: () => c.read() };
}

/** The port of an EPSV reply ("229 ... (|||port|)"). */
export function epsvPort(reply: string): number {
  return Number(/\|\|\|(\d+)\|/.exec(reply)![1]);
}

/**
 * EPSV, a TLS data connection presenting `session`, `RETR file`: the replies' codes, what came,
 * whether TLS resumed, and the last session ticket the data connection was given.
 */
export async function retrWith(c: Pick<TlsControl, "send" | "read">, session: Buffer | undefined, how: tls.ConnectionOptions, file: string) {
  const port = epsvPort(await c.send("EPSV"));
  const data = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false, session, ...how });
  data.on("error", () => {});
  let ticket: Buffer | undefined;
  data.on("session", (s: Buffer) => (ticket = s));
  const chunks: Buffer[] = [];
  data.on("data", (d: Buffer) => chunks.push(d));
  const closed = new Promise((r) => data.once("close", r));
  const reused = await new Promise<boolean>((r) => data.once("secureConnect", () => r(data.isSessionReused())));
  const replies = [await c.send(`RETR ${file}`)];
  if (replies[0]!.startsWith("150")) replies.push(await c.read());
  await closed;
  return { replies: replies.map((r) => r.slice(0, 3)), reused, text: Buffer.concat(chunks).toString(), ticket };
}
