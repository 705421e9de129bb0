/** `hookpost send`: send an event to a mailbox, as a producer would, with its API key. */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { createHookpostClient } from '../../client.ts';
import { sendEvent } from '../../sendEvent.ts';
import { CliError, type CliContext, type GlobalFlags } from '../context.ts';
import { resolveConnection } from '../settings.ts';

interface SendOptions {
  apiKey?: string;
  file?: string;
  contentType: string;
  type?: string;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function sendCommand(program: Command, ctx: CliContext) {
  program
    .command('send <mailbox-id> [body]')
    .description("Send an event to a mailbox with its API key (the body as given, from --file, or '-' for stdin)")
    .option('--api-key <key>', "the mailbox's API key (default: HOOKPOST_API_KEY)")
    .option('--file <path>', 'read the body from this file')
    .option('--content-type <type>', 'the Content-Type of the body', 'application/json')
    .option('--type <event-type>', 'the event type (x-event-type); else the body says it (`event` or `type`)')
    .action(async (mailboxId: string, body: string | undefined, options: SendOptions, command: Command) => {
      const flags = command.optsWithGlobals<GlobalFlags>();
      const apiKey = options.apiKey ?? ctx.env.HOOKPOST_API_KEY;
      if (!apiKey) throw new CliError('Give the mailbox API key: --api-key hpk_… (or HOOKPOST_API_KEY).');
      const raw =
        options.file !== undefined
          ? await fs.readFile(options.file)
          : body === '-'
            ? await readStdin()
            : body !== undefined
              ? Buffer.from(body)
              : null;
      if (raw === null)
        throw new CliError('Give the body: hookpost send <mailbox-id> \'{"event": "…"}\', --file, or - for stdin.');
      const { url } = await resolveConnection(flags, ctx.env);
      const sent = await sendEvent(createHookpostClient({ baseUrl: url }), {
        mailboxId,
        apiKey,
        body: new Uint8Array(raw),
        contentType: options.contentType,
        eventType: options.type,
      });
      if (flags.json) ctx.io.out(JSON.stringify(sent));
      else ctx.io.out(`Accepted ${sent.tracking_number} (${sent.status}).`);
    });
}
