/**
 * Which addresses count as public. IPv4 is public unless it falls in one of the special
 * ranges ipaddr.js knows (private, loopback, link-local, CGNAT, multicast, reserved…).
 * IPv6 is public only inside 2000::/3, the block IANA hands out as global unicast, and
 * outside the special ranges within it (Teredo, 6to4, documentation, benchmarking…):
 * a deny-list alone let through forms ipaddr.js files under "unicast" although they
 * are not, such as the deprecated IPv4-compatible `::a.b.c.d` (`::a9fe:a9fe` is the
 * cloud metadata address) and the unassigned rest of `::/8`.
 */
import net from 'node:net';
import ipaddr from 'ipaddr.js';

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3') as [ipaddr.IPv6, number];
const IPV4_COMPATIBLE_V6 = ipaddr.parseCIDR('::/96') as [ipaddr.IPv6, number];

/**
 * An address as the kernel will read it, IPv4-mapped IPv6 as IPv4; null when the text
 * is not a plain address. ipaddr.js alone reads `::a.b.c.d` as IPv4-mapped
 * (`::ffff:a.b.c.d`); the URL parser writes it in hex first, as the kernel reads it.
 */
export function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (net.isIPv4(text)) return ipaddr.IPv4.parse(text);
  if (!net.isIPv6(text) || text.includes('%')) return null;
  const v6 = ipaddr.IPv6.parse(new URL(`http://[${text}]/`).hostname.slice(1, -1));
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
}

/** Null for a public unicast address, else the name of the range that makes it special. */
export function specialRange(address: ipaddr.IPv4 | ipaddr.IPv6): string | null {
  const range = address.range();
  if (range !== 'unicast') return range;
  if (address.kind() === 'ipv4') return null;
  const v6 = address as ipaddr.IPv6;
  if (v6.match(GLOBAL_UNICAST_V6)) return null;
  return v6.match(IPV4_COMPATIBLE_V6) ? 'ipv4Compatible' : 'reserved';
}
