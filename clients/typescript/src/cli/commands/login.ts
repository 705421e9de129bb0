/** `hookpost login`, `logout` and `whoami`: the access token the other commands use. */
import type { Command } from 'commander';
import { createHookpostClient, expectData } from '../../client.ts';
import { CliError, signedIn, type CliContext, type GlobalFlags } from '../context.ts';
import { forgetSettings, resolveConnection, saveSettings } from '../settings.ts';

export function loginCommands(program: Command, ctx: CliContext) {
  program
    .command('login')
    .description('Check an access token (--token or HOOKPOST_TOKEN) and save it, with --url, for the next commands')
    .action(async (_options, command: Command) => {
      const flags = command.optsWithGlobals<GlobalFlags>();
      const { url, token } = await resolveConnection(flags, ctx.env);
      if (!token) throw new CliError('Give the access token: hookpost login --url http://… --token hpt_…');
      const client = createHookpostClient({ baseUrl: url, token });
      const operator = expectData(await client.GET('/api/session'));
      const file = await saveSettings(ctx.env, { url, token });
      if (flags.json) ctx.io.out(JSON.stringify({ url, ...operator, settings: file }));
      else ctx.io.out(`Signed in to ${url} as ${operator.name} (${operator.role}). Saved in ${file}.`);
    });

  program
    .command('logout')
    .description('Forget the saved URL and access token')
    .action(async () => {
      ctx.io.out(`Removed ${await forgetSettings(ctx.env)}.`);
    });

  program
    .command('whoami')
    .description('Who the access token is, and its role')
    .action(async (_options, command: Command) => {
      const session = await signedIn(ctx, command.optsWithGlobals<GlobalFlags>());
      const operator = expectData(await session.client.GET('/api/session'));
      if (session.json) ctx.io.out(JSON.stringify({ url: session.url, ...operator }));
      else ctx.io.out(`${operator.name} (${operator.role}) on ${session.url}`);
    });
}
