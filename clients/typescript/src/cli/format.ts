/** How the CLI prints things for people: aligned columns, one line per event or change. */
import type { DeliveryChange, LiveEvent } from '../live.ts';
import type { Event } from '../types.ts';

/** Rows as aligned columns (the last column is not padded). */
export function table(rows: string[][]): string[] {
  const widths = rows.reduce<number[]>((max, row) => row.map((cell, i) => Math.max(max[i] ?? 0, cell.length)), []);
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function eventRow(event: Event | LiveEvent): string[] {
  const listed = 'tracking_number' in event;
  return [
    listed ? event.received_at : event.receivedAt,
    listed ? event.tracking_number : event.trackingNumber,
    event.status,
    (listed ? event.event_type : event.eventType) ?? '-',
    listed ? event.mailbox_name : event.mailboxName,
  ];
}

export function deliveryLine(change: DeliveryChange): string {
  const attempt = change.attempt
    ? ` (attempt ${change.attempt.number}, ${change.attempt.trigger}: ${
        change.attempt.statusCode ?? change.attempt.errorMessage ?? 'no answer'
      })`
    : '';
  return `${change.trackingNumber}  delivery ${change.deliveryId} ${change.status}${attempt} → ${change.endpointUrl}`;
}

export const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
