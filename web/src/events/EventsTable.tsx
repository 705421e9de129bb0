/**
 * The events table. Rows are links to the event; keys move through it without a mouse:
 * j/k (or ↓/↑) choose a row, Enter opens it, x selects it for a bulk replay.
 *
 * It is virtualized against the window's scroll: however many rows are loaded (up to
 * ten thousand), only those on screen and a few beyond are in the DOM, each row's
 * height is measured once, and two spacer rows stand in for the rest, so the table keeps
 * its real scroll height and its sticky header.
 */
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { CopyButton } from '../ui/CopyButton.tsx';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { StatusBadge } from '../ui/StatusBadge.tsx';
import { isTyping } from '../ui/isTyping.ts';
import { codeClass, lastResponseCode } from './lastResponse.ts';
import type { EventRow } from './useEventFeed.ts';

/** A row's height before it is measured, in px. */
const ESTIMATED_ROW_PX = 53;
/** Rows rendered beyond each edge of the screen, so a quick scroll does not show blanks. */
export const OVERSCAN_ROWS = 8;

interface RowProps {
  event: EventRow;
  index: number;
  selected: boolean;
  active: boolean;
  onToggle(id: string): void;
  measure(element: HTMLTableRowElement | null): void;
}

const Row = memo(function Row({ event, index, selected, active, onToggle, measure }: RowProps) {
  const endpoints = event.deliveries.edges.map((edge) => edge.node.endpoint.url);
  const more = event.deliveries.totalCount - endpoints.length;
  const code = lastResponseCode(event);
  return (
    <tr
      ref={measure}
      data-index={index}
      aria-rowindex={index + 2}
      className={active ? 'row-active' : undefined}
      aria-selected={selected}
      data-tracking-number={event.trackingNumber}
      data-received-at={event.receivedAt}
      data-status={event.status}
    >
      <td className="cell-check">
        <input
          type="checkbox"
          aria-label={`Select event ${event.trackingNumber}`}
          checked={selected}
          onChange={() => onToggle(event.id)}
        />
      </td>
      <td>
        <div className="cell-id">
          <Link to={`/events/${event.trackingNumber}`} className="mono id-link" title={event.trackingNumber}>
            {event.trackingNumber.slice(0, 13)}…
          </Link>
          <CopyButton value={event.trackingNumber} label="Copy tracking number" compact />
        </div>
      </td>
      <td className="cell-time">
        <RelativeTime iso={event.receivedAt} />
      </td>
      <td className="cell-type">
        {event.eventType ? (
          <span className="mono type-tag">{event.eventType}</span>
        ) : (
          <span className="muted">none</span>
        )}
      </td>
      <td className="cell-destination">
        <span className="destination-mailbox truncate" title={event.mailbox.name}>
          {event.mailbox.name}
        </span>
        {endpoints.length === 0 ? (
          <span className="muted small">no endpoint accepts it</span>
        ) : (
          <span className="endpoint-list" title={endpoints.join('\n')}>
            <span className="truncate">{endpoints[0]}</span>
            {endpoints.length + more > 1 ? <span className="more">+{endpoints.length + more - 1}</span> : null}
          </span>
        )}
      </td>
      <td className="cell-status">
        <StatusBadge status={event.status} />
      </td>
      <td className="cell-num cell-attempts">
        <span className="attempt-count" data-attempts={event.attemptCount}>
          {event.attemptCount}
        </span>
        <span className="last-attempt">
          <RelativeTime iso={event.lastAttemptAt} fallback="none yet" />
        </span>
      </td>
      <td className="cell-num">
        <span className={codeClass(code)}>{code ?? '—'}</span>
      </td>
    </tr>
  );
});

export function EventsTable({
  rows,
  selected,
  onToggle,
  onToggleAll,
}: {
  rows: EventRow[];
  selected: Set<string>;
  onToggle(id: string): void;
  onToggleAll(on: boolean): void;
}) {
  const navigate = useNavigate();
  const [active, setActive] = useState(-1);
  const body = useRef<HTMLTableSectionElement>(null);
  const allOn = rows.length > 0 && rows.every((row) => selected.has(row.id));

  // Where the table's body starts on the page: the virtualizer counts rows from there.
  const [scrollMargin, setScrollMargin] = useState(0);
  // After every render on purpose (anything above may have moved it); the 1 px check ends the loop.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useLayoutEffect(() => {
    const top = (body.current?.getBoundingClientRect().top ?? 0) + window.scrollY;
    if (Math.abs(top - scrollMargin) > 1) setScrollMargin(top);
  });
  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize: () => ESTIMATED_ROW_PX,
    overscan: OVERSCAN_ROWS,
    scrollMargin,
    getItemKey: (index) => rows[index]!.id,
    // A row not laid out (yet) keeps its estimate rather than counting as zero pixels.
    measureElement: (element) => element.getBoundingClientRect().height || ESTIMATED_ROW_PX,
  });
  const items = virtualizer.getVirtualItems();
  const before = items.length > 0 ? items[0]!.start - scrollMargin : 0;
  const after = items.length > 0 ? virtualizer.getTotalSize() - (items[items.length - 1]!.end - scrollMargin) : 0;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target) || rows.length === 0) return;
      const move = (to: number) => {
        event.preventDefault();
        const next = Math.max(0, Math.min(rows.length - 1, to));
        setActive(next);
        virtualizer.scrollToIndex(next, { align: 'auto' });
      };
      if (event.key === 'j' || event.key === 'ArrowDown') move(active + 1);
      else if (event.key === 'k' || event.key === 'ArrowUp') move(active - 1);
      else if (
        event.key === 'Enter' &&
        rows[active] &&
        !(event.target instanceof HTMLButtonElement || event.target instanceof HTMLAnchorElement)
      )
        void navigate(`/events/${rows[active].trackingNumber}`); // a key press does not wait for the page
      else if (event.key === 'x' && rows[active]) onToggle(rows[active].id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, active, navigate, onToggle, virtualizer]);

  return (
    <div className="table-wrap table-wrap-sticky">
      <table className="table events-table" aria-rowcount={rows.length + 1}>
        <thead>
          <tr>
            <th className="cell-check">
              <input
                type="checkbox"
                aria-label="Select all shown events"
                checked={allOn}
                onChange={(event) => onToggleAll(event.target.checked)}
              />
            </th>
            <th>Tracking number</th>
            <th>Received</th>
            <th>Event type</th>
            <th>Mailbox and endpoint</th>
            <th>Status</th>
            <th className="cell-num" title="Attempts made, and when the latest started">
              Attempts
            </th>
            <th className="cell-num" title="The HTTP status of the latest attempt">
              HTTP
            </th>
          </tr>
        </thead>
        <tbody ref={body}>
          {before > 0 ? (
            <tr className="spacer-row" aria-hidden="true">
              <td colSpan={8} style={{ height: before }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const event = rows[item.index]!;
            return (
              <Row
                key={event.id}
                event={event}
                index={item.index}
                selected={selected.has(event.id)}
                active={item.index === active}
                onToggle={onToggle}
                measure={virtualizer.measureElement}
              />
            );
          })}
          {after > 0 ? (
            <tr className="spacer-row" aria-hidden="true">
              <td colSpan={8} style={{ height: after }} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
