// The benchmark's FTP client: raw sockets, passive mode, binary type, the same for every server.
// Downloads land in one shared scratch buffer through `onread` (no allocation per chunk, no
// copy into JS strings), uploads write one reused 1 MiB buffer, so the client costs as little
// CPU as Node allows and the server is what is measured.
import net from "node:net";

const HOST = "127.0.0.1";
/** Every download reads into this and throws the bytes away: one process, one thread. */
const SCRATCH = Buffer.allocUnsafeSlow(1 << 20);
/** What every upload sends, chunk after chunk. */
const UPLOAD_CHUNK = Buffer.alloc(1 << 20, 0x5a);

export class FtpError extends Error {}

/** Rejects after `ms` with a message naming `what`; `cleanup` runs on the timeout. */
export function withTimeout(promise, ms, what, cleanup = () => {}) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      cleanup();
      reject(new FtpError(`${what}: no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function connect(port, options = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port, noDelay: true, ...options });
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** A control connection: sends command lines, reads (multi-line) replies in order. */
export class Control {
  /** @param {net.Socket} socket */
  constructor(socket) {
    this.socket = socket;
    this.buffer = "";
    this.replies = [];
    this.waiters = [];
    this.closed = null;
    this.pending = null; // a multi-line reply being read: its code
    this.lines = [];
    socket.setEncoding("latin1");
    socket.on("data", (text) => this.#onData(text));
    const fail = (err) => {
      this.closed ??= err ?? new FtpError("control connection closed");
      for (const waiter of this.waiters.splice(0)) waiter.reject(this.closed);
    };
    socket.on("error", fail);
    socket.on("close", () => fail(null));
  }

  static async open(port, timeoutMs = 15_000) {
    const socket = await withTimeout(connect(port), timeoutMs, "connect");
    const control = new Control(socket);
    const greeting = await withTimeout(control.reply(), timeoutMs, "greeting", () => socket.destroy());
    if (greeting.code !== 220) {
      socket.destroy();
      throw new FtpError(`greeting: ${greeting.code} ${greeting.text}`);
    }
    return control;
  }

  #onData(text) {
    this.buffer += text;
    for (let end; (end = this.buffer.indexOf("\n")) >= 0; ) {
      const line = this.buffer.slice(0, end).replace(/\r$/, "");
      this.buffer = this.buffer.slice(end + 1);
      this.#onLine(line);
    }
  }

  // RFC 959 §4.2: a multi-line reply starts "xyz-" and ends with a line starting "xyz ".
  #onLine(line) {
    const code = /^\d{3}/.test(line) ? Number(line.slice(0, 3)) : null;
    if (this.pending === null) {
      if (code === null) return;
      if (line[3] === "-") {
        this.pending = code;
        this.lines = [line];
        return;
      }
      this.#deliver({ code, text: line.slice(4) });
      return;
    }
    this.lines.push(line);
    if (code === this.pending && line[3] === " ") {
      this.pending = null;
      this.#deliver({ code, text: this.lines.join("\n") });
    }
  }

  #deliver(reply) {
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(reply);
    else this.replies.push(reply);
  }

  /** The next reply. */
  reply() {
    if (this.replies.length > 0) return Promise.resolve(this.replies.shift());
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  send(line) {
    this.socket.write(`${line}\r\n`);
  }

  /** Sends a command and resolves with its reply; a code outside `expect` rejects. */
  async command(line, expect) {
    this.send(line);
    const reply = await this.reply();
    if (expect && !expect.includes(reply.code)) {
      throw new FtpError(`${line.split(" ")[0]}: ${reply.code} ${reply.text}`);
    }
    return reply;
  }

  async login(user, password) {
    const first = await this.command(`USER ${user}`, [331, 230]);
    if (first.code === 331) await this.command(`PASS ${password}`, [230]);
  }

  /** PASV, then the data connection to the port it names (always on 127.0.0.1). */
  async passive(onreadOptions) {
    const reply = await this.command("PASV", [227]);
    const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(reply.text);
    if (!m) throw new FtpError(`PASV: cannot parse "${reply.text}"`);
    return connect(Number(m[5]) * 256 + Number(m[6]), onreadOptions);
  }

  /** RETR into the scratch buffer; resolves with the byte count once 226 has arrived. */
  async retrieve(name) {
    let bytes = 0;
    let ended;
    const done = new Promise((resolve) => (ended = resolve));
    const data = await this.passive({
      onread: {
        buffer: SCRATCH,
        callback: (n) => {
          bytes += n;
        },
      },
    });
    data.on("end", () => ended());
    data.on("close", () => ended());
    data.on("error", () => ended());
    data.resume();
    await this.#transfer(`RETR ${name}`, data, () => done);
    return bytes;
  }

  /** STOR of `size` bytes of the upload pattern; resolves once 226 has arrived. */
  async store(name, size) {
    const data = await this.passive();
    data.on("error", () => {});
    const send = async () => {
      for (let left = size; left > 0; ) {
        const chunk = left >= UPLOAD_CHUNK.length ? UPLOAD_CHUNK : UPLOAD_CHUNK.subarray(0, left);
        left -= chunk.length;
        if (!data.write(chunk)) await new Promise((resolve) => data.once("drain", resolve));
      }
      await new Promise((resolve) => data.end(resolve));
    };
    await this.#transfer(`STOR ${name}`, data, send);
  }

  /** LIST into memory; resolves with the number of lines. */
  async list(path) {
    const chunks = [];
    const data = await this.passive();
    const done = new Promise((resolve) => {
      data.on("data", (chunk) => chunks.push(chunk));
      data.on("end", resolve);
      data.on("close", resolve);
      data.on("error", resolve);
    });
    await this.#transfer(path ? `LIST ${path}` : "LIST", data, () => done);
    const text = Buffer.concat(chunks).toString("latin1");
    let lines = 0;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
    return lines;
  }

  // 150/125 first (an upload starts sending only then, as real clients do), then the data
  // (`afterMark` resolves when it is all through), then 226/250.
  async #transfer(line, data, afterMark) {
    this.send(line);
    const mark = await this.reply();
    if (mark.code !== 150 && mark.code !== 125) {
      data.destroy();
      throw new FtpError(`${line.split(" ")[0]}: ${mark.code} ${mark.text}`);
    }
    const [, end] = await Promise.all([afterMark(), this.reply()]);
    data.destroy();
    if (end.code !== 226 && end.code !== 250) throw new FtpError(`${line.split(" ")[0]}: ${end.code} ${end.text}`);
  }

  async quit() {
    try {
      await withTimeout(this.command("QUIT"), 5000, "QUIT");
    } catch {
      // the session is over either way
    }
    this.socket.destroy();
  }

  destroy() {
    this.socket.destroy();
  }
}

/** Bytes per second a plain TCP socket delivers to this client, for the loopback baseline. */
export function receiveAll(port, expectedBytes) {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const socket = net.connect({
      host: HOST,
      port,
      onread: { buffer: SCRATCH, callback: (n) => void (bytes += n) },
    });
    socket.on("error", reject);
    socket.on("close", () => (bytes === expectedBytes ? resolve(bytes) : reject(new Error(`received ${bytes} of ${expectedBytes} bytes`))));
  });
}
