/**
 * The overview's three charts of the last hour, minute by minute, drawn by Recharts.
 * Colors come from the theme's CSS variables, so they follow light and dark mode.
 */
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatDuration } from '../ui/format.ts';

const minuteLabel = (iso: string) =>
  new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
const axis = { stroke: 'var(--text-faint)', fontSize: 11, tickLine: false, axisLine: false } as const;
const tooltipStyle = {
  contentStyle: {
    background: 'var(--surface-raised)',
    border: '1px solid var(--border)',
    borderRadius: 8,
    fontSize: 12,
    color: 'var(--text)',
  },
  labelStyle: { color: 'var(--text-muted)', marginBottom: 4 },
  cursor: { fill: 'var(--hover)' },
  labelFormatter: (label: unknown) => minuteLabel(String(label)),
};
const HEIGHT = 200;

export function ReceivedChart({ data }: { data: { minute: string; received: number }[] }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <AreaChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <defs>
          <linearGradient id="received-fill" x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor="var(--accent)" stopOpacity={0.35} />
            <stop offset="100%" stopColor="var(--accent)" stopOpacity={0.02} />
          </linearGradient>
        </defs>
        <CartesianGrid vertical={false} stroke="var(--grid)" />
        <XAxis dataKey="minute" tickFormatter={minuteLabel} minTickGap={48} {...axis} />
        <YAxis allowDecimals={false} width={40} {...axis} />
        <Tooltip {...tooltipStyle} cursor={{ stroke: 'var(--border-strong)' }} />
        <Area
          type="monotone"
          dataKey="received"
          name="Events received"
          stroke="var(--accent)"
          strokeWidth={2}
          fill="url(#received-fill)"
          isAnimationActive={false}
        />
      </AreaChart>
    </ResponsiveContainer>
  );
}

export function AttemptsChart({ data }: { data: { minute: string; succeeded: number; failed: number }[] }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <BarChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }} barCategoryGap={1}>
        <CartesianGrid vertical={false} stroke="var(--grid)" />
        <XAxis dataKey="minute" tickFormatter={minuteLabel} minTickGap={48} {...axis} />
        <YAxis allowDecimals={false} width={40} {...axis} />
        <Tooltip {...tooltipStyle} />
        <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 12, color: 'var(--text-muted)' }} />
        <Bar dataKey="succeeded" name="Succeeded" stackId="a" fill="var(--ok)" isAnimationActive={false} />
        <Bar
          dataKey="failed"
          name="Failed"
          stackId="a"
          fill="var(--bad)"
          radius={[2, 2, 0, 0]}
          isAnimationActive={false}
        />
      </BarChart>
    </ResponsiveContainer>
  );
}

export function LatencyChart({ data }: { data: { minute: string; p50Ms?: number | null; p95Ms?: number | null }[] }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <LineChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid vertical={false} stroke="var(--grid)" />
        <XAxis dataKey="minute" tickFormatter={minuteLabel} minTickGap={48} {...axis} />
        <YAxis
          width={52}
          tickFormatter={(ms: number) => (ms >= 1000 ? `${+(ms / 1000).toFixed(1)}s` : `${ms}ms`)}
          {...axis}
        />
        <Tooltip
          {...tooltipStyle}
          cursor={{ stroke: 'var(--border-strong)' }}
          formatter={(value) => formatDuration(Number(value))}
        />
        <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 12, color: 'var(--text-muted)' }} />
        <Line
          type="monotone"
          dataKey="p50Ms"
          name="p50"
          stroke="var(--accent)"
          strokeWidth={2}
          dot={false}
          connectNulls
          isAnimationActive={false}
        />
        <Line
          type="monotone"
          dataKey="p95Ms"
          name="p95"
          stroke="var(--warn)"
          strokeWidth={2}
          dot={false}
          connectNulls
          isAnimationActive={false}
        />
      </LineChart>
    </ResponsiveContainer>
  );
}

/** The three chart cards, as one lazily loaded piece. */
export function OverviewCharts({
  attemptsPerMinute,
  activityPerMinute,
}: {
  attemptsPerMinute: { minute: string; succeeded: number; failed: number }[];
  activityPerMinute: { minute: string; received: number; p50Ms?: number | null; p95Ms?: number | null }[];
}) {
  return (
    <div className="chart-grid">
      <section className="card chart-card" aria-label="Events received per minute">
        <header className="card-header">
          <h2>Events received</h2>
          <span className="muted small">per minute</span>
        </header>
        <ReceivedChart data={activityPerMinute} />
      </section>
      <section className="card chart-card" aria-label="Delivery attempts per minute">
        <header className="card-header">
          <h2>Attempts</h2>
          <span className="muted small">succeeded and failed per minute</span>
        </header>
        <AttemptsChart data={attemptsPerMinute} />
      </section>
      <section className="card chart-card chart-wide" aria-label="Delivery latency">
        <header className="card-header">
          <h2>Delivery latency</h2>
          <span className="muted small">from receipt to delivered, p50 and p95</span>
        </header>
        <LatencyChart data={activityPerMinute} />
      </section>
    </div>
  );
}
