/** `hookpost retry`: one manual attempt for each failed delivery of an event, or for one delivery. */
import type { Command } from 'commander';
import { expectData } from '../../client.ts';
import { CliError, signedIn, type CliContext, type GlobalFlags } from '../context.ts';
import { plural } from '../format.ts';

export function retryCommand(program: Command, ctx: CliContext) {
  program
    .command('retry [tracking-number]')
    .description("Retry an event's failed deliveries (or one delivery with --delivery)")
    .option('--delivery <id>', 'retry this delivery only')
    .action(async (trackingNumber: string | undefined, options: { delivery?: string }, command: Command) => {
      const session = await signedIn(ctx, command.optsWithGlobals<GlobalFlags>());
      if (!trackingNumber && !options.delivery) throw new CliError('Give a tracking number, or --delivery <id>.');
      const started = expectData(
        options.delivery
          ? await session.client.POST('/api/deliveries/{id}/retry', { params: { path: { id: options.delivery } } })
          : await session.client.POST('/api/webhooks/{id}/retry', { params: { path: { id: trackingNumber! } } }),
      );
      if (session.json) return ctx.io.out(JSON.stringify(started));
      ctx.io.out(
        `Re-queued ${plural(started.delivery_ids.length, 'delivery', 'deliveries')} of ${started.tracking_number}: ${started.delivery_ids.join(', ')}`,
      );
    });
}
