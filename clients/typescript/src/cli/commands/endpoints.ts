/** `hookpost endpoints`: list, create, and reveal the signing secret of a mailbox's endpoints. */
import type { Command } from 'commander';
import { expectData } from '../../client.ts';
import { signedIn, type CliContext, type GlobalFlags } from '../context.ts';
import { table } from '../format.ts';
import { commaList, headerPair, positiveInt } from '../parse.ts';

interface CreateOptions {
  eventTypes?: string[];
  description?: string;
  header?: Record<string, string>;
  timeoutMs?: number;
  maxAttempts?: number;
}

export function endpointCommands(program: Command, ctx: CliContext) {
  const endpoints = program.command('endpoints').description("List and create a mailbox's endpoints");

  endpoints
    .command('list <mailbox-id>', { isDefault: true })
    .description("A mailbox's endpoints, oldest first")
    .action(async (mailboxId: string, _options, command: Command) => {
      const session = await signedIn(ctx, command.optsWithGlobals<GlobalFlags>());
      const list = expectData(
        await session.client.GET('/api/mailboxes/{id}/endpoints', { params: { path: { id: mailboxId } } }),
      );
      if (session.json) return ctx.io.out(JSON.stringify(list));
      const rows = list.map((e) => [
        e.id,
        e.enabled ? 'enabled' : 'disabled',
        e.event_types.length ? e.event_types.join(',') : '*',
        e.url,
      ]);
      for (const line of table(rows)) ctx.io.out(line);
    });

  endpoints
    .command('create <mailbox-id> <url>')
    .description('Add an endpoint; prints its signing secret (shown once)')
    .option(
      '--event-types <list>',
      'event-type filter, comma-separated (`*` wildcards; default: every event)',
      commaList,
    )
    .option('--description <text>', 'a note for people')
    .option('--header <name: value>', 'a custom request header (repeatable)', headerPair)
    .option('--timeout-ms <ms>', 'how long an attempt may take (1000-60000)', positiveInt)
    .option('--max-attempts <n>', 'attempts in all, the first included (default 3)', positiveInt)
    .action(async (mailboxId: string, url: string, options: CreateOptions, command: Command) => {
      const session = await signedIn(ctx, command.optsWithGlobals<GlobalFlags>());
      const created = expectData(
        await session.client.POST('/api/mailboxes/{id}/endpoints', {
          params: { path: { id: mailboxId } },
          body: {
            url,
            event_types: options.eventTypes,
            description: options.description,
            headers: options.header,
            timeout_ms: options.timeoutMs,
            retry_policy: options.maxAttempts ? { max_attempts: options.maxAttempts } : undefined,
          },
        }),
      );
      if (session.json) return ctx.io.out(JSON.stringify(created));
      ctx.io.out(`Created endpoint ${created.id} → ${created.url}`);
      ctx.io.out(
        `  signing secret  ${created.signing_secret}   (shown once; \`hookpost endpoints secret\` reveals it)`,
      );
    });

  endpoints
    .command('secret <endpoint-id>')
    .description("Reveal an endpoint's current signing secret (operator role)")
    .action(async (endpointId: string, _options, command: Command) => {
      const session = await signedIn(ctx, command.optsWithGlobals<GlobalFlags>());
      const { signing_secret } = expectData(
        await session.client.GET('/api/endpoints/{id}/secret', { params: { path: { id: endpointId } } }),
      );
      ctx.io.out(session.json ? JSON.stringify({ signing_secret }) : signing_secret);
    });
}
