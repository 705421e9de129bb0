/**
 * What every chart of the dashboard shares: the card it sits in (a figure whose caption
 * says in words what it shows, the drawing hidden from screen readers, which read the
 * caption instead) and the look of its axes, tooltip and legend, in the theme's CSS
 * variables so they follow light and dark mode. Plain values and markup, no Recharts:
 * the views that draw charts load Recharts with their own chunk.
 */
import type { ReactNode } from 'react';

export const chartAxis = { stroke: 'var(--text-muted)', fontSize: 11, tickLine: false, axisLine: false } as const;
export const CHART_HEIGHT = 200;
export const chartMargin = { top: 8, right: 16, bottom: 0, left: 4 };

export function chartTooltip(label: (iso: string) => string) {
  return {
    contentStyle: {
      background: 'var(--surface-raised)',
      border: '1px solid var(--border)',
      borderRadius: 8,
      fontSize: 12,
      color: 'var(--text)',
    },
    labelStyle: { color: 'var(--text-muted)', marginBottom: 4 },
    cursor: { fill: 'var(--hover)' },
    labelFormatter: (value: unknown) => label(String(value)),
  };
}

export const chartLegend = {
  iconType: 'circle' as const,
  iconSize: 8,
  wrapperStyle: { fontSize: 12, color: 'var(--text-muted)' },
};

/** "850 ms", "2.4 s": an axis tick. */
export const shortMs = (ms: number) => (ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`);

export function ChartCard({
  title,
  unit,
  summary,
  wide = false,
  children,
}: {
  title: string;
  unit: string;
  summary: string;
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <figure className={`card chart-card${wide ? ' chart-wide' : ''}`}>
      <header className="card-header">
        <h2>{title}</h2>
        <span className="muted small">{unit}</span>
      </header>
      <figcaption className="chart-summary">{summary}</figcaption>
      <div aria-hidden="true">{children}</div>
    </figure>
  );
}
