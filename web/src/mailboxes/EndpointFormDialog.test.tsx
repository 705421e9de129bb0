// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { Client, Provider, type Exchange, type Operation } from 'urql';
import { fromValue, map, mergeMap, pipe } from 'wonka';
import { afterEach, describe, expect, test } from 'vitest';
import type { EndpointFieldsFragment } from '../generated/graphql.ts';
import { EndpointFormDialog } from './EndpointFormDialog.tsx';

afterEach(cleanup);

const endpoint: EndpointFieldsFragment = {
  id: 'e1',
  url: 'https://example.com/hook',
  description: 'orders to the warehouse',
  enabled: true,
  pausedAt: null,
  disabledReason: null,
  rateLimitPerSecond: null,
  maxInFlight: null,
  orderedByKey: true,
  orderingKeyField: 'data.customer_id',
  eventTypes: ['order.*'],
  timeoutMs: 15_000,
  createdAt: '2026-11-28T10:00:00.000Z',
  headers: [{ name: 'X-Team', value: 'payments' }],
  retryPolicy: {
    preset: 'spec',
    maxAttempts: 5,
    baseDelayMs: 1000,
    factor: 3,
    maxDelayMs: 60_000,
    jitter: 0.25,
    schedule: [],
  },
};

/** A GraphQL client that answers every mutation with the endpoint and remembers what was sent. */
function recordingClient() {
  const sent: Operation[] = [];
  const exchange: Exchange = () => (operations$) =>
    pipe(
      operations$,
      mergeMap((operation) => {
        sent.push(operation);
        return pipe(
          fromValue(operation),
          map((op) => ({ operation: op, data: { updateEndpoint: endpoint }, stale: false, hasNext: false })),
        );
      }),
    );
  return { client: new Client({ url: 'http://hookpost.test/graphql', exchanges: [exchange] }), sent };
}

function renderForm(shown: EndpointFieldsFragment = endpoint) {
  const { client, sent } = recordingClient();
  render(
    <Provider value={client}>
      <EndpointFormDialog mailboxId="m1" endpoint={shown} open onClose={() => {}} />
    </Provider>,
  );
  return sent;
}

const save = () => fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
const inputOf = (operation: Operation | undefined) => (operation?.variables as { input: unknown } | undefined)?.input;

describe('editing an endpoint', () => {
  test('changing only the description sends only the description: the retry jitter and everything else stay', async () => {
    const sent = renderForm();
    fireEvent.change(screen.getByLabelText(/^Description/), { target: { value: 'orders, EU only' } });
    save();
    await waitFor(() => expect(sent.some((op) => op.kind === 'mutation')).toBe(true));
    expect(inputOf(sent.find((op) => op.kind === 'mutation'))).toEqual({ description: 'orders, EU only' });
  });

  test('changing the retry policy sends the whole policy with the fields the form does not change', async () => {
    const sent = renderForm();
    fireEvent.change(screen.getByLabelText('Attempts'), { target: { value: '7' } });
    save();
    await waitFor(() => expect(sent.some((op) => op.kind === 'mutation')).toBe(true));
    expect(inputOf(sent.find((op) => op.kind === 'mutation'))).toEqual({
      retryPolicy: { preset: 'spec', maxAttempts: 7, baseDelayMs: 1000, factor: 3, maxDelayMs: 60_000, jitter: 0.25 },
    });
  });

  test('the jitter is shown and can be changed', async () => {
    const sent = renderForm();
    const jitter = screen.getByLabelText('Jitter (±%)') as HTMLInputElement;
    expect(jitter.value).toBe('25');
    fireEvent.change(jitter, { target: { value: '10' } });
    save();
    await waitFor(() => expect(sent.some((op) => op.kind === 'mutation')).toBe(true));
    expect(inputOf(sent.find((op) => op.kind === 'mutation'))).toEqual({
      retryPolicy: { preset: 'spec', maxAttempts: 5, baseDelayMs: 1000, factor: 3, maxDelayMs: 60_000, jitter: 0.1 },
    });
  });

  test('an endpoint on the production preset keeps it when its schedule changes, and its limits survive', async () => {
    const sent = renderForm({
      ...endpoint,
      rateLimitPerSecond: 5,
      maxInFlight: 2,
      retryPolicy: {
        preset: 'production',
        maxAttempts: 8,
        baseDelayMs: 5000,
        factor: 2,
        maxDelayMs: 36_000_000,
        jitter: 0.1,
        schedule: [5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      },
    });
    expect((screen.getByLabelText(/^Rate limit/) as HTMLInputElement).value).toBe('5');
    fireEvent.change(screen.getByLabelText(/^Or an explicit schedule/), { target: { value: '5, 300' } });
    save();
    await waitFor(() => expect(sent.some((op) => op.kind === 'mutation')).toBe(true));
    expect(inputOf(sent.find((op) => op.kind === 'mutation'))).toEqual({
      retryPolicy: { preset: 'production', schedule: [5000, 300_000], jitter: 0.1 },
    });
  });

  test('an ordered endpoint shows its key field and keeps it when another field changes; turning ordering off sends only that', async () => {
    const sent = renderForm();
    expect((screen.getByLabelText(/^Key field/) as HTMLInputElement).value).toBe('data.customer_id');
    const ordered = screen.getByLabelText('Ordered by key') as HTMLInputElement;
    expect(ordered.checked).toBe(true);
    fireEvent.click(ordered);
    save();
    await waitFor(() => expect(sent.some((op) => op.kind === 'mutation')).toBe(true));
    expect(inputOf(sent.find((op) => op.kind === 'mutation'))).toEqual({ orderedByKey: false });
  });

  test('choosing another preset clears the retry fields, so the preset applies whole', async () => {
    const sent = renderForm();
    fireEvent.change(screen.getByLabelText(/^Preset/), { target: { value: 'production' } });
    expect((screen.getByLabelText('Attempts') as HTMLInputElement).value).toBe('');
    fireEvent.change(screen.getByLabelText(/^Max in flight/), { target: { value: '3' } });
    save();
    await waitFor(() => expect(sent.some((op) => op.kind === 'mutation')).toBe(true));
    expect(inputOf(sent.find((op) => op.kind === 'mutation'))).toEqual({
      retryPolicy: { preset: 'production' },
      maxInFlight: 3,
    });
  });
});
