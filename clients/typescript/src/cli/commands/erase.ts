/**
 * `hookpost erase`: the server's bulk erasure of a mailbox's events by filter (REST
 * /api/mailboxes/{id}/erasures; admins). It counts what the filter takes, asks (or
 * `--yes`), starts the erasure with that count confirmed (the server refuses if more
 * match by then), prints its progress as the server pushes it (GraphQL `erasureUpdated`),
 * and cancels it on Ctrl-C: what it erased stays erased. The server does the work in the
 * background, so the command may also be left: the erasure goes on.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { expectData } from '../../client.ts';
import { subscribeToErasure, type ErasureProgress, type LiveSubscription } from '../../live.ts';
import type { Erasure, ErasureFilter } from '../../types.ts';
import { CliError, signedIn, type CliContext, type GlobalFlags, type Session } from '../context.ts';
import { plural } from '../format.ts';
import { commaList, isoTime } from '../parse.ts';

interface EraseOptions {
  field?: { path: string; equals: string }[];
  type?: string[];
  status?: string[];
  since?: string;
  until?: string;
  everything?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

/** `--field data.customer_id=C-42`, repeatable. */
function fieldMatch(value: string, previous: { path: string; equals: string }[] = []) {
  const at = value.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('must be path=value, e.g. data.customer_id=C-42.');
  return [...previous, { path: value.slice(0, at), equals: value.slice(at + 1) }];
}

function filterOf(options: EraseOptions): ErasureFilter {
  return {
    ...(options.field?.length && { payload: options.field }),
    ...(options.type?.length && { event_types: options.type }),
    ...(options.status?.length && { status: options.status as ErasureFilter['status'] }),
    ...(options.since && { received_since: options.since }),
    ...(options.until && { received_until: options.until }),
  };
}

const notStartedInterrupted = () => new CliError('Not started: interrupted.');
const events = (count: number) => plural(count, 'event', 'events');

export function eraseCommand(program: Command, ctx: CliContext) {
  program
    .command('erase')
    .argument('<mailbox>', 'the mailbox id')
    .description(
      "Erase a mailbox's events by filter for good (admin): count them, ask, start, follow its progress (Ctrl-C cancels it)",
    )
    .option('--field <path=value>', 'only JSON events whose field equals the value; repeat for several', fieldMatch)
    .option('--type <list>', 'only these event types, comma-separated (`*` patterns)', commaList)
    .option('--status <list>', 'only events with these statuses, comma-separated', commaList)
    .option('--since <time>', 'only events received at or after this time (ISO 8601)', isoTime)
    .option('--until <time>', 'only events received before this time (ISO 8601)', isoTime)
    .option('--everything', 'allow a filter with no condition: every event of the mailbox')
    .option('-y, --yes', 'start without asking')
    .option('--dry-run', 'only say how many the filter takes')
    .action(async (mailboxId: string, options: EraseOptions, command: Command) => {
      const session = await signedIn(ctx, command.optsWithGlobals<GlobalFlags>());
      const say = (line: object, text: string) => ctx.io.out(session.json ? JSON.stringify(line) : text);
      const filter = filterOf(options);
      const path = { params: { path: { id: mailboxId } } };
      const { count } = expectData(
        await session.client
          .POST('/api/mailboxes/{id}/erasures/preview', { ...path, body: filter, signal: ctx.signal })
          .catch((error: unknown) => {
            throw ctx.signal.aborted ? notStartedInterrupted() : error;
          }),
      );
      say({ preview: count }, `${events(count)} match${count === 1 ? 'es' : ''} the filter.`);
      if (count === 0 || options.dryRun) return;
      if (ctx.signal.aborted) throw notStartedInterrupted();
      if (!options.yes) {
        ctx.io.err(
          `Erase ${count === 1 ? 'it' : `these ${count}`} for good? Payloads and captured responses cannot be recovered. [y/N]`,
        );
        const answer = await ctx.io.readLine(ctx.signal);
        if (!/^\s*y(es)?\s*$/i.test(answer ?? ''))
          throw new CliError(
            answer === null ? 'Not started: no answer (pass --yes to start without being asked).' : 'Not started.',
          );
        if (ctx.signal.aborted) throw notStartedInterrupted();
      }
      // Not aborted with the signal: a start the server took must be known, to be cancelled (follow).
      const erasure = expectData(
        await session.client.POST('/api/mailboxes/{id}/erasures', {
          ...path,
          body: { ...filter, ...(options.everything && { everything: true }), expected_count: count },
        }),
      );
      say(
        { erasure: { id: erasure.id, matched: erasure.matched } },
        `Started erasure ${erasure.id} of ${events(erasure.matched)}; Ctrl-C cancels it.`,
      );
      const last = await follow(ctx, session, erasure.id, (progress) =>
        say({ progress }, `${progress.erased}/${progress.matched} erased`),
      );
      if (last.status === 'finished')
        say({ finished: last }, `Erasure ${last.id} finished: ${events(last.erased)} of ${last.matched} erased.`);
      else
        say(
          { cancelled: last },
          `Erasure ${last.id} cancelled after ${last.erased} of ${last.matched}; the events it erased stay erased.`,
        );
    });
}

/**
 * Prints each new state of the erasure until it ends; on Ctrl-C, cancels it. Returns its
 * last state. What changed before the subscription was held is read once it is.
 */
async function follow(
  ctx: CliContext,
  session: Session,
  erasureId: string,
  print: (progress: ErasureProgress) => void,
): Promise<ErasureProgress> {
  let shown = '';
  let subscription: LiveSubscription | undefined;
  return new Promise<ErasureProgress>((resolve, reject) => {
    let settled = false;
    const settle = (then: () => void) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', cancel);
      subscription?.close();
      then();
    };
    const show = (progress: ErasureProgress) => {
      if (settled || progress.id !== erasureId) return;
      const key = `${progress.status}/${progress.erased}`;
      if (key !== shown) {
        shown = key;
        if (progress.status === 'running' || progress.erased > 0) print(progress);
      }
      if (progress.status !== 'running') settle(() => resolve(progress));
    };
    const fail = (error: unknown) => settle(() => reject(error));
    const path = { params: { path: { id: erasureId } } };
    const read = () =>
      session.client
        .GET('/api/erasures/{id}', path)
        .then((response) => show(progressOf(expectData(response))))
        .catch(fail);
    function cancel() {
      session.client
        .POST('/api/erasures/{id}/cancel', path)
        .then((response) => {
          const progress = progressOf(expectData(response));
          settle(() => resolve(progress));
        })
        .catch(fail);
    }
    if (ctx.signal.aborted) return cancel();
    ctx.signal.addEventListener('abort', cancel, { once: true });
    subscription = subscribeToErasure(
      { baseUrl: session.url, token: session.token, erasureId, onConnected: () => void read() },
      (update) => {
        const mine = update.erasures.find((erasure) => erasure.id === erasureId);
        if (mine) show(mine);
        else if (update.skipped > 0 || update.resync) void read();
      },
    );
    subscription.done.then(
      () =>
        fail(
          new CliError(
            'The live connection to Hookpost ended; the erasure goes on (hookpost erase is not needed to finish it).',
          ),
        ),
      fail,
    );
  });
}

function progressOf(erasure: Erasure): ErasureProgress {
  const { id, status, matched, erased, in_flight: inFlight } = erasure;
  return { id, status, matched, erased, inFlight };
}
