/**
 * The endpoint health page's two charts, drawn by Recharts (loaded only with them): the
 * attempts of each bucket of the window, succeeded and failed, under the share that
 * succeeded; and their response times (p50, p95). An empty bucket is a gap, not 0 %.
 * Each is a figure whose caption says in words what it shows (activitySeries.ts).
 */
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { CHART_HEIGHT, ChartCard, chartAxis, chartLegend, chartMargin, chartTooltip, shortMs } from '../ui/charts.tsx';
import { formatDuration } from '../ui/format.ts';
import { responseTimeSummary, successSummary, type ActivityPoint } from './activitySeries.ts';

export function HealthCharts({
  points,
  unit,
  label,
}: {
  points: ActivityPoint[];
  /** What one point covers ("minute", "12 minutes"). */
  unit: string;
  label: (iso: string) => string;
}) {
  const x = { dataKey: 'at', tickFormatter: label, minTickGap: 48, ...chartAxis };
  // Lone points between gaps have no line to show them: dots do. Axis widths are fixed: a
  // measured ("auto") width can miss its first drawing and leave the axis without labels.
  const dot = { r: 2.5, strokeWidth: 0 };
  return (
    <div className="chart-grid">
      <ChartCard
        title="Success rate"
        unit={`share answered 2xx (left) and attempts (right), per ${unit}`}
        summary={successSummary(points, label, unit)}
      >
        <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
          <ComposedChart data={points} margin={chartMargin} barCategoryGap={1} accessibilityLayer={false}>
            <CartesianGrid vertical={false} stroke="var(--grid)" />
            <XAxis {...x} />
            <YAxis
              yAxisId="rate"
              domain={[0, 100]}
              ticks={[0, 50, 100]}
              width={40}
              tickFormatter={(v) => `${v}%`}
              {...chartAxis}
            />
            <YAxis yAxisId="count" orientation="right" allowDecimals={false} width={32} {...chartAxis} />
            <Tooltip
              {...chartTooltip(label)}
              formatter={(value, name) => (name === 'Success rate' ? `${value}%` : value)}
            />
            <Legend {...chartLegend} />
            <Bar
              yAxisId="count"
              dataKey="succeeded"
              name="Succeeded"
              stackId="a"
              fill="var(--ok-bar)"
              isAnimationActive={false}
            />
            <Bar
              yAxisId="count"
              dataKey="failed"
              name="Failed"
              stackId="a"
              fill="var(--bad-bar)"
              radius={[2, 2, 0, 0]}
              isAnimationActive={false}
            />
            <Line
              yAxisId="rate"
              type="monotone"
              dataKey="successRate"
              name="Success rate"
              stroke="var(--ok)"
              strokeWidth={2}
              dot={{ ...dot, fill: 'var(--ok)' }}
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </ChartCard>
      <ChartCard
        title="Response time"
        unit={`attempt duration, p50 and p95 per ${unit}`}
        summary={responseTimeSummary(points, label, unit)}
      >
        <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
          <LineChart data={points} margin={chartMargin} accessibilityLayer={false}>
            <CartesianGrid vertical={false} stroke="var(--grid)" />
            <XAxis {...x} />
            <YAxis width={52} tickFormatter={shortMs} {...chartAxis} />
            <Tooltip
              {...chartTooltip(label)}
              cursor={{ stroke: 'var(--border-strong)' }}
              formatter={(value) => formatDuration(Number(value))}
            />
            <Legend {...chartLegend} />
            <Line
              type="monotone"
              dataKey="p50Ms"
              name="p50"
              stroke="var(--accent)"
              strokeWidth={2}
              dot={{ ...dot, fill: 'var(--accent)' }}
              isAnimationActive={false}
            />
            <Line
              type="monotone"
              dataKey="p95Ms"
              name="p95"
              stroke="var(--warn)"
              strokeWidth={2}
              dot={{ ...dot, fill: 'var(--warn)' }}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </ChartCard>
    </div>
  );
}
