// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { EventsTable, OVERSCAN_ROWS } from './EventsTable.tsx';
import type { EventRow } from './useEventFeed.ts';

afterEach(cleanup);

const event = (n: number, patch: Partial<EventRow> = {}): EventRow => ({
  id: `018f0000-0000-7000-8000-${String(n).padStart(12, '0')}`,
  trackingNumber: `018f0000-0000-7000-8000-${String(n).padStart(12, '0')}`,
  receivedAt: new Date(Date.now() - n * 60_000).toISOString(),
  eventType: 'order.created',
  status: 'delivered',
  attemptCount: 1,
  lastAttemptAt: new Date().toISOString(),
  deliveryCount: 1,
  mailbox: { id: 'm1', name: 'Orders' },
  deliveries: {
    totalCount: 1,
    edges: [
      {
        node: {
          id: `d${n}`,
          status: 'delivered',
          lastStatusCode: 200,
          lastAttemptAt: new Date().toISOString(),
          endpoint: { id: 'e1', url: 'https://example.com/hook' },
        },
      },
    ],
  },
  ...patch,
});

function renderTable(rows: EventRow[], selected = new Set<string>(), onToggle = vi.fn()) {
  render(
    <MemoryRouter initialEntries={['/events']}>
      <Routes>
        <Route
          path="/events"
          element={<EventsTable rows={rows} selected={selected} onToggle={onToggle} onToggleAll={vi.fn()} />}
        />
        <Route path="/events/:trackingNumber" element={<p>detail page</p>} />
      </Routes>
    </MemoryRouter>,
  );
  return onToggle;
}

describe('the events table', () => {
  test('shows the status in words, the attempts, the last response code and the endpoint', () => {
    renderTable([
      event(1, {
        status: 'failed',
        attemptCount: 3,
        deliveries: {
          ...event(1).deliveries,
          edges: [
            {
              ...event(1).deliveries.edges[0]!,
              node: { ...event(1).deliveries.edges[0]!.node, status: 'failed', lastStatusCode: 503 },
            },
          ],
        },
      }),
    ]);
    const row = document.querySelector('tbody tr')!;
    expect(row.textContent).toContain('Failed');
    expect(row.textContent).toContain('503');
    expect(row.querySelector('[data-attempts]')?.textContent).toBe('3');
    expect(row.textContent).toContain('https://example.com/hook');
    expect(screen.getByRole('button', { name: 'Copy tracking number' })).toBeTruthy();
  });

  test('j and k choose a row, x selects it, Enter opens it', () => {
    const onToggle = renderTable([event(1), event(2), event(3)]);
    fireEvent.keyDown(window, { key: 'j' });
    fireEvent.keyDown(window, { key: 'j' });
    fireEvent.keyDown(window, { key: 'k' });
    expect(document.querySelector('tr.row-active')?.getAttribute('data-tracking-number')).toBe(event(1).trackingNumber);
    fireEvent.keyDown(window, { key: 'j' });
    fireEvent.keyDown(window, { key: 'x' });
    expect(onToggle).toHaveBeenCalledWith(event(2).id);
    fireEvent.keyDown(window, { key: 'Enter' });
    expect(screen.getByText('detail page')).toBeTruthy();
  });

  test('keys typed into a field are not shortcuts', () => {
    renderTable([event(1)]);
    const input = document.createElement('input');
    document.body.append(input);
    fireEvent.keyDown(input, { key: 'j' });
    expect(document.querySelector('tr.row-active')).toBeNull();
    input.remove();
  });
});

describe('the events table with many rows', () => {
  test('ten thousand loaded rows put only a screenful (and the overscan) in the DOM, with no formatter built per row', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => event(i + 1));
    const built = vi.spyOn(Intl, 'DateTimeFormat');
    renderTable(rows);
    await waitFor(() => expect(document.querySelectorAll('tr[data-tracking-number]').length).toBeGreaterThan(0));
    const rendered = document.querySelectorAll('tr[data-tracking-number]').length;
    const onScreen = Math.ceil(window.innerHeight / 40);
    expect(rendered).toBeLessThanOrEqual(onScreen + 2 * OVERSCAN_ROWS);
    // Each rendered row shows two timestamps; the formatters behind them are shared.
    expect(built.mock.calls.length).toBeLessThanOrEqual(2);
    built.mockRestore();
    // The table still says how many rows it has, for screen readers.
    expect(document.querySelector('table')?.getAttribute('aria-rowcount')).toBe('10001');
  });
});
