import { describe, expect, it } from "vitest";
import {
  AddressList,
  AddressMatcher,
  formatAddress,
  isPrivateAddress,
  isValidAddressOrCidr,
  parseAddress,
  parseCidr,
  prefixKey,
  rangeContains,
} from "../../core/auth/address-filter.ts";

describe("parseAddress", () => {
  it.each([
    ["192.168.1.2", 4, 0xc0a80102n],
    ["0.0.0.0", 4, 0n],
    ["255.255.255.255", 4, 0xffffffffn],
    ["::", 6, 0n],
    ["::1", 6, 1n],
    ["2001:db8::1", 6, 0x20010db8000000000000000000000001n],
    ["2001:DB8:0:0:0:0:0:1", 6, 0x20010db8000000000000000000000001n],
    ["1::", 6, 1n << 112n],
    ["fe80::1%eth0", 6, 0xfe800000000000000000000000000001n],
    ["::ffff:1.2.3.4", 4, 0x01020304n],
    ["::FFFF:10.0.0.1", 4, 0x0a000001n],
    ["::ffff:a00:1", 4, 0x0a000001n],
    ["0:0:0:0:0:ffff:c0a8:0101", 4, 0xc0a80101n],
    ["64:ff9b::1.2.3.4", 6, (0x64ff9bn << 96n) | 0x01020304n],
  ])("%s", (text, version, value) => {
    expect(parseAddress(text)).toEqual({ version, value });
  });

  it.each(["", "localhost", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "[::1]", "1:2:3:4:5:6:7:8:9", "::g", "1.2.3.4/32", "::ffff:1.2.3.256"])(
    "refuses %j",
    (text) => {
      expect(parseAddress(text)).toBeNull();
    },
  );
});

