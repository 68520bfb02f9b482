import { isIP } from "node:net";
import type { AddressFilter } from "./types.ts";

/**
 * An IP address as a number. An IPv4-mapped IPv6 address (::ffff:1.2.3.4) is its IPv4 address.
 *
 * @example
 * parseAddress("192.168.1.2"); // { version: 4, value: 3232235778n }
 */
export interface IpAddress {
  version: 4 | 6;
  value: bigint;
}

/**
 * A CIDR range: the addresses whose first `prefixLength` bits equal those of `network`.
 *
 * @example
 * parseCidr("2001:db8::/32"); // { version: 6, network: 0x20010db8n << 96n, prefixLength: 32 }
 */
export interface AddressRange {
  version: 4 | 6;
  network: bigint;
  prefixLength: number;
}

const BITS = { 4: 32, 6: 128 } as const;
// ::ffff:0:0/96 (RFC 4291 §2.5.5.2): how a dual-stack socket shows an IPv4 peer.
const IPV4_MAPPED_PREFIX = 0xffffn << 32n;

function mask(version: 4 | 6, prefixLength: number): bigint {
  const bits = BigInt(BITS[version]);
  const all = (1n << bits) - 1n;
  return all ^ ((1n << (bits - BigInt(prefixLength))) - 1n);
}

function ipv4Value(text: string): bigint {
  return text.split(".").reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Value(text: string): bigint {
  const groupsOf = (part: string): bigint[] =>
    part === ""
      ? []
      : part.split(":").flatMap((group) => {
          if (!group.includes(".")) return [BigInt(parseInt(group, 16))];
          const v4 = ipv4Value(group);
          return [v4 >> 16n, v4 & 0xffffn];
        });
  const gap = text.indexOf("::");
  let groups: bigint[];
  if (gap < 0) {
    groups = groupsOf(text);
  } else {
    const head = groupsOf(text.slice(0, gap));
    const tail = groupsOf(text.slice(gap + 2));
    groups = [...head, ...Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail];
  }
  return groups.reduce((value, group) => (value << 16n) | group, 0n);
}

/** Parses an address exactly as written (no IPv4-mapped folding), or null if it is none. */
function parseLiteral(text: string): IpAddress | null {
  // A zone ("fe80::1%eth0") says which interface, not which host: it plays no part in matching.
  const zone = text.indexOf("%");
  const bare = zone >= 0 ? text.slice(0, zone) : text;
  const version = isIP(bare);
  if (version === 4) return { version: 4, value: ipv4Value(bare) };
  if (version === 6) return { version: 6, value: ipv6Value(bare) };
  return null;
}

/**
 * Parses an IPv4 or IPv6 address, as a socket reports it or as a user writes it; null if `text`
 * is not one. IPv4-mapped IPv6 addresses come back as IPv4, so that "::ffff:192.168.1.2" from a
 * dual-stack socket matches rules written for 192.168.1.2.
 *
 * @example
 * parseAddress("::ffff:10.0.0.7")?.version; // 4
 * parseAddress("not an address"); // null
 */
export function parseAddress(text: string): IpAddress | null {
  const literal = parseLiteral(text);
  if (literal?.version === 6 && literal.value >> 32n === 0xffffn) {
    return { version: 4, value: literal.value & 0xffffffffn };
  }
  return literal;
}

/** The usual text of an address: dotted IPv4, or IPv6 in the RFC 5952 canonical form. */
export function formatAddress(address: IpAddress): string {
  if (address.version === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((address.value >> shift) & 0xffn)).join(".");
  }
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => Number((address.value >> shift) & 0xffffn));
  // RFC 5952 §4.2: "::" replaces the longest run of two or more zero groups, the first on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = (part: number[]): string => part.map((g) => g.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/**
 * Parses an address ("192.168.1.10", "2001:db8::1") or a CIDR range ("10.0.0.0/8",
 * "2001:db8::/32"). Bits beyond the prefix are ignored, as most firewalls do.
 *
 * @throws Error with a message meant for the config file's author
 * @example
 * parseCidr("192.168.0.0/16") // { version: 4, network: 3232235520n, prefixLength: 16 }
 */
