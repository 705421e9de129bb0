/** `hookpost mailboxes`: list and create mailboxes. */
import type { Command } from 'commander';
import { expectData } from '../../client.ts';
import { signedIn, type CliContext, type GlobalFlags } from '../context.ts';
import { table } from '../format.ts';
import { commaList, positiveInt } from '../parse.ts';

export function mailboxCommands(program: Command, ctx: CliContext) {
  const mailboxes = program.command('mailboxes').description('List and create mailboxes');

  mailboxes
    .command('list', { isDefault: true })
    .description('Mailboxes, newest first')
    .option('--limit <n>', 'how many (1-100)', positiveInt, 50)
    .option('--include-deleted', 'list deleted ones too')
    .action(async (options: { limit: number; includeDeleted?: boolean }, command: Command) => {
      const session = await signedIn(ctx, command.optsWithGlobals<GlobalFlags>());
      const list = expectData(
        await session.client.GET('/api/mailboxes', {
          params: { query: { limit: options.limit, include_deleted: options.includeDeleted ? 'true' : undefined } },
        }),
      );
      if (session.json) return ctx.io.out(JSON.stringify(list));
      for (const line of table(list.map((m) => [m.id, m.name, m.target_url ?? '-', m.deleted_at ? 'deleted' : ''])))
        ctx.io.out(line);
    });

  mailboxes
    .command('create <name>')
    .description('Create a mailbox; prints its API key (shown once) and, with --target-url, its first endpoint')
    .option('--target-url <url>', 'the URL of its first endpoint')
    .option(
      '--event-types <list>',
      "the first endpoint's event-type filter, comma-separated (`*` wildcards)",
      commaList,
    )
    .action(async (name: string, options: { targetUrl?: string; eventTypes?: string[] }, command: Command) => {
      const session = await signedIn(ctx, command.optsWithGlobals<GlobalFlags>());
      const created = expectData(
        await session.client.POST('/api/mailboxes', {
          body: { name, target_url: options.targetUrl, event_types: options.eventTypes },
        }),
      );
      if (session.json) return ctx.io.out(JSON.stringify(created));
      ctx.io.out(`Created mailbox ${created.name}: ${created.id}`);
      ctx.io.out(`  API key         ${created.api_key}   (shown once: keep it)`);
      if (created.endpoint_id) {
        ctx.io.out(`  endpoint        ${created.endpoint_id} → ${created.target_url}`);
        ctx.io.out(`  signing secret  ${created.signing_secret}`);
      }
    });
}
