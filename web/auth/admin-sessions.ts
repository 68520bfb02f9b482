import { randomBytes } from "node:crypto";

/** One browser logged in as admin. */
export interface AdminSession {
  /** The cookie value: 32 random bytes, base64url. */
  readonly id: string;
  /** Sent back in a hidden field or the X-CSRF-Token header with every POST. */
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeen: number;
}

export interface AdminSessionLimits {
  /** Logged out after this long without a request (an open live page counts as requests). */
  idleMs: number;
  /** Logged out after this long, however busy. */
  maxAgeMs: number;
  /** Oldest sessions are dropped beyond this, so repeated logins cannot grow the map. */
  maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: AdminSessionLimits = {
  idleMs: 24 * 3600_000,
  maxAgeMs: 7 * 24 * 3600_000,
  maxSessions: 64,
};

const token = () => randomBytes(32).toString("base64url");

/**
 * Server-side admin sessions. The cookie carries only a random id; a new id on every login means a
 * cookie planted before login (session fixation) is never promoted.
 */
export class AdminSessions {
  private readonly sessions = new Map<string, AdminSession>();

  constructor(
    private readonly limits: AdminSessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  create(): AdminSession {
    const at = this.now();
    const session: AdminSession = { id: token(), csrfToken: token(), createdAt: at, lastSeen: at };
    this.sessions.set(session.id, session);
    // Maps iterate in insertion order: the first key is the oldest session.
    while (this.sessions.size > this.limits.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    return session;
  }

  /** The live session with this id, touched; null when unknown or expired. */
  find(id: string | undefined): AdminSession | null {
    if (!id) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    if (!this.isLive(session)) {
      this.sessions.delete(id);
      return null;
    }
    session.lastSeen = this.now();
    return session;
  }

  /** Whether `session` is still logged in (for long-lived streams that hold it). */
  isLive(session: AdminSession): boolean {
    const at = this.now();
    return this.sessions.get(session.id) === session && at - session.lastSeen <= this.limits.idleMs && at - session.createdAt <= this.limits.maxAgeMs;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }

  get maxAgeSeconds(): number {
    return Math.floor(this.limits.maxAgeMs / 1000);
  }
}
