import net from "node:net";

/** An address without the IPv4-mapped IPv6 prefix, so "::ffff:10.0.0.1" and "10.0.0.1" compare equal. */
export function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

export function sameAddress(a: string, b: string): boolean {
  const pa = plainAddress(a);
  const pb = plainAddress(b);
  if (pa === pb) return true;
  if (net.isIPv6(pa) && net.isIPv6(pb)) return expandIPv6(pa) === expandIPv6(pb);
  return false;
}

function expandIPv6(a: string): string {
  const [head, tail = ""] = a.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const parts = a.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  return parts.map((p) => p.toLowerCase().replace(/^0+(?=.)/, "")).join(":");
}

/** "h1,h2,h3,h4,p1,p2" of RFC 959 §4.1.2 PASV/PORT. */
export function encodeHostPort(ipv4: string, port: number): string {
  return `${ipv4.split(".").join(",")},${port >> 8},${port & 255}`;
}

export function parseHostPort(arg: string): { host: string; port: number } | null {
  const parts = arg.trim().split(",");
  if (parts.length !== 6 || !parts.every((p) => /^\d{1,3}$/.test(p.trim()))) return null;
  const n = parts.map((p) => Number(p));
  if (n.some((x) => x > 255)) return null;
  return { host: n.slice(0, 4).join("."), port: n[4]! * 256 + n[5]! };
}

/** RFC 2428 §2: EPRT <d><net-prt><d><net-addr><d><tcp-port><d>. */
export function parseEprt(arg: string): { host: string; port: number; family: 1 | 2 } | "bad-family" | null {
  const s = arg.trim();
  if (s.length < 7) return null;
  const d = s[0]!;
  if (d.charCodeAt(0) < 33 || d.charCodeAt(0) > 126) return null;
  const parts = s.split(d);
  if (parts.length !== 5 || parts[0] !== "" || parts[4] !== "") return null;
  const [, proto, host, portText] = parts as [string, string, string, string];
  if (proto !== "1" && proto !== "2") return "bad-family";
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  if (proto === "1" ? !net.isIPv4(host) : !net.isIPv6(host)) return null;
  return { host, port, family: proto === "1" ? 1 : 2 };
}
