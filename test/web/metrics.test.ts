import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { ControlClient, readAll } from "../support/control.ts";
import { waitFor } from "../support/wait.ts";
import { startWeb, type WebFixture } from "./support.ts";

let web: WebFixture;
afterEach(async () => web?.close());

/** Sample values by "name{labels}". */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

it("serves the Prometheus text format with sessions, logins, bytes, transfers, ports, plugin errors, uptime", async () => {
  web = await startWeb({ plugins: [{ name: "flaky", onLoginResult: () => { throw new Error("boom"); } }, { name: "calm" }] });
  await writeFile(path.join(web.ftp.root, "f.txt"), "12345678");
  const client = await ControlClient.connect(web.ftp.port);
  await client.login("alice");
  const data = await client.pasv();
  client.write("RETR f.txt\r\n");
  await readAll(data);
  await client.read();
  await client.read();
  const bad = await ControlClient.connect(web.ftp.port);
  await bad.read();
  await bad.send("USER alice");
  await bad.send("PASS wrong");
  await waitFor(() => (web.ftp.server.host.errorCounts.get("flaky") ?? 0) >= 2, "the flaky plugin to fail twice");

  const res = await web.asAdmin("/metrics");
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const text = await res.text();
  expect(text).toContain("# TYPE ftpi_logins_total counter");
  expect(text).toContain("# TYPE ftpi_sessions gauge");
  const m = samples(text);
  expect(m.get("ftpi_sessions")).toBe(2);
  expect(m.get('ftpi_logins_total{result="ok"}')).toBe(1);
  expect(m.get('ftpi_logins_total{result="failed"}')).toBe(1);
  expect(m.get('ftpi_bytes_total{direction="out"}')).toBe(8);
  expect(m.get('ftpi_bytes_total{direction="in"}')).toBe(0);
  expect(m.get('ftpi_transfers_total{outcome="ok"}')).toBe(1);
  expect(m.get('ftpi_transfers_total{outcome="aborted"}')).toBe(0);
  expect(m.get("ftpi_passive_ports_in_use")).toBe(0);
  expect(m.get('ftpi_plugin_errors_total{plugin="flaky"}')).toBe(2);
  expect(m.get('ftpi_plugin_errors_total{plugin="calm"}')).toBe(0);
  expect(m.get("ftpi_uptime_seconds")).toBeGreaterThanOrEqual(0);
  client.close();
  bad.close();
});

it("adds the samples of plugins that expose metrics()", async () => {
  web = await startWeb({
    plugins: [
      { name: "counter", setup: (ctx) => ctx.expose({ metrics: () => "# TYPE ftpi_counter_hits_total counter\nftpi_counter_hits_total 7\n" }) },
      { name: "broken", setup: (ctx) => ctx.expose({ metrics: () => { throw new Error("no numbers"); } }) },
      { name: "plain", setup: (ctx) => ctx.expose({ other: 1 }) },
    ],
  });
  const text = await (await web.asAdmin("/metrics")).text();
  expect(samples(text).get("ftpi_counter_hits_total")).toBe(7);
  expect(text.endsWith("ftpi_counter_hits_total 7\n")).toBe(true);
  expect(web.ftp.server.host.errorCounts.get("broken")).toBe(1);
});