describe("formatAddress", () => {
  it.each([
    ["10.0.0.1", "10.0.0.1"],
    ["::ffff:10.0.0.1", "10.0.0.1"],
    ["::", "::"],
    ["::1", "::1"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["1:0:0:0:0:0:0:0", "1::"],
    ["FE80::ABCD", "fe80::abcd"],
  ])("%s → %s (RFC 5952)", (text, expected) => {
    expect(formatAddress(parseAddress(text)!)).toBe(expected);
  });
});

describe("parseCidr", () => {
  it("parses ranges and single addresses", () => {
    expect(parseCidr("192.168.0.0/16")).toEqual({ version: 4, network: 0xc0a80000n, prefixLength: 16 });
    expect(parseCidr("10.1.2.3")).toEqual({ version: 4, network: 0x0a010203n, prefixLength: 32 });
    expect(parseCidr("2001:db8::/32")).toEqual({ version: 6, network: 0x20010db8n << 96n, prefixLength: 32 });
    expect(parseCidr("::1")).toEqual({ version: 6, network: 1n, prefixLength: 128 });
    expect(parseCidr("0.0.0.0/0")).toEqual({ version: 4, network: 0n, prefixLength: 0 });
    expect(parseCidr("  172.16.0.0/12 ")).toEqual({ version: 4, network: 0xac100000n, prefixLength: 12 });
  });

  it("ignores bits beyond the prefix", () => {
    expect(parseCidr("192.168.1.77/24")).toEqual(parseCidr("192.168.1.0/24"));
    expect(parseCidr("2001:db8::1/64")).toEqual(parseCidr("2001:db8::/64"));
  });

  it.each([
    ["", /not an IPv4 or IPv6 address/],
    ["example.com", /"example.com" is not an IPv4 or IPv6 address/],
    ["192.168.1.0/33", /0 to 32/],
    ["2001:db8::/129", /0 to 128/],
    ["10.0.0.0/", /prefix length/],
    ["10.0.0.0/-1", /prefix length/],
    ["10.0.0.0/8/8", /prefix length/],
    ["10.0.0.0/ 8", /prefix length/],
    ["10.0.0.0/0x8", /prefix length/],
    ["10.0.0/8", /not an IPv4/],
    ["*", /not an IPv4/],
    ["192.168.*.*", /not an IPv4/],
  ])("refuses %j with a clear message", (text, message) => {
    expect(() => parseCidr(text)).toThrow(message);
    expect(isValidAddressOrCidr(text)).toBe(false);
  });

  it("validates config entries", () => {
    for (const text of ["10.0.0.0/8", "::1", "fd00::/8", "1.2.3.4", "::ffff:0:0/96"]) {
      expect(isValidAddressOrCidr(text), text).toBe(true);
    }
  });
});

describe("rangeContains", () => {
  it("compares by prefix bits", () => {
    const lan = parseCidr("192.168.1.0/24");
    expect(rangeContains(lan, parseAddress("192.168.1.0")!)).toBe(true);
    expect(rangeContains(lan, parseAddress("192.168.1.255")!)).toBe(true);
    expect(rangeContains(lan, parseAddress("192.168.2.1")!)).toBe(false);
    expect(rangeContains(parseCidr("0.0.0.0/0"), parseAddress("8.8.8.8")!)).toBe(true);
    expect(rangeContains(parseCidr("0.0.0.0/0"), parseAddress("::1")!)).toBe(false);
  });

  it("holds IPv4 addresses in IPv6 ranges through their mapped form", () => {
    expect(rangeContains(parseCidr("::ffff:0:0/96"), parseAddress("1.2.3.4")!)).toBe(true);
    expect(rangeContains(parseCidr("::ffff:10.0.0.0/104"), parseAddress("10.9.9.9")!)).toBe(true);
    expect(rangeContains(parseCidr("::ffff:10.0.0.0/104"), parseAddress("11.0.0.1")!)).toBe(false);
    expect(rangeContains(parseCidr("::/0"), parseAddress("1.2.3.4")!)).toBe(true);
    expect(rangeContains(parseCidr("2001:db8::/32"), parseAddress("1.2.3.4")!)).toBe(false);
  });
});

describe("AddressList", () => {
  it("matches any of its ranges", () => {
    const list = new AddressList(["10.0.0.0/8", "2001:db8::/32", "192.168.1.5"]);
    expect(list.matches("10.200.3.4")).toBe(true);
    expect(list.matches("2001:db8:ffff::1")).toBe(true);
    expect(list.matches("192.168.1.5")).toBe(true);
    expect(list.matches("192.168.1.6")).toBe(false);
    expect(list.matches("2001:db9::1")).toBe(false);
    expect(list.matches("not an address")).toBe(false);
    expect(list.isEmpty).toBe(false);
    expect(new AddressList([]).isEmpty).toBe(true);
  });

  it("throws for an invalid entry", () => {
    expect(() => new AddressList(["10.0.0.0/8", "bogus"])).toThrow(/"bogus"/);
  });
});

describe("AddressMatcher", () => {
  it("allows everyone when both lists are empty", () => {
    const open = new AddressMatcher({ allow: [], deny: [] });
    expect(open.allows("8.8.8.8")).toBe(true);
    expect(open.allows("2001:db8::1")).toBe(true);
  });

  it("refuses text that is no address", () => {
    expect(new AddressMatcher({ allow: [], deny: [] }).allows("")).toBe(false);
    expect(new AddressMatcher({ allow: [], deny: [] }).allows("hostname")).toBe(false);
  });

  it("allows only the allow list when it is not empty", () => {
    const lanOnly = new AddressMatcher({ allow: ["192.168.0.0/16", "fd00::/8"], deny: [] });
    expect(lanOnly.allows("192.168.44.1")).toBe(true);
    expect(lanOnly.allows("fd12:3456::1")).toBe(true);
    expect(lanOnly.allows("8.8.8.8")).toBe(false);
    expect(lanOnly.allows("2001:db8::1")).toBe(false);
  });

  it("lets deny win over allow", () => {
    const filter = new AddressMatcher({ allow: ["192.168.0.0/16"], deny: ["192.168.0.66", "192.168.100.0/24"] });
    expect(filter.allows("192.168.0.7")).toBe(true);
    expect(filter.allows("192.168.0.66")).toBe(false);
    expect(filter.allows("192.168.100.200")).toBe(false);
  });

  it("denies with an empty allow list", () => {
    const filter = new AddressMatcher({ allow: [], deny: ["203.0.113.0/24"] });
    expect(filter.allows("203.0.113.9")).toBe(false);
    expect(filter.allows("198.51.100.1")).toBe(true);
  });

  it("matches IPv4 clients seen through a dual-stack socket against IPv4 rules", () => {
    const filter = new AddressMatcher({ allow: ["192.168.1.0/24"], deny: ["192.168.1.13"] });
    expect(filter.allows("::ffff:192.168.1.20")).toBe(true);
    expect(filter.allows("::ffff:192.168.1.13")).toBe(false);
    expect(filter.allows("::ffff:10.0.0.1")).toBe(false);
    const mappedRule = new AddressMatcher({ allow: ["::ffff:192.168.1.20"], deny: [] });
    expect(mappedRule.allows("192.168.1.20")).toBe(true);
  });

  it("ignores the zone of a link-local peer", () => {
    expect(new AddressMatcher({ allow: ["fe80::/10"], deny: [] }).allows("fe80::1%eth0")).toBe(true);
  });
});

describe("isPrivateAddress", () => {
  it.each([
    "10.0.0.1",
    "10.255.255.255",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.0.1",
    "127.0.0.1",
    "127.5.5.5",
    "169.254.1.1",
    "100.64.0.1",
    "100.127.255.255",
    "::1",
    "fc00::1",
    "fd12:3456:789a::1",
    "fe80::1",
    "febf::1",
    "fe80::1%wlan0",
    "::ffff:192.168.1.1",
    "::ffff:127.0.0.1",
  ])("%s is private", (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each([
    "8.8.8.8",
    "172.15.255.255",
    "172.32.0.0",
    "192.169.0.1",
    "100.63.255.255",
    "100.128.0.0",
    "1.1.1.1",
    "2001:db8::1",
    "2a00:1450::1",
    "fec0::1",
    "::",
    "::ffff:8.8.8.8",
    "garbage",
  ])("%s is not private", (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
});

describe("prefixKey", () => {
  it("keys IPv4 by the address itself", () => {
    expect(prefixKey("203.0.113.7")).toBe("203.0.113.7");
    expect(prefixKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("keys IPv6 by its /64 network", () => {
    expect(prefixKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(prefixKey("2001:db8:1:2::1")).toBe(prefixKey("2001:db8:1:2:ffff::9"));
    expect(prefixKey("2001:db8:1:3::1")).not.toBe(prefixKey("2001:db8:1:2::1"));
    expect(prefixKey("::1")).toBe("::/64");
  });

  it("takes another prefix length", () => {
    expect(prefixKey("2001:db8:1:2::1", 48)).toBe("2001:db8:1::/48");
    expect(prefixKey("2001:db8:1:2::1", 128)).toBe("2001:db8:1:2::1/128");
    expect(() => prefixKey("2001:db8::1", 129)).toThrow(RangeError);
  });

  it("throws for text that is no address", () => {
    expect(() => prefixKey("nope")).toThrow(/not an IP address/);
  });
});
