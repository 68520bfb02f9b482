import { timingSafeEqual } from "node:crypto";
import type { Context } from "hono";

/**
 * Whether a state-changing request comes from our own pages. Browsers say where a request comes
 * from in Sec-Fetch-Site (or at least Origin); a request with neither is not from a modern
 * browser (curl, a script), and the caller's credentials alone decide.
 */
export function isSameOrigin(c: Context): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined) return site === "same-origin";
  const origin = c.req.header("origin");
  if (origin !== undefined) return origin === new URL(c.req.url).origin;
  return true;
}

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The CSRF token a POST carries: the X-CSRF-Token header, or the `csrf` field of a form. */
export async function csrfTokenOf(c: Context): Promise<string | undefined> {
  const header = c.req.header("x-csrf-token");
  if (header) return header;
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) return undefined;
  // Hono keeps the parsed body, so the route can read the form again.
  const field = (await c.req.parseBody())["csrf"];
  return typeof field === "string" ? field : undefined;
}
