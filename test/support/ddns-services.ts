import http from "node:http";
import type { AddressInfo } from "node:net";

/** A request a fake service received. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface CloudflareRecord {
  id: string;
  type: string;
  name: string;
  content: string;
}

/**
 * Dynamic-DNS services and "what is my IP" endpoints on 127.0.0.1, for the ddns tests. Each
 * answers as the real protocol does, with the answer the test sets:
 * - dyndns2: GET /nic/update (Basic auth user:pass), answers `dyndns2Answer` (e.g. "good 1.2.3.4");
 * - DuckDNS: GET /duck/update?domains&token&ip, answers `duckAnswer` ("OK" / "KO");
 * - Cloudflare: /cf/zones/:zone/dns_records (Bearer token), records in `cfRecords`, or the
 *   error in `cfFailure`;
 * - GET /ip (the current `publicIp`), /ip6, /ip-broken (500), /ip-garbage (HTML), /ip-slow (never answers).
 */
export class FakeDdnsServices {
  readonly seen: SeenRequest[] = [];
  publicIp = "203.0.113.10";
  publicIp6 = "2001:db8::10";
  dyndns2Answer: string | ((ip: string) => string) = (ip) => `good ${ip}`;
  dyndns2Status = 200;
  duckAnswer = "OK";
  cfToken = "cf-token";
  cfRecords: CloudflareRecord[] = [];
  cfFailure: { status: number; body: string } | null = null;
  private nextId = 1;
  private readonly server = http.createServer((req, res) => void this.answer(req, res));
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  /** Requests to paths starting with `prefix`. */
  requests(prefix: string): SeenRequest[] {
    return this.seen.filter((r) => r.path.startsWith(prefix));
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<unknown> {
    let body = "";
    for await (const chunk of req) body += chunk;
    const url = new URL(req.url ?? "/", "http://x");
    this.seen.push({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body });
    const text = (status: number, t: string) => res.writeHead(status, { "content-type": "text/plain" }).end(t);
    const json = (status: number, j: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(j));

    if (url.pathname === "/ip") return text(200, `${this.publicIp}\n`);
    if (url.pathname === "/ip6") return text(200, this.publicIp6);
    if (url.pathname === "/ip-broken") return text(500, "oops");
    if (url.pathname === "/ip-garbage") return text(200, "<html>your ip is</html>");
    if (url.pathname === "/ip-slow") return; // never answers

    if (url.pathname === "/nic/update") {
      if (req.headers.authorization !== `Basic ${Buffer.from("user:pass").toString("base64")}`) return text(401, "badauth");
      const answer = typeof this.dyndns2Answer === "function" ? this.dyndns2Answer(url.searchParams.get("myip") ?? "") : this.dyndns2Answer;
      return text(this.dyndns2Status, answer);
    }
    if (url.pathname === "/duck/update") return text(200, this.duckAnswer);

    const cf = /^\/cf\/zones\/([^/]+)\/dns_records(?:\/([^/]+))?$/.exec(url.pathname);
    if (cf) {
      if (this.cfFailure) return res.writeHead(this.cfFailure.status, { "content-type": "application/json" }).end(this.cfFailure.body);
      if (req.headers.authorization !== `Bearer ${this.cfToken}` || cf[1] !== "zone1") {
        return json(403, { success: false, errors: [{ code: 9109, message: "Invalid access token" }], messages: [], result: null });
      }
      if (req.method === "GET") {
        const found = this.cfRecords.filter((r) => r.type === url.searchParams.get("type") && r.name === url.searchParams.get("name"));
        return json(200, { success: true, errors: [], messages: [], result: found });
      }
      const input = JSON.parse(body) as Partial<CloudflareRecord>;
      if (req.method === "PATCH") {
        const record = this.cfRecords.find((r) => r.id === cf[2]);
        if (!record) return json(404, { success: false, errors: [{ code: 81044, message: "Record does not exist." }], result: null });
        record.content = input.content!;
        return json(200, { success: true, errors: [], messages: [], result: record });
      }
      if (req.method === "POST") {
        const record = { id: `rec${this.nextId++}`, type: input.type!, name: input.name!, content: input.content! };
        this.cfRecords.push(record);
        return json(200, { success: true, errors: [], messages: [], result: record });
      }
    }
    text(404, "not found");
  }
}
