import type { UpdateResult } from "../types.ts";

/** The HTTP status of an answer whose body said nothing we know. */
export function fromHttpStatus(status: number, body: string, retryAfterMs?: number): UpdateResult {
  const excerpt = body.trim().split("\n")[0]!.slice(0, 120);
  const code = `HTTP ${status}`;
  if (status === 401 || status === 403) return { status: "fatal", code, message: `refused the credentials${excerpt ? `: ${excerpt}` : ""}; check them in the config` };
  if (status === 429 || status >= 500) return { status: "retry", code, message: `the service is busy or failing${excerpt ? `: ${excerpt}` : ""}`, ...(retryAfterMs ? { retryAfterMs } : {}) };
  return { status: "retry", code, message: `unexpected answer${excerpt ? `: ${excerpt}` : ""}` };
}

/** Retry-After in seconds (the form these services use), as milliseconds. */
export function retryAfter(headers: Headers): number | undefined {
  const value = headers.get("retry-after");
  return value && /^\d+$/.test(value) ? Number(value) * 1000 : undefined;
}

const RANK = { ok: 0, retry: 1, fatal: 2 } as const;

/** The worst of several answers (one per host name or per record): fatal over retry over ok. */
export function worst(results: UpdateResult[]): UpdateResult {
  return results.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
}
