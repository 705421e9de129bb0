/**
 * The SSRF guard. Endpoints may only reach public unicast addresses unless the operator
 * allows more (HOOKPOST_ALLOWED_TARGETS: hostnames, addresses, CIDR ranges or `*`).
 * URLs are checked when an endpoint is written (scheme, credentials, literal addresses)
 * and every resolved address is checked again at connect time, so a hostname that
 * resolves to a private address (or is re-pointed later) is still refused.
 */
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { parseAddress, specialRange } from './addressRange.ts';

export interface TargetPolicy {
  /** Null when the address may be reached, else why not ("loopback", "private"…). */
  blockedReason(address: string): string | null;
  /** Hostnames the operator allowed by name skip the address check. */
  allowsHostname(hostname: string): boolean;
}

export function createTargetPolicy(allowed: string[]): TargetPolicy {
  const allowAll = allowed.includes('*');
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  const hostnames = new Set<string>();
  for (const entry of allowed) {
    if (entry === '*') continue;
    if (entry.includes('/')) ranges.push(ipaddr.parseCIDR(entry));
    else if (ipaddr.isValid(entry)) {
      const address = ipaddr.process(entry);
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else hostnames.add(entry.toLowerCase());
  }
  return {
    blockedReason(address) {
      if (allowAll) return null;
      const parsed = parseAddress(address); // IPv4-mapped IPv6 becomes IPv4
      if (!parsed) return 'not an IP address';
      if (ranges.some(([base, bits]) => base.kind() === parsed.kind() && parsed.match(base, bits))) return null;
      return specialRange(parsed);
    },
    allowsHostname(hostname) {
      return allowAll || hostnames.has(hostname.toLowerCase());
    },
  };
}

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Checks an endpoint URL before it is stored or called. */
export function checkTargetUrl(raw: string, policy: TargetPolicy): TargetCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not a valid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'must use http or https' };
  if (url.username || url.password)
    return { ok: false, reason: 'must not contain credentials; send them as a custom header' };
  const hostname = bareHostname(url);
  if (!hostname) return { ok: false, reason: 'has no host' };
  if (policy.allowsHostname(hostname)) return { ok: true, url };
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    return policy.blockedReason('127.0.0.1')
      ? { ok: false, reason: 'targets a loopback host (allow it with HOOKPOST_ALLOWED_TARGETS)' }
      : { ok: true, url };
  }
  if (ipaddr.isValid(hostname)) {
    const reason = policy.blockedReason(hostname);
    if (reason) return { ok: false, reason: `targets a ${reason} address (allow it with HOOKPOST_ALLOWED_TARGETS)` };
  }
  return { ok: true, url };
}

export function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/** The error a blocked connection fails with; the delivery records it as `blocked_target`. */
export class BlockedTargetError extends Error {
  readonly code = 'ERR_TARGET_BLOCKED';
  constructor(hostname: string, address: string, reason: string) {
    super(
      `${hostname} resolves to ${address}, a ${reason} address; it is blocked (allow it with HOOKPOST_ALLOWED_TARGETS).`,
    );
    this.name = 'BlockedTargetError';
  }
}

/** A `lookup` for net/tls.connect that refuses hostnames resolving to any blocked address. */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      if (!policy.allowsHostname(hostname)) {
        for (const { address } of addresses) {
          const reason = policy.blockedReason(address);
          if (reason) return callback(new BlockedTargetError(hostname, address, reason), '', 0);
        }
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}
