import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** A whole page: the doctype, then the rendered JSX tree. */
export async function renderPage(c: Context, page: unknown, status: ContentfulStatusCode = 200): Promise<Response> {
  return c.html(`<!DOCTYPE html>${String(await page)}`, status);
}

/** A JSX fragment as an HTML string, for live updates. */
export async function renderFragment(fragment: unknown): Promise<string> {
  return String(await fragment);
}
