/** What a provider or lookup request got back. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  userAgent: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Bodies are cut here: the answers we read are a line or a small JSON document. */
  maxBytes?: number;
}

/**
 * One HTTP request with global fetch (Node 20, Bun and Deno have it), a User-Agent, and a
 * deadline that covers reading the body. Rejects on network errors and timeouts.
 */
export async function httpRequest(url: string, options: HttpOptions): Promise<HttpAnswer> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
  const stop = () => deadline.abort(options.signal?.reason ?? new Error("aborted"));
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    const res = await fetch(url, {
      method: options.method ?? "GET",
      headers: { "user-agent": options.userAgent, ...options.headers },
      body: options.body,
      signal: deadline.signal,
      redirect: "follow",
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text: text.slice(0, options.maxBytes ?? 64 * 1024) };
  } catch (err) {
    if (deadline.signal.aborted && deadline.signal.reason instanceof Error) throw deadline.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", stop);
  }
}

/** A network failure as one line ("connect ECONNREFUSED 127.0.0.1:9"), without the stack. */
export function networkError(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause;
  const message = cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err);
  return message.split("\n")[0]!;
}
