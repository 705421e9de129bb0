/**
 * The report, as a table on stdout and as Markdown for the results folder. Both come
 * from the same function so they can never disagree.
 */
import type { ScenarioResult } from '../scenario.ts';
import { mb, ms, percent, rate, seconds, table } from './format.ts';
import type { Report } from './report.ts';

export function render(report: Report, style: 'text' | 'markdown'): string {
  const md = style === 'markdown';
  const h = (level: number, title: string) =>
    md ? `${'#'.repeat(level)} ${title}` : `\n${title}\n${(level === 1 ? '═' : '─').repeat(title.length)}`;
  const out: string[] = [];
  const m = report.machine;

  out.push(h(1, `Hookpost benchmark — ${report.mode} mode, ${report.startedAt}`));
  out.push(
    [
      `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.ramGb} GB RAM, ${m.os}, Node ${m.node}; load average (1/5/15 min) at start ${m.loadAverage.join(' / ')}, at the end ${report.loadAverageAtEnd.join(' / ')}` +
        (m.writeback
          ? `; background writeback from ${Math.round(m.writeback.thresholdMb).toLocaleString('en-US')} MB dirty (${m.writeback.setBy}) or ${m.writeback.expireS} s`
          : ''),
      `PostgreSQL: ${report.database.kind === 'embedded' ? 'embedded' : 'DATABASE_URL'} — ${report.database.version.split(',')[0]}; ` +
        Object.entries(report.database.settings)
          .filter(([k]) => k !== 'server_version')
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
      `Hookpost: ${report.hookpost.command}; ${report.hookpost.settings}`,
      `Load generator: autocannon ${report.tools.autocannon}, in the bench process; receiver: its own Node process, answers at once`,
      `Commit: ${report.commit}`,
    ]
      .map((line) => (md ? `- ${line}` : line))
      .join('\n'),
  );

  out.push(h(2, 'Results'));
  out.push(
    table(
      ['scenario', 'case', 'rate', 'unit', 'count', 'time s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'note'],
      report.scenarios.flatMap((s) =>
        s.rows.map((r) => [
          r.scenario,
          r.case,
          rate(r.rate),
          r.unit ?? '',
          r.count?.toLocaleString('en-US') ?? '',
          seconds(r.durationS),
          ms(r.p50),
          ms(r.p99),
          ms(r.max),
          r.errors?.toString() ?? '',
          r.note ?? '',
        ]),
      ),
      style,
    ),
  );

  if (report.ratios.length > 0) {
    out.push(h(2, 'Ratios (same machine, same PostgreSQL, same run)'));
    out.push(
      table(
        ['ratio', 'Hookpost', 'ceiling', 'value'],
        report.ratios.map((r) => [r.name, r.numerator, r.denominator, percent(r.value)]),
        style,
      ),
    );
  }

  out.push(h(2, 'Targets of issues 5 and 14'));
  out.push(
    table(
      ['target', 'goal', 'measured', 'met'],
      report.targets.map((t) => [
        t.name,
        t.goal,
        t.measured,
        t.met === null
          ? `not judged${t.note ? ` (${t.note})` : report.mode === 'short' ? ' (short mode)' : ''}`
          : t.met
            ? 'yes'
            : 'NO',
      ]),
      style,
    ),
  );

  const memory = report.scenarios.flatMap((s) => s.memory);
  if (memory.length > 0) {
    out.push(h(2, 'Memory: peak RSS of each Hookpost process (VmHWM from /proc)'));
    out.push(
      table(
        ['during', 'process', 'role', 'RSS when ready MB', 'peak RSS MB'],
        memory.map((r) => [r.scenario, r.process, r.role, mb(r.startRssMb), mb(r.peakRssMb)]),
        style,
      ),
    );
  }

  const cpu = report.scenarios.flatMap((s) => s.cpu);
  if (cpu.length > 0) {
    out.push(h(2, 'CPU: ms per unit of work, by component (cores busy in brackets)'));
    const components = [...new Set(cpu.flatMap((c) => Object.keys(c.perUnit)))];
    const name = (component: string) => component.replace(/^.*-(api|worker|all)$/, '$1');
    const columns = [...new Set(components.map(name))];
    out.push(
      table(
        ['scenario', 'case', 'per', ...columns],
        cpu.map((c) => [
          c.scenario,
          c.case,
          c.unit,
          ...columns.map((column) => {
            const key = components.find((component) => name(component) === column && component in c.perUnit);
            return key ? `${c.perUnit[key]!.toFixed(3)} (${c.cores[key]!.toFixed(2)})` : '';
          }),
        ]),
        style,
      ),
    );
  }

  out.push(h(2, 'How each scenario ran'));
  out.push(report.scenarios.map((s) => (md ? `- **${s.name}**: ${s.setup}` : `${s.name}: ${s.setup}`)).join('\n'));

  out.push(h(2, 'Correctness checks'));
  out.push(
    table(
      ['scenario', 'check', 'ok', 'detail'],
      report.scenarios.flatMap((s) => s.checks.map((c) => [s.name, c.name, c.ok ? 'ok' : 'FAILED', c.detail])),
      style,
    ),
  );

  const notes = [
    ...report.notes,
    ...report.scenarios.flatMap((s: ScenarioResult) => s.notes.map((n) => `${s.name}: ${n}`)),
  ];
  if (notes.length > 0) {
    out.push(h(2, 'Notes'));
    out.push(notes.map((n) => (md ? `- ${n}` : `- ${n}`)).join('\n'));
  }

  if (md) {
    for (const s of report.scenarios) {
      for (const group of s.statements) {
        if (group.list.length === 0) continue;
        out.push(h(3, `Top statements — ${s.name}, ${group.case} (pg_stat_statements)`));
        out.push(
          table(
            ['share', 'calls', 'total ms', 'mean ms', 'planning ms', 'rows', 'query'],
            group.list.map((st) => [
              percent(st.share),
              st.calls.toLocaleString('en-US'),
              Math.round(st.totalMs).toLocaleString('en-US'),
              st.meanMs.toFixed(3),
              Math.round(st.planMs ?? 0).toLocaleString('en-US'),
              st.rows.toLocaleString('en-US'),
              `\`${st.query}\``,
            ]),
            style,
          ),
        );
      }
    }
  }

  const waits = report.scenarios.flatMap((s) => s.waits);
  if (waits.length > 0) {
    out.push(h(2, 'What PostgreSQL backends waited on (pg_stat_activity, sampled every 100 ms)'));
    out.push(
      table(
        ['window', 'top waits: share of active samples (average backends)'],
        waits.map((w) => [
          w.case,
          w.list
            .slice(0, md ? 6 : 4)
            .map((x) => `${x.event} ${percent(x.share)} (${x.backends.toFixed(1)})`)
            .join('; '),
        ]),
        style,
      ),
    );
  }

  const failed = report.scenarios.flatMap((s) =>
    s.checks.filter((c) => !c.ok).map((c) => `${s.name}: ${c.name} — ${c.detail}`),
  );
  out.push(h(2, report.errors.length === 0 && failed.length === 0 ? 'Verdict: every check passed' : 'Verdict: FAILED'));
  for (const line of [...report.errors, ...failed]) out.push(md ? `- ${line}` : `  ✗ ${line}`);
  return out.join('\n\n') + '\n';
}
