import type { MiddlewareHandler } from "hono";

/*
 * Our pages load only their own stylesheet and script: no inline script, no frames, forms post
 * only here. A plugin panel that needs more may set its own Content-Security-Policy.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const set = (name: string, value: string) => {
      if (!c.res.headers.has(name)) c.res.headers.set(name, value);
    };
    set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    set("X-Content-Type-Options", "nosniff");
    set("X-Frame-Options", "DENY");
    set("Referrer-Policy", "same-origin");
  };
}
