// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter, useSearchParams } from 'react-router';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { useDraft } from './useDraft.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

/**
 * A search box whose applied value lives in the URL, as the events filters do. The URL
 * comes back a moment after each change (a router navigation is not synchronous).
 */
function UrlBackedBox({ echoDelayMs, canonical }: { echoDelayMs: number; canonical?: (draft: string) => string }) {
  const [params, setParams] = useSearchParams();
  const value = params.get('q') ?? '';
  const [draft, setDraft, applyNow] = useDraft(
    value,
    (next) => {
      const applied = canonical ? canonical(next) : next;
      setTimeout(() => setParams(applied ? { q: applied } : {}), echoDelayMs);
    },
    { canonical },
  );
  return (
    <>
      <input aria-label="Search" value={draft} onChange={(event) => setDraft(event.target.value)} />
      <button type="button" onClick={applyNow}>
        Apply
      </button>
      <button type="button" onClick={() => setParams({ q: 'from elsewhere' })}>
        Elsewhere
      </button>
      <output>{value}</output>
    </>
  );
}

const box = () => screen.getByLabelText('Search') as HTMLInputElement;
const type = (text: string) => fireEvent.change(box(), { target: { value: text } });
const wait = (ms: number) =>
  act(() => {
    vi.advanceTimersByTime(ms);
  });

describe('a text field applied after a pause', () => {
  test('what is typed while the applied value travels through the URL is kept', () => {
    render(
      <MemoryRouter>
        <UrlBackedBox echoDelayMs={60} />
      </MemoryRouter>,
    );
    type('order.');
    wait(350); // the pause: "order." is applied
    type('order.cr'); // typing goes on before the URL has come back
    wait(60); // the URL comes back with "order."
    expect(box().value).toBe('order.cr');
    type('order.created');
    wait(350 + 60);
    expect(box().value).toBe('order.created');
    expect(screen.getByRole('status').textContent).toBe('order.created');
  });

  test('an echo that comes back normalised (trimmed) does not rewrite the field', () => {
    render(
      <MemoryRouter>
        <UrlBackedBox echoDelayMs={10} canonical={(draft) => draft.trim()} />
      </MemoryRouter>,
    );
    type('018f ');
    wait(350 + 10);
    expect(box().value).toBe('018f ');
    type('018f 0');
    wait(5);
    expect(box().value).toBe('018f 0');
  });

  test('a change made elsewhere (clear filters, the back button) replaces the field', () => {
    render(
      <MemoryRouter>
        <UrlBackedBox echoDelayMs={10} />
      </MemoryRouter>,
    );
    type('abc');
    wait(360);
    fireEvent.click(screen.getByRole('button', { name: 'Elsewhere' }));
    expect(box().value).toBe('from elsewhere');
  });

  test('Enter (apply now) applies at once, and the pause does not apply it twice', () => {
    const applied: string[] = [];
    function Box() {
      const [draft, setDraft, applyNow] = useDraft('', (next) => applied.push(next));
      return (
        <>
          <input aria-label="Search" value={draft} onChange={(event) => setDraft(event.target.value)} />
          <button type="button" onClick={applyNow}>
            Apply
          </button>
        </>
      );
    }
    render(<Box />);
    type('x');
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    wait(1000);
    expect(applied).toEqual(['x']);
  });
});
