import { describe, expect, test } from 'vitest';
import { checkTargetUrl, createTargetPolicy, guardedLookup } from './targetGuard.ts';

const strict = createTargetPolicy([]);

describe('the SSRF guard', () => {
  test.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['fc00::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a00:1', 'rfc6052'],
  ])('%s is blocked (%s)', (address, reason) => {
    expect(strict.blockedReason(address)).toBe(reason);
  });

  test.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])('%s (public) may be reached', (address) => {
    expect(strict.blockedReason(address)).toBeNull();
  });

  test('an allow-list opens exactly what it names', () => {
    const policy = createTargetPolicy(['127.0.0.0/8', '10.0.0.5', 'receiver.internal']);
    expect(policy.blockedReason('127.0.0.1')).toBeNull();
    expect(policy.blockedReason('10.0.0.5')).toBeNull();
    expect(policy.blockedReason('10.0.0.6')).toBe('private');
    expect(policy.allowsHostname('Receiver.Internal')).toBe(true);
    expect(createTargetPolicy(['*']).blockedReason('10.0.0.6')).toBeNull();
  });

  test('URLs: only http(s), no credentials, no literal private addresses', () => {
    expect(checkTargetUrl('https://example.com/hook', strict)).toMatchObject({ ok: true });
    expect(checkTargetUrl('ftp://example.com', strict)).toEqual({ ok: false, reason: 'must use http or https' });
    expect(checkTargetUrl('https://user:pw@example.com', strict)).toMatchObject({ ok: false });
    expect(checkTargetUrl('not a url', strict)).toMatchObject({ ok: false });
    expect(checkTargetUrl('http://127.0.0.1:8080/x', strict)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('loopback'),
    });
    expect(checkTargetUrl('http://[::1]/x', strict)).toMatchObject({ ok: false });
    expect(checkTargetUrl('http://localhost:3000', strict)).toMatchObject({ ok: false });
    expect(checkTargetUrl('http://[::ffff:169.254.169.254]/latest', strict)).toMatchObject({ ok: false });
    expect(checkTargetUrl('http://127.0.0.1:8080/x', createTargetPolicy(['127.0.0.1']))).toMatchObject({ ok: true });
  });

  test('at connect time a hostname that resolves to a blocked address is refused', async () => {
    const lookup = guardedLookup(strict);
    const error = await new Promise<Error | null>((resolve) => lookup('localhost', { all: true }, (e) => resolve(e)));
    expect(error).toMatchObject({ code: 'ERR_TARGET_BLOCKED' });
    const allowed = guardedLookup(createTargetPolicy(['127.0.0.0/8', '::1']));
    const result = await new Promise<unknown>((resolve) =>
      allowed('localhost', { all: true }, (e, a) => resolve(e ?? a)),
    );
    expect(Array.isArray(result)).toBe(true);
  });
});
