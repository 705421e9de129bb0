/**
 * A concurrency limit set while requests to the endpoint are already out (claimed without
 * it): when those end, they free no place they never took, so what the limit let through
 * since stays within it. The health tick's recount is kept out of the way (a heartbeat of a
 * minute), so only the counting of claims and records is under test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { createMailbox, sendEvent } from './support/hookpost.ts';
import { useHookpost } from './support/hooks.ts';

const { hookpost } = useHookpost({
  heartbeatIntervalMs: 60_000,
  workerStaleAfterMs: 300_000,
  workerConcurrency: 16,
  endpointMaxShare: 1,
});

test('requests out before a limit was set free no place when they end: the limit holds', async () => {
  const LIMIT = 3;
  let open = 0;
  let mostOpen = 0;
  const server = http.createServer((req, res) => {
    open++;
    mostOpen = Math.max(mostOpen, open);
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        open--;
        res.end('ok');
      }, 2_000),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const mailbox = await createMailbox(hookpost, { name: `limit later ${Math.random()}` });
    const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
      method: 'POST',
      json: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` },
    });
    const endpointId = (await created.json()).id as string;
    const send = (n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => sendEvent(hookpost, mailbox, { event: 'x', data: { i } })));

    // Four out without a limit; then the limit; three more are claimed under it.
    await send(4);
    await expect.poll(() => open, { timeout: 10_000 }).toBe(4);
    const patched = await hookpost.api(`/api/endpoints/${endpointId}`, {
      method: 'PATCH',
      json: { max_in_flight: LIMIT },
    });
    expect(patched.status).toBe(200);
    await send(LIMIT);
    await expect.poll(() => open, { timeout: 10_000 }).toBe(4 + LIMIT);
    // The four unlimited ones end; the three counted ones are still out.
    await expect.poll(() => open, { timeout: 5_000, interval: 10 }).toBe(LIMIT);
    mostOpen = open;
    // Three more: none may go until a counted one ends.
    await send(LIMIT);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(mostOpen).toBeLessThanOrEqual(LIMIT);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}, 60_000);
