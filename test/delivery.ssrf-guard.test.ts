/**
 * With the default settings (no HOOKPOST_ALLOWED_TARGETS), endpoints cannot target
 * private, loopback, link-local or metadata addresses: not when they are written, and
 * not at connect time when a stored URL's host resolves to one.
 */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { createMailbox, sendEvent, type CreatedMailbox } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { db, hookpost } = useHookpost({ allowedTargets: [] });
const receiver = useReceiver();
let mailbox: CreatedMailbox;

beforeAll(async () => {
  mailbox = await createMailbox(hookpost, { name: 'Guarded', target_url: 'https://example.com/hook' });
});

describe('the SSRF guard, on by default', () => {
  test.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://10.0.0.5/hook',
    'http://192.168.1.10/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/hook',
    'http://[fd00::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://100.64.0.1/hook',
  ])('creating an endpoint for %s is refused', async (url) => {
    const response = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, { method: 'POST', json: { url } });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: { code: 'target_not_allowed', message: expect.stringContaining('HOOKPOST_ALLOWED_TARGETS') },
    });
  });

  test.each(['ftp://example.com/x', 'https://user:pass@example.com/x', 'not a url'])(
    '%s is refused as an endpoint URL',
    async (url) => {
      const response = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, { method: 'POST', json: { url } });
      expect(response.status).toBe(422);
    },
  );

  test.each([
    ['a host name that resolves to loopback', () => `http://localhost:${new URL(receiver.url).port}/hook`],
    ['a literal loopback address', () => `${receiver.url}/hook`],
  ])('a stored URL with %s is blocked when the attempt is made', async (_what, url) => {
    // As if DNS changed after the endpoint was created: write the URL past the creation check.
    await db.pool.query('update endpoint set url = $1, retry_policy = $2 where id = $3', [
      url(),
      { maxAttempts: 1 },
      mailbox.endpoint_id,
    ]);
    const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: 'probe' })).json();
    await vi.waitFor(
      async () => {
        const event = await (await hookpost.api(`/api/webhooks/${tracking_number}`)).json();
        expect(event.status).toBe('failed');
        expect(event.deliveries[0].attempts[0]).toMatchObject({ status_code: null, error_kind: 'blocked_target' });
      },
      { timeout: 5_000, interval: 50 },
    );
    expect(receiver.requests).toHaveLength(0);
  });
});
