import { parseCidr, type OptionsSchema } from "../../core/index.ts";

/** autoban's options. Times are in seconds (fractions allowed); every one has a default. */
export interface AutobanOptions {
  /** Failed logins from one address that earn a ban… (default 5) */
  maxLoginFailures: number;
  /** …when they fall within this many seconds (default 60). */
  loginFailureWindow: number;
  /** More connections than this from one address earn a ban… (default 20) */
  maxConnections: number;
  /** …when they fall within this many seconds (default 10). */
  connectionWindow: number;
  /** Length of a first ban (default 300 = 5 minutes). */
  banTime: number;
  /** Each further ban of the same address lasts this many times longer (default 4). */
  banMultiplier: number;
  /** No ban lasts longer (default 86400 = a day). */
  maxBanTime: number;
  /** A ban that ended longer ago than this no longer counts as a strike (default 7 days). */
  strikeMemory: number;
  /** Addresses and CIDR ranges never banned (default none: loopback can be banned too). */
  allow: string[];
  /** IPv6 clients are banned by network of this prefix length, since one host owns a /64 (default 64). */
  ipv6Prefix: number;
  /** Addresses watched at once, per counter; beyond it the longest-quiet one is forgotten (default 10000). */
  maxTrackedAddresses: number;
  /** Login failure reasons that count (default bad-password, unknown-user, disabled and web: status-page logins). */
  failureReasons: string[];
}

const isAddressOrRange = (text: string) => {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
};

/** The schema of autoban's options, built from the valibot the host passes in. */
export const autobanOptions: OptionsSchema<AutobanOptions> = (v) => {
  const seconds = (fallback: number) => v.optional(v.pipe(v.number("must be a number of seconds"), v.minValue(0.001)), fallback);
  const count = (fallback: number) => v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), fallback);
  return v.strictObject({
    maxLoginFailures: count(5),
    loginFailureWindow: seconds(60),
    maxConnections: count(20),
    connectionWindow: seconds(10),
    banTime: seconds(300),
    banMultiplier: v.optional(v.pipe(v.number(), v.minValue(1)), 4),
    maxBanTime: seconds(86_400),
    strikeMemory: seconds(7 * 86_400),
    allow: v.optional(v.array(v.pipe(v.string(), v.check(isAddressOrRange, "must be an IP address or CIDR range, e.g. 192.168.0.0/16"))), []),
    ipv6Prefix: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(128)), 64),
    maxTrackedAddresses: count(10_000),
    failureReasons: v.optional(v.array(v.string()), ["bad-password", "unknown-user", "disabled", "web"]),
  });
};
