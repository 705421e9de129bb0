/**
 * `hookpost listen <mailbox-id> --forward-to http://localhost:3000/hook`: for developing
 * a receiver where Hookpost cannot reach it (a laptop behind NAT). Hookpost cannot push
 * to it, so the CLI pulls: it subscribes to the mailbox's new events (GraphQL
 * `eventReceived`), reads each event (REST), and forwards the request one endpoint of the
 * mailbox receives for it — the same body byte for byte, Content-Type, custom headers and
 * `webhook-id` (the delivery id) — signed with that endpoint's real secret, revealed once
 * at start (operator role). So the receiver verifies it exactly as in production. The
 * endpoint's own deliveries go on as usual; what the local receiver answers is printed,
 * not recorded.
 */
import type { Command } from 'commander';
import { expectData } from '../../client.ts';
import { subscribeToEvents } from '../../live.ts';
import { signedRequest } from '../../signedRequest.ts';
import type { Endpoint } from '../../types.ts';
import { CliError, signedIn, type CliContext, type GlobalFlags, type Session } from '../context.ts';
import { untilStopped } from '../waitFor.ts';

interface ListenOptions {
  forwardTo: string;
  endpoint?: string;
}

const oneLine = (text: string, max = 200) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

async function chooseEndpoint(session: Session, mailboxId: string, endpointId?: string): Promise<Endpoint> {
  if (endpointId) {
    const endpoint = expectData(
      await session.client.GET('/api/endpoints/{id}', { params: { path: { id: endpointId } } }),
    );
    if (endpoint.mailbox_id !== mailboxId)
      throw new CliError(`Endpoint ${endpointId} is not one of mailbox ${mailboxId}.`);
    return endpoint;
  }
  const endpoints = expectData(
    await session.client.GET('/api/mailboxes/{id}/endpoints', {
      params: { path: { id: mailboxId }, query: { limit: 100 } },
    }),
  );
  const first = endpoints.find((endpoint) => endpoint.enabled);
  if (!first)
    throw new CliError(
      `Mailbox ${mailboxId} has no enabled endpoint: only an endpoint's deliveries are signed. Add one (hookpost endpoints create).`,
    );
  return first;
}

export function listenCommand(program: Command, ctx: CliContext) {
  program
    .command('listen <mailbox-id>')
    .description(
      "Forward the mailbox's events live to a local receiver, signed as an endpoint of the mailbox receives them (Ctrl-C stops)",
    )
    .requiredOption('--forward-to <url>', 'where to POST each event, e.g. http://localhost:3000/hook')
    .option(
      '--endpoint <id>',
      'whose deliveries to forward, and whose secret signs them (default: the first enabled one)',
    )
    .action(async (mailboxId: string, options: ListenOptions, command: Command) => {
      const session = await signedIn(ctx, command.optsWithGlobals<GlobalFlags>());
      const target = new URL(options.forwardTo);
      const endpoint = await chooseEndpoint(session, mailboxId, options.endpoint);
      const { signing_secret: secret } = expectData(
        await session.client.GET('/api/endpoints/{id}/secret', { params: { path: { id: endpoint.id } } }),
      );
      const startedAt = new Date();
      const seen = new Set<string>();
      const queue: string[] = [];
      let draining: Promise<void> = Promise.resolve();

      const enqueue = (trackingNumbers: string[]) => {
        const fresh = trackingNumbers.filter((trackingNumber) => !seen.has(trackingNumber));
        for (const trackingNumber of fresh) seen.add(trackingNumber);
        queue.push(...fresh);
        // One at a time, in order: a local receiver sees events as a real one would.
        draining = draining.then(async () => {
          while (queue.length > 0 && !ctx.signal.aborted) {
            const trackingNumber = queue.shift()!;
            await forward(trackingNumber).catch((error: Error) =>
              ctx.io.err(`Could not forward ${trackingNumber}: ${error.message}`),
            );
          }
        });
      };

      /** Events accepted since `since` that were not pushed (before the subscription held, or a burst). */
      const catchUp = async (since: Date) => {
        try {
          const events = expectData(
            await session.client.GET('/api/webhooks', {
              params: { query: { mailbox_id: mailboxId, received_since: since.toISOString(), limit: 100 } },
            }),
          );
          enqueue(events.map((event) => event.tracking_number).reverse());
        } catch (error) {
          ctx.io.err(`Could not list the events to catch up: ${(error as Error).message}`);
        }
      };

      const forward = async (trackingNumber: string) => {
        const event = expectData(
          await session.client.GET('/api/webhooks/{id}', { params: { path: { id: trackingNumber } } }),
        );
        const delivery = event.deliveries.find((candidate) => candidate.endpoint_id === endpoint.id);
        if (!delivery) {
          ctx.io.out(
            session.json
              ? JSON.stringify({ trackingNumber, skipped: 'not_for_this_endpoint' })
              : `  skipped ${trackingNumber} (${event.event_type ?? 'no type'}): the endpoint's filter does not accept it`,
          );
          return;
        }
        const request = signedRequest({
          deliveryId: delivery.id,
          contentType: event.content_type,
          body: event.body,
          bodyEncoding: event.body_encoding,
          secret,
          customHeaders: endpoint.headers,
        });
        if (!session.json)
          ctx.io.out(
            `→ POST ${target.href}  ${event.event_type ?? '-'}  event ${trackingNumber}  webhook-id ${delivery.id}  (${request.body.length} bytes, ${event.content_type})`,
          );
        const started = performance.now();
        try {
          const response = await fetch(target, {
            method: 'POST',
            headers: request.headers,
            body: request.body,
            signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(endpoint.timeout_ms)]),
          });
          const answer = await response.text();
          const ms = Math.round(performance.now() - started);
          ctx.io.out(
            session.json
              ? JSON.stringify({
                  trackingNumber,
                  deliveryId: delivery.id,
                  eventType: event.event_type,
                  request: { url: target.href, headers: request.headers },
                  response: { status: response.status, durationMs: ms, body: answer },
                })
              : `← ${response.status} ${response.statusText} in ${ms} ms${answer ? `: ${oneLine(answer)}` : ''}`,
          );
        } catch (error) {
          const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
          ctx.io.out(
            session.json
              ? JSON.stringify({ trackingNumber, deliveryId: delivery.id, error: reason })
              : `← no answer: ${reason}`,
          );
        }
      };

      const events = subscribeToEvents(
        {
          baseUrl: session.url,
          token: session.token,
          mailboxId,
          onConnected: () =>
            void catchUp(startedAt).then(() =>
              ctx.io.err(
                `Ready: forwarding events of mailbox ${mailboxId} to ${target.href}, signed as endpoint ${endpoint.id} (${endpoint.url}) receives them (Ctrl-C to stop).`,
              ),
            ),
        },
        (batch) => {
          enqueue(batch.events.map((event) => event.trackingNumber));
          if (batch.skipped > 0 || batch.resync) void catchUp(new Date(Date.now() - 60_000));
        },
      );
      await untilStopped(ctx.signal, [events]);
      await draining;
    });
}
