import { describe, expect, test } from 'vitest';
import { parseAddress, specialRange } from './addressRange.ts';
import { checkTargetUrl, createTargetPolicy } from './targetGuard.ts';

const strict = createTargetPolicy([]);
const rangeOf = (address: string) => specialRange(parseAddress(address)!);

describe('addresses that are not public unicast', () => {
  // Every special-purpose block of IANA's IPv4 and IPv6 registries, and the forms that
  // smuggle an IPv4 address inside an IPv6 one.
  test.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['192.88.99.1', 'reserved'],
    ['192.168.0.1', 'private'],
    ['198.18.0.1', 'reserved'],
    ['198.51.100.1', 'reserved'],
    ['203.0.113.1', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::a9fe:a9fe', 'ipv4Compatible'],
    ['::127.0.0.1', 'ipv4Compatible'],
    ['::10.0.0.1', 'ipv4Compatible'],
    ['::8.8.8.8', 'ipv4Compatible'],
    ['::1:0:0:1', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:0:7f00:1', 'rfc6145'],
    ['64:ff9b::a9fe:a9fe', 'rfc6052'],
    ['64:ff9b:1::1', 'rfc6052'],
    ['100::1', 'discard'],
    ['100:0:0:1::1', 'reserved'],
    ['2001::1', 'teredo'],
    ['2001:2::1', 'benchmarking'],
    ['2001:10::1', 'deprecatedOrchid'],
    ['2001:20::1', 'orchid2'],
    ['2001:db8::1', 'reserved'],
    ['2002:a9fe:a9fe::1', '6to4'],
    ['3fff::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['5f00::1', 'segmentRouting'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['ff02::1', 'multicast'],
  ])('%s is %s, and blocked', (address, range) => {
    expect(rangeOf(address)).toBe(range);
    expect(strict.blockedReason(address)).toBe(range);
  });

  test.each(['8.8.8.8', '93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:82a::200e'])(
    '%s is public',
    (address) => {
      expect(rangeOf(address)).toBeNull();
      expect(strict.blockedReason(address)).toBeNull();
    },
  );
});

describe('target URLs spelling a blocked address', () => {
  // The URL parser turns decimal, hex, octal and short IPv4 forms into dotted quads, and
  // IPv6 into its canonical form, before the guard looks at them.
  test.each([
    'http://[::a9fe:a9fe]/',
    'http://[::127.0.0.1]/',
    'http://[0:0:0:0:0:0:7f00:1]/',
    'http://[::ffff:7f00:1]/',
    'http://[0:0:0:0:0:ffff:127.0.0.1]/',
    'http://[64:ff9b::169.254.169.254]/',
    'http://[2002:7f00:1::]/',
    'http://[fe80::1]/',
    'http://[::]/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0/',
    'http://169.254.169.254./',
  ])('%s is refused', (url) => {
    expect(checkTargetUrl(url, strict)).toMatchObject({ ok: false, reason: expect.stringMatching(/address/) });
  });
});
