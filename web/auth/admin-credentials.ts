import { createHash, timingSafeEqual } from "node:crypto";
import { verifyPassword } from "../../core/auth/password.ts";

/** The one user name of the status page, for the login form and HTTP Basic auth. */
export const ADMIN_USER = "admin";

const REMEMBER_MS = 5 * 60_000;

const digest = (text: string) => createHash("sha256").update(text.normalize("NFC")).digest();

/**
 * Checks the admin password against its scrypt hash. A script polling /api with Basic auth would
 * pay scrypt (tens of ms, 16 MiB) on every request, so the last good password is remembered for a
 * few minutes as a SHA-256 digest, in memory only.
 */
export class AdminCredentials {
  private remembered: { digest: Buffer; until: number } | null = null;

  constructor(
    private readonly hash: string,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(user: string, password: string): Promise<boolean> {
    if (user !== ADMIN_USER) return false;
    const candidate = digest(password);
    const known = this.remembered;
    if (known && known.until > this.now() && timingSafeEqual(known.digest, candidate)) return true;
    if (!(await verifyPassword(password, this.hash))) return false;
    this.remembered = { digest: candidate, until: this.now() + REMEMBER_MS };
    return true;
  }
}
