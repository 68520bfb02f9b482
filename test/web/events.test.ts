import { afterEach, expect, it } from "vitest";
import { ControlClient } from "../support/control.ts";
import { browserLogin, startWeb, type WebFixture } from "./support.ts";

let web: WebFixture;
afterEach(async () => web?.close());

/** Reads a Server-Sent Events body until `until` holds for the text so far (or `ms` passes). */
async function readEvents(res: Response, until: (text: string) => boolean, ms = 5000): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + ms;
  try {
    while (!until(text) && Date.now() < deadline) {
      const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
      if (!next || next.done) break;
      text += decoder.decode(next.value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text;
}

it("streams each live region as HTML, again when it changes", async () => {
  web = await startWeb();
  const { cookie } = await browserLogin(web);
  const res = await web.request("/events?regions=badge,sessions,nonsense", { headers: { cookie } });
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  let client: ControlClient | null = null;
  const text = await readEvents(res, (t) => {
    if (!client && t.includes("Nobody is connected.")) void ControlClient.connect(web.ftp.port).then((c) => (client = c));
    return /event: sessions\ndata: <tr id="session-/.test(t);
  });
  (client as ControlClient | null)?.close();
  expect(text).toMatch(/^event: hello\n/);
  expect(text).toContain("event: badge\ndata: 0\n");
  expect(text).toContain("event: badge\ndata: 1\n");
  expect(text).toMatch(/event: sessions\ndata: <tr id="session-[0-9a-f]+"/);
  expect(text).not.toContain("event: nonsense");
  // The kick form in each row carries this browser's CSRF token.
  expect(text).toContain('name="csrf"');
});

it("ends the stream when the server stops", async () => {
  web = await startWeb();
  const { cookie } = await browserLogin(web);
  const res = await web.request("/events?regions=badge", { headers: { cookie } });
  setTimeout(() => web.stop.abort(), 300);
  const started = Date.now();
  const text = await readEvents(res, () => false, 5000);
  expect(Date.now() - started).toBeLessThan(3000);
  expect(text).toContain("event: badge");
});

it("tells the page when its login ended", async () => {
  web = await startWeb();
  const { cookie, csrf } = await browserLogin(web);
  const res = await web.request("/events?regions=badge", { headers: { cookie } });
  setTimeout(() => {
    void web.request("/logout", { method: "POST", headers: { cookie, "x-csrf-token": csrf } });
  }, 300);
  const text = await readEvents(res, (t) => t.includes("event: logged-out"));
  expect(text).toContain("event: logged-out");
});
