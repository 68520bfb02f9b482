import { isIP } from "node:net";
import { httpRequest, networkError } from "./http.ts";

/** Plain-text "what is my IP" services, tried in order. */
export const DEFAULT_LOOKUP = {
  ipv4: ["https://api.ipify.org", "https://ipv4.icanhazip.com", "https://checkip.amazonaws.com"],
  ipv6: ["https://api6.ipify.org", "https://ipv6.icanhazip.com"],
};

/** The address a lookup found, where from, and why the endpoints that failed did. */
export interface LookupAnswer {
  address: string | null;
  source: string | null;
  errors: string[];
}

/**
 * Finds the public address of this box by asking plain-text "what is my IP" endpoints, one after
 * another until one answers with an address of the family asked for. The endpoint that answered
 * is asked first next time.
 *
 * @example
 * const lookup = new PublicAddressLookup({ ipv4: ["https://api.ipify.org"], ipv6: [] }, { timeoutMs: 5000, userAgent: USER_AGENT });
 * (await lookup.find(4)).address // "203.0.113.7"
 */
export class PublicAddressLookup {
  private readonly preferred: Record<4 | 6, string | null> = { 4: null, 6: null };

  constructor(
    private readonly endpoints: { ipv4: readonly string[]; ipv6: readonly string[] },
    private readonly http: { timeoutMs: number; userAgent: string },
  ) {}

  async find(family: 4 | 6, signal?: AbortSignal): Promise<LookupAnswer> {
    const listed = family === 4 ? this.endpoints.ipv4 : this.endpoints.ipv6;
    const first = this.preferred[family];
    const order = first && listed.includes(first) ? [first, ...listed.filter((u) => u !== first)] : [...listed];
    const errors: string[] = [];
    for (const url of order) {
      if (signal?.aborted) break;
      try {
        const answer = await httpRequest(url, { ...this.http, signal, maxBytes: 256 });
        const text = answer.text.trim().split(/\s+/)[0] ?? "";
        if (answer.status !== 200) errors.push(`${url}: HTTP ${answer.status}`);
        else if (isIP(text) !== family) errors.push(`${url}: "${text.slice(0, 40)}" is not an IPv${family} address`);
        else {
          this.preferred[family] = url;
          return { address: text, source: url, errors };
        }
      } catch (err) {
        errors.push(`${url}: ${networkError(err)}`);
      }
    }
    return { address: null, source: null, errors };
  }
}
