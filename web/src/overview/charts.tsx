/**
 * The overview's three charts, drawn by Recharts (loaded only with the overview: it is
 * the largest dependency), in the shared chart card and look (ui/charts.tsx): each is
 * a figure whose caption says in words what it shows.
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
import {
  CHART_HEIGHT as HEIGHT,
  ChartCard,
  chartAxis as axis,
  chartLegend as legend,
  chartMargin as margin,
  chartTooltip as tooltip,
  shortMs,
} from '../ui/charts.tsx';
import { formatCount, formatDuration, formatMinute } from '../ui/format.ts';
import { attemptsSummary, latencySummary, receivedSummary } from './chartSummaries.ts';
import type { ActivityPoint, AttemptsPoint } from './overviewRange.ts';

export function OverviewCharts({
  attempts,
  activity,
  bucketMinutes,
  withDay,
}: {
  attempts: AttemptsPoint[];
  activity: ActivityPoint[];
  /** Minutes per point. */
  bucketMinutes: number;
  /** Whether ticks name the day too (windows longer than a day). */
  withDay: boolean;
}) {
  const label = (iso: string) => formatMinute(iso, withDay);
  const unit = bucketMinutes === 1 ? 'minute' : `${bucketMinutes} minutes`;
  const per = `per ${unit}`;
  const x = { dataKey: 'minute', tickFormatter: label, minTickGap: 48, ...axis };
  return (
    <div className="chart-grid">
      <ChartCard title="Events received" unit={per} summary={receivedSummary(activity, label, unit)}>
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <AreaChart data={activity} margin={margin} accessibilityLayer={false}>
            <defs>
              <linearGradient id="received-fill" x1="0" y1="0" x2="0" y2="1">
                <stop offset="0%" stopColor="var(--accent)" stopOpacity={0.35} />
                <stop offset="100%" stopColor="var(--accent)" stopOpacity={0.02} />
              </linearGradient>
            </defs>
            <CartesianGrid vertical={false} stroke="var(--grid)" />
            <XAxis {...x} />
            <YAxis allowDecimals={false} width="auto" tickFormatter={formatCount} {...axis} />
            <Tooltip {...tooltip(label)} cursor={{ stroke: 'var(--border-strong)' }} />
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
      </ChartCard>
      <ChartCard title="Attempts" unit={`succeeded and failed ${per}`} summary={attemptsSummary(attempts, label, unit)}>
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <BarChart data={attempts} margin={margin} barCategoryGap={1} accessibilityLayer={false}>
            <CartesianGrid vertical={false} stroke="var(--grid)" />
            <XAxis {...x} />
            <YAxis allowDecimals={false} width="auto" tickFormatter={formatCount} {...axis} />
            <Tooltip {...tooltip(label)} />
            <Legend {...legend} />
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
      </ChartCard>
      <ChartCard
        title="Delivery latency"
        unit={`from receipt to delivered, p50 and p95${bucketMinutes > 1 ? `, the slowest minute of each ${unit}` : ''}`}
        summary={latencySummary(activity, label, unit)}
        wide
      >
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <LineChart data={activity} margin={margin} accessibilityLayer={false}>
            <CartesianGrid vertical={false} stroke="var(--grid)" />
            <XAxis {...x} />
            <YAxis width="auto" tickFormatter={shortMs} {...axis} />
            <Tooltip
              {...tooltip(label)}
              cursor={{ stroke: 'var(--border-strong)' }}
              formatter={(value) => formatDuration(Number(value))}
            />
            <Legend {...legend} />
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
      </ChartCard>
    </div>
  );
}
