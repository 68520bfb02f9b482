import { AddressList, parseCidr, prefixKey } from "../../core/index.ts";

/**
 * Who a ban is for: an IPv4 address stands for itself, an IPv6 address for its network of
 * `ipv6Prefix` bits ("2001:db8:1:2::/64"), since one host usually owns a whole /64 and would
 * otherwise step around a ban by changing address.
 */
export class AddressKeys {
  private readonly allowed: AddressList;

  constructor(
    allow: readonly string[],
    private readonly ipv6Prefix: number,
  ) {
    this.allowed = new AddressList(allow);
  }

  /** The ban key of a client address; null when it is allow-listed or not an IP address. */
  keyOf(ip: string): string | null {
    if (this.allowed.matches(ip)) return null;
    try {
      return prefixKey(ip, this.ipv6Prefix);
    } catch {
      return null;
    }
  }

  /**
   * The ban key an admin means by `text`: an address, or an IPv6 network of exactly the ban prefix
   * length ("2001:db8:1:2::/64"), or an IPv4 address written as /32.
   *
   * @throws Error with a message for the admin, for anything else
   */
  keyOfAdminInput(text: string): string {
    const trimmed = text.trim();
    let range;
    try {
      range = parseCidr(trimmed);
    } catch {
      throw new Error(`"${text}" is not an IP address`);
    }
    const whole = range.version === 4 ? 32 : this.ipv6Prefix;
    if (trimmed.includes("/") && range.prefixLength !== whole && !(range.version === 6 && range.prefixLength === 128)) {
      throw new Error(`autoban bans single addresses${range.version === 6 ? ` and IPv6 /${this.ipv6Prefix} networks` : ""}; for "${text}" use ipFilter.deny in ftpi.yaml`);
    }
    return prefixKey(trimmed.split("/")[0]!, this.ipv6Prefix);
  }

  /** Whether `ip` is on the allow-list. */
  isAllowed(ip: string): boolean {
    return this.allowed.matches(ip);
  }
}
