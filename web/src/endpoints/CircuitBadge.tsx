/** The circuit's state in a word, with an icon and a color, so it reads without color too. */
import { CircleCheck, CircleDot, CircleSlash } from 'lucide-react';
import type { CircuitState } from '../generated/graphql.ts';
import { circuitLook } from './healthWords.ts';

const icons = { closed: CircleCheck, half_open: CircleDot, open: CircleSlash };

export function CircuitBadge({ state }: { state: CircuitState }) {
  const Icon = icons[state] ?? CircleDot;
  const { label, hint } = circuitLook[state] ?? { label: state, hint: '' };
  return (
    <span className={`badge circuit-${state}`} title={hint} data-circuit-state={state}>
      <Icon aria-hidden size={14} strokeWidth={2.25} />
      Circuit {label.toLowerCase()}
    </span>
  );
}
