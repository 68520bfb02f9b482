import type { Hono } from "hono";
import { afterEach, expect, it } from "vitest";
import { definePlugin } from "../../core/hooks/host.ts";
import { browserLogin, startWeb, type WebFixture } from "./support.ts";

let web: WebFixture;
afterEach(async () => web?.close());

const hits = definePlugin({
  name: "hits",
  setup(ctx) {
    let count = 0;
    ctx.web((app: Hono) => {
      app.get("/", (c) => c.html(`<p>${count} hits</p>`));
      app.post("/reset", (c) => ((count = 0), c.json({ reset: true })));
      app.get("/count", (c) => c.json({ count: ++count }));
      app.get("/broken", () => {
        throw new Error("panel bug");
      });
    });
  },
});

const brokenMount = definePlugin({
  name: "broken-mount",
  setup(ctx) {
    ctx.web(() => {
      throw new Error("cannot mount");
    });
  },
});

it("mounts each plugin's routes under /plugins/<name>, behind the admin login, linked from the nav", async () => {
  web = await startWeb({ plugins: [hits, brokenMount] });
  expect((await web.request("/plugins/hits/count")).status).toBe(401);
  expect(await (await web.asAdmin("/plugins/hits/count")).json()).toEqual({ count: 1 });
  expect(await (await web.asAdmin("/plugins/hits")).text()).toContain("1 hits");

  const { cookie, csrf } = await browserLogin(web);
  const overview = await (await web.request("/", { headers: { cookie } })).text();
  expect(overview).toContain('href="/plugins/hits"');
  expect(overview).not.toContain('href="/plugins/broken-mount"');
  // Plugin POSTs get the same CSRF protection as ours.
  expect((await web.request("/plugins/hits/reset", { method: "POST", headers: { cookie } })).status).toBe(403);
  expect((await web.request("/plugins/hits/reset", { method: "POST", headers: { cookie, "x-csrf-token": csrf } })).status).toBe(200);

  expect((await web.asAdmin("/plugins/hits/broken")).status).toBe(500);
  expect(web.ftp.server.host.errorCounts.get("hits")).toBe(1);
  expect(web.ftp.server.host.errorCounts.get("broken-mount")).toBe(1);
  expect(web.ftp.logs.some((l) => l.includes("[hits:web] panel bug"))).toBe(true);
});
