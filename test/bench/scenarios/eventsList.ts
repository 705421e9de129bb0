/**
 * The events list with a big history: the first page (50 events, newest first) with
 * and without filters, once the database holds `listEvents` events. One connection,
 * back-to-back queries, as an operator paging the dashboard would.
 */
import { emptyResult, memoryOf, type BenchContext, type ScenarioResult } from '../scenario.ts';
import { checkNoErrors } from '../support/checks.ts';
import { chooseEventsListClients, type EventsFilter } from '../support/eventsListClient.ts';
import { createBenchMailbox, eventBody } from '../support/hookpostApi.ts';
import { runLoad } from '../support/loadGenerator.ts';
import { resetStatements, topStatements } from '../support/pgStatements.ts';
import { seedHistory } from '../support/seedHistory.ts';

const PAGE = 50;
/**
 * The history's ten new mailboxes always get at least this many events (200 each, 10
 * failed), so every filtered case has a page to show even when earlier scenarios already
 * filled the database past `listEvents` (the short mode's 20,000).
 */
const MIN_HISTORY = 2_000;

export async function runEventsList(ctx: BenchContext): Promise<ScenarioResult> {
  const { options, db, receiver } = ctx;
  const api = await ctx.startHookpost('api', 'events-list-api');
  const result = emptyResult('events-list', 'one api process (--role api)');
  try {
    const admin = { url: api.url!, adminToken: ctx.hookpost.adminToken };
    const {
      rows: [existing],
    } = await db.pool.query<{ n: number }>('select count(*)::int as n from event');
    const missing = Math.max(options.listEvents - existing!.n, MIN_HISTORY);
    const mailboxes = [];
    for (let i = 0; i < 10; i++)
      mailboxes.push(await createBenchMailbox(admin, receiver, { tag: 'history', fanout: 1 }));
    ctx.log(`events-list: adding ${missing} past events (${existing!.n} already there)`);
    await seedHistory(db.pool, {
      events: missing,
      mailboxIds: mailboxes.map((m) => m.id),
      endpointIds: mailboxes.map((m) => m.endpointIds[0]!),
      body: Buffer.from(eventBody(options.payloadBytes)),
      log: ctx.log,
    });
    const {
      rows: [total],
    } = await db.pool.query<{ n: number }>('select count(*)::int as n from event');

    const clients = await chooseEventsListClients(api.url!, ctx.hookpost.adminToken, options.eventsApi);
    result.setup = `one api process (--role api); ${clients.map((c) => c.reason).join(', and ')}`;
    result.notes.push(
      `${total!.n} events in the database; each of the history's ten mailboxes has ${Math.round(missing / 10)} of them, 5 % failed.`,
    );

    const cases: [string, EventsFilter][] = [
      ['first page, no filter', {}],
      ['status = failed', { status: 'failed' }],
      ['one mailbox', { mailboxId: mailboxes[3]!.id }],
      ['one mailbox, status = failed', { mailboxId: mailboxes[3]!.id, status: 'failed' }],
    ];
    await resetStatements(db.pool, db.pgStats);
    for (const client of clients)
      for (const [name, filter] of cases) {
        const request = client.request(filter, PAGE);
        const headers = {
          authorization: `Bearer ${ctx.hookpost.adminToken}`,
          ...(request.body ? { 'content-type': 'application/json' } : {}),
        };
        const first = await fetch(`${api.url}${request.path}`, { method: request.method, headers, body: request.body });
        const answer = await first.text();
        const shown =
          client.kind === 'rest'
            ? (JSON.parse(answer) as unknown[]).length
            : ((JSON.parse(answer) as { data?: { events?: { edges?: unknown[] } } }).data?.events?.edges?.length ?? 0);
        result.checks.push({
          name: `events list (${client.kind}) "${name}" answers a page`,
          ok: first.ok && shown > 0 && !answer.includes('"errors"'),
          detail: `HTTP ${first.status}, ${shown} events on the page`,
        });

        ctx.log(`events-list: ${client.kind}, ${name}`);
        const run = await runLoad({
          url: `${api.url}${request.path}`,
          method: request.method,
          headers,
          body: request.body,
          connections: 1,
          durationS: options.mode === 'short' ? 1 : 5,
        });
        result.rows.push({
          scenario: 'events-list',
          case: `${client.kind}: ${name}`,
          key: `events-list:${client.kind}:${name}`,
          rate: run.rate,
          unit: 'queries/s',
          count: run.ok,
          p50: run.latency.p50,
          p99: run.latency.p99,
          max: run.latency.max,
          errors: run.non2xx + run.errors,
          note: `${total!.n} events`,
        });
        result.checks.push(checkNoErrors(`events list (${client.kind}) "${name}"`, run));
      }
    result.statements.push({ case: 'events list queries', list: await topStatements(db.pool, db.pgStats) });
    result.memory.push(...memoryOf('events-list', [api]));
  } finally {
    await api.stop();
  }
  return result;
}
