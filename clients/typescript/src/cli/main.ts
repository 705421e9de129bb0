/**
 * The `hookpost` command for operators: sign in with an access token, create mailboxes
 * and endpoints, send events, list and follow events live, retry, replay and erase, and
 * `listen`, which forwards a mailbox's deliveries to a local receiver. `main` returns
 * the exit code, so tests and other programs can run it in-process.
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { Command, CommanderError } from 'commander';
import { HookpostApiError } from '../client.ts';
import { CliError, type CliContext } from './context.ts';
import { endpointCommands } from './commands/endpoints.ts';
import { eventCommands } from './commands/events.ts';
import { listenCommand } from './commands/listen.ts';
import { loginCommands } from './commands/login.ts';
import { mailboxCommands } from './commands/mailboxes.ts';
import { replayCommand } from './commands/replay.ts';
import { eraseCommand } from './commands/erase.ts';
import { retryCommand } from './commands/retry.ts';
import { sendCommand } from './commands/send.ts';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('hookpost')
    .description('Operate a Hookpost: mailboxes, endpoints, events, retries, and live forwarding to a local receiver.')
    .version(version)
    .option('--url <url>', 'where Hookpost listens (default: HOOKPOST_URL, the saved one, or http://127.0.0.1:8000)')
    .option('--token <token>', 'an access token, hpt_… (default: HOOKPOST_TOKEN or the saved one)')
    .option('--json', 'print JSON (one object per line for live output)')
    .configureOutput({ writeOut: (text) => ctx.io.out(text.trimEnd()), writeErr: (text) => ctx.io.err(text.trimEnd()) })
    .exitOverride()
    .showHelpAfterError();
  loginCommands(program, ctx);
  mailboxCommands(program, ctx);
  endpointCommands(program, ctx);
  sendCommand(program, ctx);
  eventCommands(program, ctx);
  retryCommand(program, ctx);
  replayCommand(program, ctx);
  eraseCommand(program, ctx);
  listenCommand(program, ctx);
  return program;
}

/**
 * One line of stdin; null at its end or on Ctrl-C (a question is never answered by
 * default). Ctrl-C reaches the process as SIGINT, which aborts the command's signal (main),
 * so that is what ends the wait: the readline interface only sees it on a raw terminal.
 */
function readLine(signal?: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(null);
    const lines = createInterface({ input: process.stdin, terminal: false });
    let answer: string | null = null;
    const interrupted = () => lines.close();
    signal?.addEventListener('abort', interrupted, { once: true });
    lines.once('line', (line) => {
      answer = line;
      lines.close();
    });
    lines.once('SIGINT', () => lines.close());
    lines.once('close', () => {
      signal?.removeEventListener('abort', interrupted);
      if (signal?.aborted) answer = null;
      // A piped stdin still being read would keep the command from exiting when it is done.
      // (A pipe or a terminal is a socket; /dev/null is a file stream, which has nothing to unref.)
      process.stdin.pause();
      (process.stdin as { unref?: () => void }).unref?.();
      resolve(answer);
    });
  });
}

export interface MainOptions {
  io?: CliContext['io'];
  env?: NodeJS.ProcessEnv;
  /** Ends long-running commands; by default Ctrl-C (SIGINT) and SIGTERM do. */
  signal?: AbortSignal;
}

export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? {
    out: (line: string) => void process.stdout.write(`${line}\n`),
    err: (line: string) => void process.stderr.write(`${line}\n`),
    readLine,
  };
  let signal = options.signal;
  let release = () => {};
  if (!signal) {
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    release = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    signal = stop.signal;
  }
  try {
    await buildProgram({ io, env: options.env ?? process.env, signal }).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof HookpostApiError) io.err(`hookpost: ${error.message} (${error.code}, HTTP ${error.status})`);
    else if (error instanceof CliError) io.err(`hookpost: ${error.message}`);
    else io.err(`hookpost: ${(error as Error).message ?? String(error)}`);
    return 1;
  } finally {
    release();
  }
}
