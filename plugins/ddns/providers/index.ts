import { createHash } from "node:crypto";
import type { DdnsProvider } from "../types.ts";
import { cloudflareProvider, type CloudflareConfig } from "./cloudflare.ts";
import { duckdnsProvider, type DuckdnsConfig } from "./duckdns.ts";
import { dyndns2Provider, type Dyndns2Config } from "./dyndns2.ts";

export type ProviderConfig = Dyndns2Config | DuckdnsConfig | CloudflareConfig;

/** A built-in provider from its entry in ftpi.yaml. */
export function createProvider(config: ProviderConfig): DdnsProvider {
  const fingerprint = configFingerprint(config);
  switch (config.type) {
    case "dyndns2":
      return dyndns2Provider(config, fingerprint);
    case "duckdns":
      return duckdnsProvider(config, fingerprint);
    case "cloudflare":
      return cloudflareProvider(config, fingerprint);
  }
}

/**
 * A hash of a provider's configuration, secrets included: it changes when the user fixes a
 * password, and the saved state holds it instead of the password.
 */
export function configFingerprint(config: unknown): string {
  const canonical = JSON.stringify(config, (_key, value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : value,
  );
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}
