/**
 * /metrics: what Prometheus scrapes. Counts events accepted and refused, and times every
 * submission from arrival to answer, by status; never shows a secret. Names follow
 * Prometheus' conventions, so Node's own metrics have the names stock dashboards expect.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, expect, test } from 'vitest';
import { createMailbox, startTestHookpost, type CreatedMailbox } from './support/hookpost.ts';
import { useHookpost } from './support/hooks.ts';

const { db, hookpost } = useHookpost();
let mailbox: CreatedMailbox;

beforeAll(async () => {
  mailbox = await createMailbox(hookpost, { name: 'Metered', target_url: 'http://127.0.0.1:9/hook' });
});

const send = (apiKey: string) =>
  fetch(`${hookpost.baseUrl}/webhooks/${mailbox.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ event: 'order.created' }),
  });

/** The value of one sample line, e.g. `name{label="x"} 3`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('accepted and refused submissions are counted and timed, by status', async () => {
  for (let i = 0; i < 3; i++) expect((await send(mailbox.api_key)).status).toBe(202);
  expect((await send('hpk_wrong')).status).toBe(401);

  const response = await fetch(`${hookpost.opsUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();

  expect(sample(text, 'hookpost_events_accepted_total{mailbox_routed="yes"}')).toBe(3);
  expect(sample(text, 'hookpost_events_rejected_total{code="invalid_api_key"}')).toBe(1);
  expect(sample(text, 'hookpost_ingest_duration_seconds_count{status="202"}')).toBe(3);
  expect(sample(text, 'hookpost_ingest_duration_seconds_count{status="401"}')).toBe(1);
  // Each 202 waited for a commit: some time was spent, and under a generous bound.
  const seconds = sample(text, 'hookpost_ingest_duration_seconds_sum{status="202"}')!;
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThan(30);
  expect(sample(text, 'hookpost_ingest_duration_seconds_bucket{le="+Inf",status="202"}')).toBe(3);

  expect(text).not.toContain(mailbox.api_key);
  expect(text).not.toContain('hpk_wrong');
});

test('metrics are served on the operations listener only, and never on the public port', async () => {
  expect((await fetch(`${hookpost.baseUrl}/metrics`)).status).toBe(404);
  expect((await fetch(`${hookpost.opsUrl}/healthz`)).status).toBe(200);
  expect(await (await fetch(`${hookpost.opsUrl}/readyz`)).json()).toEqual({ status: 'ready' });
  const text = await (await fetch(`${hookpost.opsUrl}/metrics`)).text();
  expect(sample(text, 'hookpost_worker_up')).toBe(1);
  // The backlog as the database has it (the mailbox's endpoint is not reachable: its
  // events wait, are in flight or retry).
  expect(sample(text, 'hookpost_deliveries{status="queued"}')).toEqual(expect.any(Number));
  expect(sample(text, 'hookpost_deliveries{status="delivering"}')).toEqual(expect.any(Number));
  expect(sample(text, 'hookpost_delivery_oldest_due_age_seconds')).toBeGreaterThanOrEqual(0);
  expect(sample(text, 'hookpost_jobs_locked_by_dead_workers')).toBe(0);
});

test('with a metrics token, /metrics asks for it', async () => {
  const guarded = await startTestHookpost(db.url, { role: 'api', metricsToken: 'metrics-token-0123456789' });
  try {
    expect((await fetch(`${guarded.opsUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${guarded.opsUrl}/metrics`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const allowed = await fetch(`${guarded.opsUrl}/metrics`, {
      headers: { authorization: 'Bearer metrics-token-0123456789' },
    });
    expect(allowed.status).toBe(200);
    expect((await fetch(`${guarded.opsUrl}/healthz`)).status).toBe(200);
  } finally {
    await guarded.stop();
  }
});

test("Node's own metrics have their usual names, and no gauge is named like a counter", async () => {
  const text = await (await fetch(`${hookpost.opsUrl}/metrics`)).text();
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes'])
    expect(sample(text, name)).toBeGreaterThan(0);
  expect(text).toContain('nodejs_eventloop_lag_p99_seconds ');
  const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({ name, type }));
  expect(types.filter(({ type, name }) => type !== 'counter' && name!.endsWith('_total'))).toEqual([]);
});

// promtool is Debian's `prometheus` package (README, Development; `.ci/run` installs it).
test('the exposition passes `promtool check metrics`', async () => {
  const text = await (await fetch(`${hookpost.opsUrl}/metrics`)).text();
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  expect(check.error).toBeUndefined();
  expect(`${check.stdout}${check.stderr}`).toBe('');
  expect(check.status).toBe(0);
});
