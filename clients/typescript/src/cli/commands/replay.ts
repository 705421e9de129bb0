/**
 * `hookpost replay`: retries every event a filter selects (failed ones by default).
 * Hookpost has no bulk replay operation yet, so this lists the events (REST, page by
 * page) and retries each one, printing a line per event; when the server gains one, this
 * command should call it instead.
 */
import type { Command } from 'commander';
import { expectData, HookpostApiError, nextCursor } from '../../client.ts';
import type { EventFilter } from '../../types.ts';
import { signedIn, type CliContext, type GlobalFlags, type Session } from '../context.ts';
import { plural } from '../format.ts';
import { commaList } from '../parse.ts';
import { filterOf, withFilterOptions } from './events.ts';

interface ReplayOptions {
  mailbox?: string;
  endpoint?: string;
  status: string[];
  type?: string[];
  since?: string;
  until?: string;
  dryRun?: boolean;
}

/** Every tracking number the filter selects now, newest first, over all pages. */
async function selectEvents(session: Session, filter: EventFilter): Promise<string[]> {
  const selected: string[] = [];
  for (let cursor: string | null | undefined; cursor !== null;) {
    const page = await session.client.GET('/api/webhooks', { params: { query: { ...filter, limit: 100, cursor } } });
    selected.push(...expectData(page).map((event) => event.tracking_number));
    cursor = nextCursor(page.response);
  }
  return selected;
}

export function replayCommand(program: Command, ctx: CliContext) {
  withFilterOptions(program.command('replay'))
    .description('Retry every event the filter selects (default: failed ones), one by one, with a line per event')
    .option('--status <list>', 'which statuses to replay, comma-separated', commaList, ['failed'])
    .option('--dry-run', 'list what would be retried, retry nothing')
    .action(async (options: ReplayOptions, command: Command) => {
      const session = await signedIn(ctx, command.optsWithGlobals<GlobalFlags>());
      // Selected first, retried after: each retry moves an event out of `failed`, and the
      // pages must not shift under the listing.
      const selected = await selectEvents(session, filterOf(options));
      const say = (line: object, text: string) => ctx.io.out(session.json ? JSON.stringify(line) : text);
      if (options.dryRun) {
        for (const trackingNumber of selected) say({ trackingNumber, dryRun: true }, `would retry ${trackingNumber}`);
        return say(
          { selected: selected.length },
          `${plural(selected.length, 'event')} selected; nothing retried (--dry-run).`,
        );
      }
      let retried = 0;
      let deliveries = 0;
      let skipped = 0;
      for (const [index, trackingNumber] of selected.entries()) {
        const progress = `[${index + 1}/${selected.length}]`;
        try {
          const started = expectData(
            await session.client.POST('/api/webhooks/{id}/retry', { params: { path: { id: trackingNumber } } }),
          );
          retried++;
          deliveries += started.delivery_ids.length;
          say(
            { trackingNumber, retried: started.delivery_ids },
            `${progress} retried ${trackingNumber}: ${plural(started.delivery_ids.length, 'delivery', 'deliveries')} re-queued`,
          );
        } catch (error) {
          // Another operator or the schedule got there first: nothing left to retry is fine.
          if (!(error instanceof HookpostApiError) || error.status !== 409) throw error;
          skipped++;
          say({ trackingNumber, skipped: error.code }, `${progress} skipped ${trackingNumber}: ${error.message}`);
        }
      }
      say(
        { selected: selected.length, retried, deliveries, skipped },
        `Replayed ${retried} of ${plural(selected.length, 'event')} (${plural(deliveries, 'delivery', 'deliveries')} re-queued)${
          skipped ? `; ${skipped} had nothing to retry` : ''
        }.`,
      );
    });
}
