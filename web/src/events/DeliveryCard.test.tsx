// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { DeliveryTimelineFieldsFragment } from '../generated/graphql.ts';
import { DeliveryCard } from './DeliveryCard.tsx';

afterEach(cleanup);

const attempt = (number: number, statusCode: number, startedAt: string) => ({
  id: `a${number}`,
  number,
  trigger: 'scheduled' as const,
  url: 'https://example.com/hook',
  startedAt,
  durationMs: 42,
  statusCode,
  succeeded: statusCode < 300,
  errorKind: statusCode < 300 ? null : 'http_status',
  errorMessage: statusCode < 300 ? null : `The endpoint answered ${statusCode}.`,
  requestHeaders: [{ name: 'webhook-id', value: 'd1' }],
  responseHeaders: [{ name: 'content-type', value: 'text/plain' }],
  responseBody: 'nope',
  responseBodyBase64: null,
  responseBodyTruncated: false,
});

const delivery = (patch: Partial<DeliveryTimelineFieldsFragment> = {}): DeliveryTimelineFieldsFragment => ({
  id: 'd1',
  status: 'failed',
  attemptCount: 2,
  lastAttemptAt: '2026-11-28T10:00:02.000Z',
  nextAttemptAt: null,
  lastStatusCode: 500,
  statusReason: null,
  orderingKey: null,
  createdAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T10:00:02.000Z',
  endpoint: {
    id: 'e1',
    url: 'https://example.com/hook',
    enabled: true,
    deletedAt: null,
    retryPolicy: { maxAttempts: 2 },
  },
  attempts: {
    totalCount: 2,
    edges: [
      { node: attempt(1, 500, '2026-11-28T10:00:00.000Z') },
      { node: attempt(2, 500, '2026-11-28T10:00:02.000Z') },
    ],
  },
  ...patch,
});

const renderCard = (props: Partial<Parameters<typeof DeliveryCard>[0]> = {}) =>
  render(
    <MemoryRouter>
      <DeliveryCard
        delivery={delivery()}
        mailboxId="m1"
        roleBlock={null}
        retrying={false}
        onRetry={vi.fn()}
        {...props}
      />
    </MemoryRouter>,
  );

describe('a delivery on the event page', () => {
  test('lists every attempt with its gap, status code and error; the latest is unfolded', () => {
    renderCard();
    const items = document.querySelectorAll('[data-attempt]');
    expect(items).toHaveLength(2);
    expect(items[1]!.textContent).toContain('+2.0 s');
    expect(items[1]!.textContent).toContain('HTTP 500');
    expect(items[1]!.querySelector('details')?.open).toBe(true);
    expect(items[0]!.querySelector('details')?.open).toBe(false);
    expect(items[1]!.textContent).toContain('The endpoint answered 500.');
  });

  test('one waiting behind its ordering key shows the key and why it waits, and can be cancelled', () => {
    const onCancel = vi.fn();
    renderCard({
      delivery: delivery({
        status: 'queued',
        orderingKey: 'customer-42',
        statusReason: 'Waiting for an earlier delivery of ordering key "customer-42" to end.',
      }),
      onCancel,
    });
    expect(screen.getByText('customer-42')).toBeTruthy();
    expect(document.querySelector('[data-status-reason]')?.textContent).toMatch(/Waiting for an earlier delivery/);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledOnce();
  });

  test('one that ended has no cancel button', () => {
    renderCard({ onCancel: vi.fn() });
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });

  test('a failed delivery can be retried', () => {
    const onRetry = vi.fn();
    renderCard({ onRetry });
    const retry = screen.getByRole('button', { name: 'Retry' }) as HTMLButtonElement;
    expect(retry.disabled).toBe(false);
    retry.click();
    expect(onRetry).toHaveBeenCalledOnce();
  });

  test('the retry button is disabled with the reason when it is not allowed', () => {
    renderCard({ delivery: delivery({ endpoint: { ...delivery().endpoint, enabled: false } }) });
    expect((screen.getByRole('button', { name: 'Retry' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/enable it first/)).toBeTruthy();
    cleanup();
    renderCard({ roleBlock: 'Your access token has the viewer role; this needs an operator token.' });
    expect((screen.getByRole('button', { name: 'Retry' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/viewer role/)).toBeTruthy();
  });
});
