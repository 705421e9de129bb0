/** Delivery health in one word, with an icon and the numbers on hover. */
import { CircleAlert, CircleCheck, CircleMinus, TriangleAlert } from 'lucide-react';
import { healthLevel, healthText, type HealthCounts } from './health.ts';

const look = {
  idle: { icon: CircleMinus, label: 'No traffic' },
  healthy: { icon: CircleCheck, label: 'Healthy' },
  degraded: { icon: TriangleAlert, label: 'Retrying' },
  failing: { icon: CircleAlert, label: 'Failing' },
};

export function HealthBadge({ counts }: { counts: HealthCounts }) {
  const level = healthLevel(counts);
  const { icon: Icon, label } = look[level];
  return (
    <span className={`health health-${level}`} title={healthText(counts)}>
      <Icon aria-hidden size={14} />
      {label}
    </span>
  );
}
