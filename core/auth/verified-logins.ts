import { createHmac, randomBytes } from "node:crypto";
import { verifyPassword } from "./password.ts";

const MAX_ENTRIES = 4096;
const TTL_MS = 15 * 60 * 1000;

/**
 * Remembers logins that scrypt already verified, so a client that reconnects for every file
 * (many do) does not pay ~50 ms of CPU each time — on a Pi that is what limits a login storm.
 *
 * Safe by construction: the key is an HMAC, under a random per-process secret, of the user
 * name, the stored hash and the password; only a successful verification is remembered; a
 * wrong password never matches; a changed hash (new password, SIGHUP) is a different key;
 * entries expire. Nothing here is ever written to disk, and the stored hash is not weakened.
 */
export class VerifiedLogins {
  private readonly secret = randomBytes(32);
  private readonly entries = new Map<string, number>();
  /** Verifications running now: the same login arriving meanwhile waits for that one scrypt. */
  private readonly pending = new Map<string, Promise<boolean>>();

  private key(user: string, hash: string, password: string): string {
    return createHmac("sha256", this.secret).update(user).update("\0").update(hash).update("\0").update(password.normalize("NFC")).digest("base64");
  }

  /** verifyPassword(), answered from memory when this exact login succeeded recently. */
  async verify(user: string, password: string, hash: string): Promise<boolean> {
    const key = this.key(user, hash, password);
    const at = this.entries.get(key);
    if (at !== undefined && Date.now() - at < TTL_MS) {
      // Map order doubles as recency: move the hit to the end.
      this.entries.delete(key);
      this.entries.set(key, at);
      return true;
    }
    let running = this.pending.get(key);
    if (!running) {
      // 200 clients of one user connecting at once (a cold server, a download manager) would
      // otherwise run 200 scrypts for the same answer.
      running = verifyPassword(password, hash).finally(() => this.pending.delete(key));
      this.pending.set(key, running);
    }
    if (!(await running)) return false;
    this.entries.delete(key);
    this.entries.set(key, Date.now());
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return true;
  }

  clear(): void {
    this.entries.clear();
  }
}
