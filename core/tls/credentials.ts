import { readFile } from "node:fs/promises";
import type tls from "node:tls";
import { makeContext } from "./session-tls.ts";

/**
 * The certificate and key FTPS uses, as a SecureContext. reload() re-reads the files (SIGHUP after
 * a certbot renewal); a failed reload keeps the context that works. Sessions keep the context
 * their control connection started with, so their data connections can still resume its TLS
 * session after a reload.
 */
export class TlsCredentials {
  private current: tls.SecureContext | null = null;
  loadedAt: Date | null = null;

  constructor(
    readonly certFile: string,
    readonly keyFile: string,
  ) {}

  /** The shared context: each session uses a copy of it, from sessionContext(). */
  get context(): tls.SecureContext {
    if (!this.current) throw new Error("TLS credentials not loaded");
    return this.current;
  }

  /** Reads both files and builds a context; throws a readable Error naming the file at fault. */
  async load(): Promise<void> {
    const read = async (file: string, what: string) => {
      try {
        return await readFile(file);
      } catch (err) {
        throw new Error(`cannot read TLS ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
    };
    const [cert, key] = await Promise.all([read(this.certFile, "certificate"), read(this.keyFile, "key")]);
    try {
      this.current = makeContext({ cert, key });
    } catch (err) {
      throw new Error(`TLS certificate ${this.certFile} and key ${this.keyFile} do not make a usable pair: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.loadedAt = new Date();
  }
}
