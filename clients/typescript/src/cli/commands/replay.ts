/**
 * `hookpost replay`: the server's bulk replay of failed deliveries by filter (REST
 * /api/replays). It previews how many the filter takes, asks (or `--yes`), starts the
 * replay, prints its progress as the server pushes it (GraphQL `replayUpdated`), and
 * cancels it on Ctrl-C. The server does the work in the background, a batch at a time
 * behind live traffic, so the command may also be left: the replay goes on.
 */
import type { Command } from 'commander';
import { expectData } from '../../client.ts';
import { subscribeToReplay, type LiveSubscription, type ReplayProgress } from '../../live.ts';
import type { DeadLetterFilter, Replay } from '../../types.ts';
import { CliError, signedIn, type CliContext, type GlobalFlags, type Session } from '../context.ts';
import { plural } from '../format.ts';
import { commaList, isoTime } from '../parse.ts';

interface ReplayOptions {
  mailbox?: string;
  endpoint?: string;
  failedSince?: string;
  failedUntil?: string;
  errorKind?: string[];
  statusCode?: string[];
  yes?: boolean;
  dryRun?: boolean;
}

function filterOf(options: ReplayOptions): DeadLetterFilter {
  const statusCodes = options.statusCode?.map(Number);
  if (statusCodes?.some((code) => !Number.isInteger(code)))
    throw new CliError('--status-code takes HTTP statuses, e.g. 500,503.');
  return {
    ...(options.mailbox && { mailbox_id: options.mailbox }),
    ...(options.endpoint && { endpoint_id: options.endpoint }),
    ...(options.failedSince && { failed_since: options.failedSince }),
    ...(options.failedUntil && { failed_until: options.failedUntil }),
    ...(options.errorKind?.length && { error_kinds: options.errorKind }),
    ...(statusCodes?.length && { status_codes: statusCodes }),
  };
}

const notStartedInterrupted = () => new CliError('Not started: interrupted.');

const deliveries = (count: number) => plural(count, 'failed delivery', 'failed deliveries');

export function replayCommand(program: Command, ctx: CliContext) {
  program
    .command('replay')
    .description(
      'Replay failed deliveries by filter on the server: preview the count, ask, start, follow its progress (Ctrl-C cancels it)',
    )
    .option('--mailbox <id>', 'only deliveries of events sent to this mailbox')
    .option('--endpoint <id>', 'only deliveries to this endpoint')
    .option('--failed-since <time>', 'only those that failed at or after this time (ISO 8601)', isoTime)
    .option('--failed-until <time>', 'only those that failed before this time (ISO 8601)', isoTime)
    .option('--error-kind <list>', 'only these last-attempt errors, comma-separated (timeout, http_status…)', commaList)
    .option('--status-code <list>', 'only these last-attempt HTTP statuses, comma-separated', commaList)
    .option('-y, --yes', 'start without asking')
    .option('--dry-run', 'only say how many the filter takes')
    .action(async (options: ReplayOptions, command: Command) => {
      const session = await signedIn(ctx, command.optsWithGlobals<GlobalFlags>());
      const say = (line: object, text: string) => ctx.io.out(session.json ? JSON.stringify(line) : text);
      const filter = filterOf(options);
      const { count } = expectData(
        await session.client
          .POST('/api/replays/preview', { body: filter, signal: ctx.signal })
          .catch((error: unknown) => {
            throw ctx.signal.aborted ? notStartedInterrupted() : error;
          }),
      );
      say({ preview: count }, `${deliveries(count)} match${count === 1 ? 'es' : ''} the filter.`);
      if (count === 0 || options.dryRun) return;
      if (ctx.signal.aborted) throw notStartedInterrupted();
      if (!options.yes) {
        ctx.io.err(
          `Replay ${count === 1 ? 'it' : `these ${count}`}? Each goes back in line for one more attempt. [y/N]`,
        );
        const answer = await ctx.io.readLine(ctx.signal);
        if (!/^\s*y(es)?\s*$/i.test(answer ?? ''))
          throw new CliError(
            answer === null ? 'Not started: no answer (pass --yes to start without being asked).' : 'Not started.',
          );
        // A line typed in the same instant as Ctrl-C still does not start it.
        if (ctx.signal.aborted) throw notStartedInterrupted();
      }
      // Not aborted with the signal: a start the server took must be known, to be cancelled (follow).
      const replay = expectData(await session.client.POST('/api/replays', { body: filter }));
      say(
        { replay: { id: replay.id, total: replay.total } },
        `Started replay ${replay.id} of ${deliveries(replay.total)}; Ctrl-C cancels it.`,
      );
      const last = await follow(ctx, session, replay.id, (progress) =>
        say({ progress }, `${progress.processed}/${progress.total} taken, ${progress.requeued} put back in line`),
      );
      if (last.status === 'finished') {
        say(
          { finished: last },
          `Replay ${last.id} finished: ${plural(last.requeued, 'delivery', 'deliveries')} of ${last.total} put back in line.`,
        );
      } else {
        say(
          { cancelled: last },
          `Replay ${last.id} cancelled after ${last.processed} of ${last.total}; the ${plural(last.requeued, 'delivery', 'deliveries')} already put back in line will be delivered.`,
        );
      }
    });
}

/**
 * Prints each new state of the replay until it ends; on Ctrl-C, cancels it. Returns its
 * last state. What changed before the subscription was held is read once it is.
 */
async function follow(
  ctx: CliContext,
  session: Session,
  replayId: string,
  print: (progress: ReplayProgress) => void,
): Promise<ReplayProgress> {
  let shown = '';
  let subscription: LiveSubscription | undefined;
  return new Promise<ReplayProgress>((resolve, reject) => {
    let settled = false;
    const finish = (progress: ReplayProgress) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', cancel);
      subscription?.close();
      resolve(progress);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', cancel);
      subscription?.close();
      reject(error);
    };
    const show = (progress: ReplayProgress) => {
      if (settled || progress.id !== replayId) return;
      const key = `${progress.status}/${progress.processed}/${progress.requeued}`;
      if (key !== shown) {
        shown = key;
        if (progress.status === 'running' || progress.processed > 0) print(progress);
      }
      if (progress.status !== 'running') finish(progress);
    };
    const read = () =>
      session.client
        .GET('/api/replays/{id}', { params: { path: { id: replayId } } })
        .then((response) => show(progressOf(expectData(response))))
        .catch(fail);
    function cancel() {
      session.client
        .POST('/api/replays/{id}/cancel', { params: { path: { id: replayId } } })
        .then((response) => finish(progressOf(expectData(response))))
        .catch(fail);
    }
    if (ctx.signal.aborted) return cancel();
    ctx.signal.addEventListener('abort', cancel, { once: true });
    subscription = subscribeToReplay(
      { baseUrl: session.url, token: session.token, replayId, onConnected: () => void read() },
      (update) => {
        const mine = update.replays.find((replay) => replay.id === replayId);
        if (mine) show(mine);
        else if (update.skipped > 0 || update.resync) void read();
      },
    );
    subscription.done.then(
      () =>
        fail(
          new CliError(
            'The live connection to Hookpost ended; the replay goes on (hookpost replay is not needed to finish it).',
          ),
        ),
      fail,
    );
  });
}

function progressOf(replay: Replay): ReplayProgress {
  const { id, status, total, processed, requeued } = replay;
  return { id, status, total, processed, requeued };
}
