/**
 * `hookpost events`: the event history with the filters of the REST list, and with
 * --follow, new events and delivery changes as they happen (GraphQL subscriptions).
 * `hookpost event <tracking-number>`: one event with its deliveries and attempts.
 */
import type { Command } from 'commander';
import { expectData } from '../../client.ts';
import { subscribeToDeliveries, subscribeToEvents, type LiveEvent } from '../../live.ts';
import type { Event, EventFilter } from '../../types.ts';
import { signedIn, type CliContext, type GlobalFlags, type Session } from '../context.ts';
import { deliveryLine, eventRow, table } from '../format.ts';
import { commaList, isoTime, positiveInt } from '../parse.ts';
import { allCalled, untilStopped } from '../waitFor.ts';

interface ListOptions {
  mailbox?: string;
  endpoint?: string;
  status?: string[];
  type?: string[];
  since?: string;
  until?: string;
  limit: number;
  follow?: boolean;
}

export function filterOf(options: Omit<ListOptions, 'limit' | 'follow'>): EventFilter {
  return {
    mailbox_id: options.mailbox,
    endpoint_id: options.endpoint,
    status: options.status?.join(','),
    event_type: options.type?.join(','),
    received_since: options.since,
    received_until: options.until,
  };
}

/** Filter options shared by `events` and `replay`. */
export function withFilterOptions(command: Command): Command {
  return command
    .option('--mailbox <id>', 'only this mailbox')
    .option('--endpoint <id>', 'only events with a delivery to this endpoint')
    .option('--type <patterns>', 'only these event types, comma-separated (`*` wildcards)', commaList)
    .option('--since <time>', 'only events accepted at or after this time (ISO 8601)', isoTime)
    .option('--until <time>', 'only events accepted before this time (ISO 8601)', isoTime);
}

async function listEvents(session: Session, filter: EventFilter, limit: number): Promise<Event[]> {
  return expectData(await session.client.GET('/api/webhooks', { params: { query: { ...filter, limit } } }));
}

export function eventCommands(program: Command, ctx: CliContext) {
  withFilterOptions(program.command('events'))
    .description(
      'Events, newest first; with --follow, then every new event (of --mailbox) and delivery change live (Ctrl-C stops)',
    )
    .option(
      '--status <list>',
      'only these statuses, comma-separated: queued, delivering, delivered, failed, cancelled, unrouted',
      commaList,
    )
    .option('--limit <n>', 'how many (1-100)', positiveInt, 20)
    .option('-f, --follow', 'keep printing new events and delivery changes as they happen')
    .action(async (options: ListOptions, command: Command) => {
      const session = await signedIn(ctx, command.optsWithGlobals<GlobalFlags>());
      const filter = filterOf(options);
      if (options.follow) return follow(ctx, session, filter, options.limit);
      const events = await listEvents(session, filter, options.limit);
      if (session.json) return ctx.io.out(JSON.stringify(events));
      for (const line of table(events.map(eventRow))) ctx.io.out(line);
    });

  program
    .command('event <tracking-number>')
    .description('One event: its body, deliveries and every attempt')
    .action(async (trackingNumber: string, _options, command: Command) => {
      const session = await signedIn(ctx, command.optsWithGlobals<GlobalFlags>());
      const event = expectData(
        await session.client.GET('/api/webhooks/{id}', { params: { path: { id: trackingNumber } } }),
      );
      if (session.json) return ctx.io.out(JSON.stringify(event));
      ctx.io.out(`${event.tracking_number}  ${event.status}  ${event.event_type ?? '-'}  ${event.mailbox_name}`);
      ctx.io.out(
        `  received ${event.received_at}, ${event.content_type}, ${event.body.length} characters (${event.body_encoding})`,
      );
      for (const delivery of event.deliveries) {
        ctx.io.out(`  delivery ${delivery.id} ${delivery.status} → ${delivery.target_url}`);
        for (const attempt of delivery.attempts)
          ctx.io.out(
            `    attempt ${attempt.number} (${attempt.trigger}) ${attempt.started_at}: ${
              attempt.status_code ?? attempt.error_message
            } in ${attempt.duration_ms} ms`,
          );
      }
    });
}

/**
 * Subscribes first, then prints the latest events, so that nothing accepted in between
 * is missed; an event seen both ways is printed once.
 */
async function follow(ctx: CliContext, session: Session, filter: EventFilter, limit: number): Promise<void> {
  const printed = new Set<string>();
  const printEvent = (event: Event | LiveEvent) => {
    const trackingNumber = 'tracking_number' in event ? event.tracking_number : event.trackingNumber;
    if (printed.has(trackingNumber)) return;
    printed.add(trackingNumber);
    ctx.io.out(session.json ? JSON.stringify({ kind: 'event', ...event }) : eventRow(event).join('  '));
  };
  const behind = (count: number, resync: boolean, what: string) => {
    if (count > 0 || resync)
      ctx.io.err(
        `Some ${what} were not pushed (${resync ? 'the server reconnected' : `${count} in a burst`}); list them with \`hookpost events\`.`,
      );
  };
  const live = { baseUrl: session.url, token: session.token, mailboxId: filter.mailbox_id };
  const connected = allCalled(2, async () => {
    const latest = await listEvents(session, filter, limit);
    for (const event of latest.reverse()) printEvent(event);
    ctx.io.err(`Following events${filter.mailbox_id ? ` of mailbox ${filter.mailbox_id}` : ''} live (Ctrl-C to stop).`);
  });
  const events = subscribeToEvents({ ...live, onConnected: connected.call }, (batch) => {
    for (const event of batch.events) printEvent(event);
    behind(batch.skipped, batch.resync, 'events');
  });
  const deliveries = subscribeToDeliveries({ ...live, onConnected: connected.call }, (batch) => {
    for (const change of batch.changes)
      ctx.io.out(session.json ? JSON.stringify({ kind: 'delivery', ...change }) : deliveryLine(change));
    behind(batch.skipped, batch.resync, 'delivery changes');
  });
  const running = untilStopped(ctx.signal, [events, deliveries]);
  try {
    await Promise.race([connected.done, running]);
  } catch (error) {
    events.close();
    deliveries.close();
    await running.catch(() => {});
    throw error;
  }
  await running;
}
