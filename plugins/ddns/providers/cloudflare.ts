import { httpRequest, type HttpAnswer } from "../http.ts";
import type { DdnsProvider, PublicAddresses, UpdateContext, UpdateResult } from "../types.ts";
import { fromHttpStatus, retryAfter, worst } from "./answers.ts";

/** A Cloudflare DNS record in ftpi.yaml. */
export interface CloudflareConfig {
  type: "cloudflare";
  name?: string;
  /** The API; tests point it at loopback. */
  apiBase: string;
  zoneId: string;
  /** The record's full name, e.g. ftp.example.com. */
  record: string;
  /** An API token with Zone.DNS edit rights on the zone. */
  token: string;
  /** 1 = automatic. */
  ttl: number;
  proxied: boolean;
  /** Also keep an AAAA record. */
  ipv6: boolean;
}

interface CloudflareEnvelope {
  success?: boolean;
  errors?: { code?: number; message?: string }[];
  result?: unknown;
}

/**
 * Cloudflare's DNS API (https://developers.cloudflare.com/api/resources/dns/subresources/records/):
 * finds the A (and AAAA) record by name, PATCHes its content when it differs, creates it when
 * missing. Authentication errors and refused requests stop updates; 429 and 5xx are retried.
 */
export function cloudflareProvider(config: CloudflareConfig, fingerprint: string): DdnsProvider {
  const records = `${config.apiBase.replace(/\/+$/, "")}/zones/${encodeURIComponent(config.zoneId)}/dns_records`;
  const call = (url: string, context: UpdateContext, method = "GET", body?: unknown) =>
    httpRequest(url, {
      method,
      headers: { authorization: `Bearer ${config.token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      userAgent: context.userAgent,
      timeoutMs: context.timeoutMs,
      signal: context.signal,
    });

  const setRecord = async (type: "A" | "AAAA", address: string, context: UpdateContext): Promise<UpdateResult> => {
    const found = await call(`${records}?${new URLSearchParams({ type, name: config.record })}`, context);
    const listing = readEnvelope(found);
    if ("status" in listing) return listing;
    const existing = Array.isArray(listing.result) ? (listing.result as { id: string; content: string }[])[0] : undefined;
    if (existing?.content === address) return { status: "ok", code: "unchanged", message: `${type} ${config.record} already points at ${address}` };
    const written = existing
      ? await call(`${records}/${encodeURIComponent(existing.id)}`, context, "PATCH", { content: address })
      : await call(records, context, "POST", { type, name: config.record, content: address, ttl: config.ttl, proxied: config.proxied });
    const done = readEnvelope(written);
    if ("status" in done) return done;
    return { status: "ok", code: existing ? "updated" : "created", message: `${type} ${config.record} now points at ${address}` };
  };

  return {
    name: config.name ?? `cloudflare ${config.record}`,
    hostnames: [config.record],
    families: config.ipv6 ? [4, 6] : [4],
    fingerprint,
    async update(addresses: PublicAddresses, context: UpdateContext): Promise<UpdateResult> {
      const results: UpdateResult[] = [];
      if (addresses.ipv4) results.push(await setRecord("A", addresses.ipv4, context));
      if (addresses.ipv6 && results.every((r) => r.status === "ok")) results.push(await setRecord("AAAA", addresses.ipv6, context));
      return worst(results);
    },
  };
}

/** The API's JSON envelope when it says success, else the UpdateResult for its failure. */
function readEnvelope(answer: HttpAnswer): CloudflareEnvelope | UpdateResult {
  let body: CloudflareEnvelope | null = null;
  try {
    body = JSON.parse(answer.text) as CloudflareEnvelope;
  } catch {
    // Not JSON: a proxy's error page, say. The HTTP status decides.
  }
  if (body?.success === true && answer.status < 300) return body;
  if (!body) return fromHttpStatus(answer.status, answer.text, retryAfter(answer.headers));
  const errors = (body.errors ?? []).map((e) => `${e.code ?? "?"} ${e.message ?? ""}`.trim());
  const code = body.errors?.[0]?.code !== undefined ? `cloudflare ${body.errors[0].code}` : `HTTP ${answer.status}`;
  const message = errors.join("; ") || "request refused";
  if (answer.status === 429 || answer.status >= 500) return { status: "retry", code, message, ...(retryAfter(answer.headers) ? { retryAfterMs: retryAfter(answer.headers)! } : {}) };
  return { status: "fatal", code, message: `${message}; check zoneId, record and token in the config` };
}
