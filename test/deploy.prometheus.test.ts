/**
 * The operator kit: deploy/prometheus/alerts.yml and deploy/grafana/hookpost.json ask only
 * for series Hookpost exposes (or is about to: see `planned`), their PromQL parses, the
 * alert rules pass their unit tests, and the dashboard is well-formed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import type pg from 'pg';
import { createMetrics } from '../server/metrics.ts';
import { registerQueueGauges } from '../server/worker/queueGauges.ts';

const deploy = path.resolve(import.meta.dirname, '../deploy');
const alertsFile = path.join(deploy, 'prometheus', 'alerts.yml');
const alertTestsFile = path.join(deploy, 'prometheus', 'alerts.test.yml');

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; datasource?: { uid: string } }[];
}
const dashboard = JSON.parse(readFileSync(path.join(deploy, 'grafana', 'hookpost.json'), 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string }[] };
};
const alerts = parse(readFileSync(alertsFile, 'utf8')) as {
  groups: { name: string; rules: { alert: string; expr: string }[] }[];
};

const alertExpressions = alerts.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
const dashboardExpressions = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));

/**
 * Series the rules and the dashboard are written against before Hookpost exposes them
 * (deliveries by status, backlog age, worker liveness, runner restarts, attempts recorded
 * late, open circuits). Each one, once it lands in server/metrics.ts, is checked like the
 * rest; drop it from this list then.
 */
const planned: string[] = [];

/** Every series name Hookpost's /metrics can show, from its registry's TYPE lines. */
async function exposedSeries(): Promise<Set<string>> {
  const { registry } = createMetrics();
  // A worker's backlog gauges too; with no database to read, they show their last reading.
  registerQueueGauges(registry, { query: () => Promise.reject(new Error('no database here')) } as unknown as pg.Pool);
  const text = await registry.metrics();
  registry.clear();
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(`${name}${suffix}`);
  }
  return names;
}

const seriesIn = (expr: string) =>
  [...expr.matchAll(/\b(?:hookpost|process|nodejs)_[a-z0-9_]+\b/g)].map(([name]) => name);

// promtool is Debian's `prometheus` package (README, Development; `.ci/run` installs it).
function runPromtool(...args: string[]) {
  const result = spawnSync('promtool', args, { encoding: 'utf8', cwd: path.dirname(alertsFile) });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('alert rules and dashboard', () => {
  test('ask only for series Hookpost exposes or is about to', async () => {
    const exposed = await exposedSeries();
    expect(exposed).toContain('process_cpu_seconds_total');
    expect(exposed).toContain('hookpost_ingest_duration_seconds_bucket');
    const used = new Set([...alertExpressions, ...dashboardExpressions].flatMap(seriesIn));
    expect([...used].filter((name) => !exposed.has(name) && !planned.includes(name))).toEqual([]);
    // Every planned series is in use somewhere, or it has no business in the list.
    expect(planned.filter((name) => !used.has(name))).toEqual([]);
  });

  test('cover failing deliveries, backlog age, workers down and open circuits', () => {
    const alertNames = alerts.groups.flatMap((group) => group.rules.map((rule) => rule.alert));
    expect(alertNames).toEqual(
      expect.arrayContaining([
        'HookpostDeliveryFailureRatioHigh',
        'HookpostDeliveryBacklogOld',
        'HookpostNoWorkers',
        'HookpostWorkerDown',
        'HookpostEndpointCircuitOpen',
      ]),
    );
  });

  test('the dashboard is well-formed: unique ids, on a 24-column grid, every query on the chosen data source', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.templating.list.find((variable) => variable.name === 'datasource')?.type).toBe('datasource');
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource?.uid, panel.title).toBe('${datasource}');
    }
  });

  test('promtool: the rules are valid and pass their unit tests', () => {
    const checked = runPromtool('check', 'rules', alertsFile);
    expect(checked.output).toContain('SUCCESS');
    expect(checked.status).toBe(0);
    const tested = runPromtool('test', 'rules', alertTestsFile);
    expect(tested.output).toContain('SUCCESS');
    expect(tested.status).toBe(0);
  });

  test("promtool: the dashboard's queries are valid PromQL", () => {
    // As recording rules, with Grafana's variables given values, promtool parses each one.
    const rules = dashboardExpressions.map((expr, i) => ({
      record: `dashboard:query_${i}`,
      expr: expr.replaceAll('$__rate_interval', '5m').replaceAll(/\$(job|instance)\b/g, '.*'),
    }));
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hookpost-dashboard-')), 'queries.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const checked = runPromtool('check', 'rules', file);
    expect(checked.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(checked.status).toBe(0);
  });

  test('promtool: an invalid query is refused (the check above can fail)', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hookpost-dashboard-')), 'broken.yml');
    writeFileSync(
      file,
      stringify({ groups: [{ name: 'broken', rules: [{ record: 'x:y', expr: 'sum(rate(x[5m])' }] }] }),
    );
    expect(runPromtool('check', 'rules', file).status).not.toBe(0);
  });
});
