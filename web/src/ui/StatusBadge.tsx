/**
 * An event's or delivery's status: an icon, the word and a color, so it reads without
 * color too (color-blind operators, grayscale printouts).
 */
import {
  Ban,
  CircleCheck,
  CircleDashed,
  CircleX,
  Clock,
  LoaderCircle,
  PauseCircle,
  type LucideIcon,
} from 'lucide-react';

export type Status = 'queued' | 'held' | 'delivering' | 'delivered' | 'failed' | 'cancelled' | 'unrouted';

const look: Record<Status, { icon: LucideIcon; label: string; hint: string }> = {
  queued: { icon: Clock, label: 'Queued', hint: 'Waiting for its next attempt' },
  held: { icon: PauseCircle, label: 'Held', hint: 'Waiting: its endpoint cannot take it now (circuit open or paused)' },
  delivering: { icon: LoaderCircle, label: 'Delivering', hint: 'Attempts made, not finished yet' },
  delivered: { icon: CircleCheck, label: 'Delivered', hint: 'The endpoint answered 2xx' },
  failed: { icon: CircleX, label: 'Failed', hint: 'Every attempt failed; it can be retried' },
  cancelled: { icon: Ban, label: 'Cancelled', hint: 'Stopped: its endpoint was disabled or deleted' },
  unrouted: { icon: CircleDashed, label: 'Unrouted', hint: 'No endpoint accepts its event type' },
};

export function StatusBadge({ status }: { status: Status }) {
  const { icon: Icon, label, hint } = look[status] ?? look.queued;
  return (
    <span className={`badge badge-${status}`} title={hint} data-status={status}>
      <Icon aria-hidden size={14} strokeWidth={2.25} className={status === 'delivering' ? 'spin' : undefined} />
      {label}
    </span>
  );
}
