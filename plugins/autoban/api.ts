import type { Hono } from "hono";
import type { Valibot } from "../../core/index.ts";
import type { Autoban } from "./autoban.ts";

/** The body of POST /api/bans, and of the panel's form. */
export const banRequest = (v: Valibot) =>
  v.object({
    address: v.pipe(v.string("address must be a string"), v.trim(), v.nonEmpty("address is missing")),
    minutes: v.pipe(v.number("minutes must be a number"), v.minValue(0.01, "minutes must be more than 0"), v.maxValue(366 * 24 * 60, "minutes: at most a year")),
    reason: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200)), "banned by admin"),
  });

/**
 * The JSON API, under /plugins/autoban:
 * - `GET /api/bans` → `[{ address, reason, until, strikes }]`, the bans in force
 * - `POST /api/bans` `{ address, minutes, reason? }` → 201 and the ban
 * - `DELETE /api/bans/:address` (URL-encoded) → 204, or 404 when it was not banned
 */
export function mountApi(app: Hono, autoban: Autoban, v: Valibot): void {
  app.get("/api/bans", (c) => c.json(autoban.bans()));

  app.post("/api/bans", async (c) => {
    const body = await c.req.json().catch(() => undefined);
    const parsed = v.safeParse(banRequest(v), body);
    if (!parsed.success) return c.json({ error: parsed.issues.map((i) => i.message).join("; ") }, 400);
    const { address, minutes, reason } = parsed.output;
    try {
      return c.json(autoban.ban(address, minutes * 60, reason), 201);
    } catch (err) {
      return c.json({ error: (err as Error).message }, 400);
    }
  });

  app.delete("/api/bans/:address", (c) => {
    let lifted: boolean;
    try {
      lifted = autoban.lift(c.req.param("address"));
    } catch (err) {
      return c.json({ error: (err as Error).message }, 400);
    }
    return lifted ? c.body(null, 204) : c.json({ error: "not banned" }, 404);
  });
}