export function parseCidr(text: string): AddressRange {
  const trimmed = text.trim();
  const slash = trimmed.indexOf("/");
  const addressText = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const address = parseLiteral(addressText);
  if (!address) {
    throw new Error(`"${text}" is not an IPv4 or IPv6 address or CIDR range (e.g. 192.168.1.0/24 or 2001:db8::/32)`);
  }
  const maxLength = BITS[address.version];
  let prefixLength: number = maxLength;
  if (slash >= 0) {
    const lengthText = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > maxLength) {
      throw new Error(`"${text}": the prefix length after "/" must be a number from 0 to ${maxLength}`);
    }
    prefixLength = Number(lengthText);
  }
  return { version: address.version, network: address.value & mask(address.version, prefixLength), prefixLength };
}

/** Whether `text` is an address or CIDR range parseCidr() accepts (for config validation). */
export function isValidAddressOrCidr(text: string): boolean {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}

/** Whether `range` holds `address`. An IPv6 range holds an IPv4 address if it holds its mapped form. */
export function rangeContains(range: AddressRange, address: IpAddress): boolean {
  let { value } = address;
  if (range.version !== address.version) {
    if (range.version === 4) return false;
    value = IPV4_MAPPED_PREFIX | value;
  }
  return (value & mask(range.version, range.prefixLength)) === range.network;
}

/**
 * A list of addresses and ranges, as in one side of an AddressFilter.
 *
 * @throws Error from the constructor, for an entry parseCidr() refuses
 *
 * @example
 * const neverBan = new AddressList(["127.0.0.1", "192.168.0.0/16", "fd00::/8"]);
 * neverBan.matches("192.168.1.20"); // true
 */
export class AddressList {
  readonly ranges: readonly AddressRange[];

  constructor(entries: readonly string[]) {
    this.ranges = entries.map(parseCidr);
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** Whether `ip` is in one of the ranges; false for text that is no address. */
  matches(ip: string): boolean {
    const address = parseAddress(ip);
    return address !== null && this.ranges.some((range) => rangeContains(range, address));
  }
}

/**
 * An account's (or the server's) address filter: deny wins over allow, and an empty allow list
 * lets everyone in who is not denied.
 *
 * @example
 * new AddressMatcher({ allow: ["192.168.0.0/16"], deny: ["192.168.0.66"] }).allows("::ffff:192.168.0.7") // true
 */
export class AddressMatcher {
  readonly allow: AddressList;
  readonly deny: AddressList;

  constructor(filter: AddressFilter) {
    this.allow = new AddressList(filter.allow);
    this.deny = new AddressList(filter.deny);
  }

  /** Whether a peer at `ip` may connect or log in; text that is no address is refused. */
  allows(ip: string): boolean {
    if (parseAddress(ip) === null || this.deny.matches(ip)) return false;
    return this.allow.isEmpty || this.allow.matches(ip);
  }
}

const PRIVATE_RANGES = new AddressList([
  "10.0.0.0/8", // RFC 1918
  "172.16.0.0/12", // RFC 1918
  "192.168.0.0/16", // RFC 1918
  "127.0.0.0/8", // loopback
  "169.254.0.0/16", // link-local (RFC 3927)
  "100.64.0.0/10", // carrier-grade NAT (RFC 6598)
  "::1/128", // loopback
  "fc00::/7", // unique local (RFC 4193)
  "fe80::/10", // link-local
]);

/**
 * Whether `ip` is an address that cannot be reached from the internet: RFC 1918, loopback,
 * link-local, CGNAT, IPv6 ULA. False for text that is no address.
 *
 * @example
 * isPrivateAddress("192.168.1.20"); // true: answer PASV with the LAN address
 * isPrivateAddress("203.0.113.9"); // false: answer with the public one
 */
export function isPrivateAddress(ip: string): boolean {
  return PRIVATE_RANGES.matches(ip);
}

/**
 * A key that groups addresses by who is likely behind them: an IPv4 address stands for itself,
 * but one IPv6 host usually owns a whole /64, so its addresses share the key of that network.
 *
 * @throws Error if `ip` is not an address
 * @example
 * prefixKey("2001:db8:1:2:aaaa::1") // "2001:db8:1:2::/64"
 * prefixKey("::ffff:10.0.0.1")      // "10.0.0.1"
 */
export function prefixKey(ip: string, v6PrefixLength = 64): string {
  const address = parseAddress(ip);
  if (!address) throw new Error(`"${ip}" is not an IP address`);
  if (address.version === 4) return formatAddress(address);
  if (!Number.isInteger(v6PrefixLength) || v6PrefixLength < 0 || v6PrefixLength > 128) {
    throw new RangeError(`IPv6 prefix length must be 0 to 128, got ${v6PrefixLength}`);
  }
  const network = address.value & mask(6, v6PrefixLength);
  return `${formatAddress({ version: 6, value: network })}/${v6PrefixLength}`;
}
