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

  constructor(
    readonly min: number,
    readonly max: number,
  ) {
    this.next = min;
  }

  get used(): number {
    return this.inUse.size;
  }

  get size(): number {
    return this.max - this.min + 1;
  }

  /** Listens on a free port of the range on `host`; null when every port is taken. */
  async listen(host: string): Promise<{ server: net.Server; port: number } | null> {
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
      if (ok) return { server, port };
      this.inUse.delete(port);
      server.close();
    }
    return null;
  }

  release(port: number): void {
    this.inUse.delete(port);
  }
}

/**
 * One PASV/EPSV offer: waits for the client's data connection. A connection from any address
 * other than the control peer is dropped (passive port stealing); the listener closes after the
 * first good connection, or when unused for `timeoutMs`, so the port returns to the pool.
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
    private readonly server: net.Server,
    readonly port: number,
    private readonly peerAddress: string,
    private readonly pool: PassivePortPool,
    timeoutMs: number,
    private readonly onForeign?: (address: string) => void,
    /** Turns the accepted socket into what the transfer uses (TLS under PROT P), at once. */
    private readonly upgrade?: (s: net.Socket) => net.Socket,
    /** Take the first connection from any address (a user with `fxp`: server-to-server transfers). */
    private readonly allowForeignPeer = false,
  ) {
    server.on("connection", (s) => this.accept(s));
    this.timer = setTimeout(() => this.close(new Error("passive listener timed out")), timeoutMs);
    this.timer.unref?.();
  }

  private accept(s: net.Socket): void {
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
    this.stopListening();
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

  private stopListening(): void {
    this.server.close();
    this.pool.release(this.port);
  }

  /**
   * Gives up the offer. A connection a transfer took is left to it; one made but never used is
   * closed, or every PASV + connect would keep a socket open for as long as the client likes.
   */
  close(reason = new Error("passive listener closed")): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    if (!this.socket) this.stopListening();
    else if (!this.handedOut) this.socket.destroy();
    for (const w of this.waiters.splice(0)) w.reject(reason);
  }
}
