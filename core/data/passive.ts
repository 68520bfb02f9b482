import net from "node:net";
import { sameAddress } from "./address.ts";

/**
 * Hands out listening sockets on ports of the configured passive range. Ports are tried from a
 * rotating start so that consecutive PASVs do not fight over one port; a port the OS refuses
 * (in use by someone else) is skipped.
 */
export class PassivePortPool {
  private next: number;
  private readonly inUse = new Set<number>();
  /** Ports kept open between a session's offers, oldest first, with when they were last used. */
  private readonly kept = new Map<PassivePort, number>();

  constructor(
    readonly min: number,
    readonly max: number,
  ) {
    this.next = min;
  }

  /** Ports offered or carrying a transfer now; kept ones are not counted: any offer may take them. */
  get used(): number {
    return this.inUse.size - this.kept.size;
  }

  /** Ports sessions keep open between their offers. */
  get keptCount(): number {
    return this.kept.size;
  }

  get size(): number {
    return this.max - this.min + 1;
  }

  /**
   * Listens on a free port of the range on `host`; null when every port is taken. When the range
   * runs out, the ports sessions keep between offers are closed and the range is tried again.
   */
  async listen(host: string): Promise<PassivePort | null> {
    const port = await this.tryListen(host);
    if (port || this.kept.size === 0) return port;
    this.sweep(Date.now(), true);
    return this.tryListen(host);
  }

  private async tryListen(host: string): Promise<PassivePort | null> {
    for (let tries = 0; tries < this.size; tries++) {
      const port = this.next;
      this.next = port >= this.max ? this.min : port + 1;
      if (this.inUse.has(port)) continue;
      this.inUse.add(port);
      const server = net.createServer({ pauseOnConnect: true });
      const ok = await new Promise<boolean>((resolve) => {
        server.once("error", () => resolve(false));
        server.listen({ host, port, exclusive: true, backlog: 4 }, () => resolve(true));
      });
      if (ok) return new PassivePort(server, port, host, this);
      this.inUse.delete(port);
      server.close();
    }
    return null;
  }

  /** `port` waits for its session's next offer: the sweep closes it after KEEP_MS. */
  keep(port: PassivePort): void {
    this.kept.delete(port);
    this.kept.set(port, Date.now());
  }

  unkeep(port: PassivePort): void {
    this.kept.delete(port);
  }

  /** Closes the ports kept longer than KEEP_MS (all of them with `all`); run by the server's sweep. */
  sweep(now: number, all = false): void {
    for (const [port, since] of this.kept) {
      if (!all && now - since < KEEP_MS) break; // in insertion order: the rest are younger
      port.close();
    }
  }

  release(port: number): void {
    this.inUse.delete(port);
  }
}

/**
 * How long a session keeps its passive port open after a transfer took its connection, for the
 * next PASV/EPSV: a client fetching many files asks again within milliseconds, and reusing the
 * listening socket saves a socket, a bind (the kernel checks every connection the port has had in
 * TIME_WAIT) and a listen per file.
 */
const KEEP_MS = 2000;

/**
 * A listening socket on one port of the passive range, which a session keeps from one offer to
 * the next. Connections go to the current offer; with none, they are dropped.
 */
export class PassivePort {
  private offer: PassiveListener | null = null;
  closed = false;

  constructor(
    private readonly server: net.Server,
    readonly port: number,
    readonly host: string,
    private readonly pool: PassivePortPool,
  ) {
    server.on("connection", (s) => (this.offer ? this.offer.accept(s) : s.destroy()));
  }

  /** Whether a new offer on `host` can use this port. */
  reusableFor(host: string): boolean {
    return !this.closed && this.offer === null && host === this.host;
  }

  attach(offer: PassiveListener): void {
    this.offer = offer;
    this.pool.unkeep(this);
  }

  /** `offer` is done with the port: it is kept for the session's next offer, for a while. */
  detach(offer: PassiveListener): void {
    if (this.offer !== offer || this.closed) return;
    this.offer = null;
    this.pool.keep(this);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.offer = null;
    this.pool.unkeep(this);
    this.server.close();
    this.pool.release(this.port);
  }
}

/**
 * One PASV/EPSV offer: waits for the client's data connection on its session's passive port. A
 * connection from any address other than the control peer is dropped (passive port stealing).
 * After the first good connection the port is kept for the session's next offer; unused for
 * `timeoutMs`, it is closed, so the port returns to the pool.
 */
export class PassiveListener {
  private socket: net.Socket | null = null;
  /** The connection went to a transfer, which closes it; until then it is this offer's to close. */
  private handedOut = false;
  private waiters: { resolve: (s: net.Socket) => void; reject: (e: Error) => void }[] = [];
  private closed = false;
  private readonly timer: ReturnType<typeof setTimeout>;
  /** Connections refused because they came from another address. */
  rejected = 0;

  constructor(
    private readonly passive: PassivePort,
    private readonly peerAddress: string,
    timeoutMs: number,
    private readonly onForeign?: (address: string) => void,
    /** Turns the accepted socket into what the transfer uses (TLS under PROT P), at once. */
    private readonly upgrade?: (s: net.Socket) => net.Socket,
    /** Take the first connection from any address (a user with `fxp`: server-to-server transfers). */
    private readonly allowForeignPeer = false,
  ) {
    passive.attach(this);
    this.timer = setTimeout(() => {
      // Unused all this time: the client is not coming, so the port goes back to the pool.
      if (!this.socket) passive.close();
      this.close(new Error("passive listener timed out"));
    }, timeoutMs);
    this.timer.unref?.();
  }

  get port(): number {
    return this.passive.port;
  }

  accept(s: net.Socket): void {
    if (this.socket || this.closed || (!this.allowForeignPeer && !sameAddress(s.remoteAddress ?? "", this.peerAddress))) {
      if (!this.socket && !this.closed) {
        this.rejected++;
        this.onForeign?.(s.remoteAddress ?? "");
      }
      s.destroy();
      return;
    }
    s.on("error", () => {});
    this.socket = this.upgrade ? this.upgrade(s) : s;
    clearTimeout(this.timer);
    this.passive.detach(this);
    for (const w of this.waiters.splice(0)) w.resolve(this.socket);
  }

  /** The data connection, once the client makes it (or an error after `waitMs`). */
  connection(waitMs: number): Promise<net.Socket> {
    if (this.socket) {
      this.handedOut = true;
      return Promise.resolve(this.socket);
    }
    if (this.closed) return Promise.reject(new Error("passive listener closed"));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.close(new Error("no data connection"));
      }, waitMs);
      this.waiters.push({
        resolve: (s) => {
          clearTimeout(t);
          this.handedOut = true;
          resolve(s);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
    });
  }

  /**
   * Gives up the offer. A connection a transfer took is left to it; one made but never used is
   * closed, or every PASV + connect would keep a socket open for as long as the client likes.
   */
  close(reason = new Error("passive listener closed")): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    if (!this.socket) this.passive.detach(this);
    else if (!this.handedOut) this.socket.destroy();
    for (const w of this.waiters.splice(0)) w.reject(reason);
  }
}
