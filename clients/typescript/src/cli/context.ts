/**
 * What every command runs with: where to print, the environment, a signal that ends
 * long-running commands (Ctrl-C), and the connection to Hookpost with its typed client.
 */
import { createHookpostClient, type HookpostClient } from '../client.ts';
import { resolveConnection, type Connection } from './settings.ts';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** The next line the user types (stdin), or null when there is none (no terminal, end of input, Ctrl-C, `signal` aborted). */
  readLine(signal?: AbortSignal): Promise<string | null>;
}

export interface CliContext {
  io: CliIo;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: `--follow` and `listen` stop. */
  signal: AbortSignal;
}

export interface GlobalFlags {
  url?: string;
  token?: string;
  json?: boolean;
}

export interface Session extends Connection {
  client: HookpostClient;
  token: string;
  json: boolean;
}

/** A connection with a token, for the management API; tells how to get one when there is none. */
export async function signedIn(ctx: CliContext, flags: GlobalFlags): Promise<Session> {
  const connection = await resolveConnection(flags, ctx.env);
  if (!connection.token)
    throw new CliError(
      'No access token: run `hookpost login --token hpt_…`, or set HOOKPOST_TOKEN (the first admin token is in .hookpost/admin-token).',
    );
  return {
    ...connection,
    token: connection.token,
    json: flags.json ?? false,
    client: createHookpostClient({ baseUrl: connection.url, token: connection.token }),
  };
}

/** A mistake of the command line itself: printed without a stack. */
export class CliError extends Error {
  override name = 'CliError';
}
