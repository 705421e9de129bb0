/**
 * The endpoints an event may be resent to, in the order the picker lists them, each with
 * why it cannot be picked (disabled) or what picking it means (its filter would not take
 * this event type; a delivery to it is still on its way). Pure, for the resend control.
 */
import { matchesEventType } from './eventFilterParams.ts';

export interface ResendTarget {
  id: string;
  url: string;
  description: string;
  enabled: boolean;
  eventTypes: string[];
}

export interface ResendChoice extends ResendTarget {
  /** Why it cannot be picked, or null. */
  blocked: string | null;
  /** What to know before picking it, or null. */
  note: string | null;
}

export function resendChoices(
  targets: readonly ResendTarget[],
  event: { eventType?: string | null; deliveries: readonly { endpointId: string; status: string }[] },
): ResendChoice[] {
  return targets.map((target) => {
    const onItsWay = event.deliveries.some(
      (delivery) => delivery.endpointId === target.id && ['queued', 'held', 'delivering'].includes(delivery.status),
    );
    const blocked = !target.enabled
      ? 'disabled: enable it to resend to it'
      : onItsWay
        ? 'a delivery to it is on its way'
        : null;
    const got = event.deliveries.some((delivery) => delivery.endpointId === target.id);
    const note = blocked
      ? null
      : !got && !matchesEventType(event.eventType, target.eventTypes)
        ? 'its filter would not take this event type; it gets it anyway'
        : got
          ? 'sent again, as a new delivery'
          : 'it never got this event';
    return { ...target, blocked, note };
  });
}
