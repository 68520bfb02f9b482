import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TlsOptions } from "../../core/config/types.ts";
import { ensureTlsCertificate } from "../../cli/tls-certificate.ts";
import { account, anonymousAccount } from "../support/server.ts";
import { browserLogin, json, startWeb, type WebFixture } from "./support.ts";

/*
 * The overview page: the "post your FTP info" block and the server facts, for the setups that
 * change what they say (TLS on, anonymous logins).
 */

let web: WebFixture;
afterEach(async () => web?.close());

let tlsFiles: { certFile: string; keyFile: string };
beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ftpi-web-cert-"));
  const made = await ensureTlsCertificate({ dataDir: dir, tls: { enabled: true, certFile: null, keyFile: null, implicit: [], require: false, requireSessionReuse: true } } as never);
  tlsFiles = { certFile: made.options.tls.certFile!, keyFile: made.options.tls.keyFile! };
}, 60_000);

const tls = (more: Partial<TlsOptions> = {}): TlsOptions => ({ enabled: true, ...tlsFiles, implicit: [], require: false, requireSessionReuse: true, ...more });

/** The overview as a logged-in browser gets it, and the text of its FTP info block (entities decoded). */
async function overview(w: WebFixture): Promise<{ html: string; info: string }> {
  const { cookie } = await browserLogin(w);
  const res = await w.request("/", { headers: { cookie } });
  expect(res.status).toBe(200);
  const html = await res.text();
  const block = /<pre id="ftp-info" class="ftp-info">([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? "";
  const info = block.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  return { html, info };
}

const fact = (html: string, label: string) => new RegExp(`<dt>${label}</dt><dd[^>]*>([^<]*)</dd>`).exec(html)?.[1];

describe("the overview", () => {
  it("with TLS off says so, and the FTP info has no encryption line", async () => {
    web = await startWeb();
    const { html, info } = await overview(web);
    expect(fact(html, "TLS")).toBe("off");
    expect(info).not.toContain("Encryption");
    expect(info).toContain("Login as: alice (ask me for the password)");
  });

  it("shows explicit TLS, and tells friends in the FTP info block", async () => {
    web = await startWeb({ options: { tls: tls() } });
    const { html, info } = await overview(web);
    expect(fact(html, "TLS")).toBe("explicit (AUTH TLS)");
    expect(info).toContain("Encryption: FTP over explicit TLS works.");
    expect((await json(await web.asAdmin("/api/status"))).tls).toEqual({ enabled: true, required: false, implicit: [] });
  });

  it("shows TLS required for logins and the implicit-FTPS port", async () => {
    web = await startWeb({ options: { tls: tls({ require: true, implicit: [{ host: "127.0.0.1", port: 9990 }] }) } });
    const { html, info } = await overview(web);
    expect(fact(html, "TLS")).toBe("explicit (AUTH TLS), required for logins; implicit on port 9990");
    expect(info).toContain("Encryption: FTP over explicit TLS is required.");
    expect((await json(await web.asAdmin("/api/status"))).tls).toMatchObject({ enabled: true, required: true, implicit: [{ port: 9990 }] });
  });

  it("gives the anonymous login, with its rights, before the named users", async () => {
    web = await startWeb({ accounts: async (root) => [anonymousAccount(root), await account("alice", root)] });
    const { info } = await overview(web);
    const port = web.ftp.port;
    expect(info.split("\n")).toEqual([
      `FTP server: ftp://127.0.0.1:${port}/`,
      `Host: 127.0.0.1  Port: ${port}`,
      "Login: anonymous, any password (read-only, uploads go to /upload)",
      "Or log in as: alice (ask me for the password)",
      "Use passive mode.",
    ]);
    expect((await json(await web.asAdmin("/api/status"))).ftp).toMatchObject({ anonymous: true, anonymousRights: "read-only, uploads go to /upload", users: ["alice"] });
  });

  it("with anonymous alone, names no users, and says read-only when nothing is writable", async () => {
    web = await startWeb({ accounts: (root) => [anonymousAccount(root, { permissions: [{ path: "/", allow: ["read", "list"], subdirs: true }] })] });
    const { html, info } = await overview(web);
    expect(info).toContain("Login: anonymous, any password (read-only)");
    expect(info).not.toContain("log in as");
    expect(html).not.toContain("Nobody can log in yet");
  });
});
