/** The whole run as data: written as report.json, rendered as report.md and on stdout. */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BenchOptions } from '../options.ts';
import type { ScenarioResult } from '../scenario.ts';
import type { Machine } from '../support/machine.ts';
import { render } from './render.ts';
import { ratios, targets, type Ratio, type Target } from './targets.ts';

export interface Report {
  mode: BenchOptions['mode'];
  startedAt: string;
  finishedAt: string;
  commit: string;
  options: BenchOptions;
  machine: Machine;
  /** Other work on the machine shows here: the bench alone keeps it near 2 on 2 cores. */
  loadAverageAtEnd: number[];
  database: { kind: string; version: string; settings: Record<string, string> };
  hookpost: { command: string; settings: string };
  tools: { autocannon: string };
  scenarios: ScenarioResult[];
  ratios: Ratio[];
  targets: Target[];
  notes: string[];
  /** Scenarios that could not finish. */
  errors: string[];
  ok: boolean;
}

export function buildReport(fields: Omit<Report, 'ratios' | 'targets' | 'ok'>): Report {
  const checksOk = fields.scenarios.every((s) => s.checks.every((c) => c.ok));
  return {
    ...fields,
    ratios: ratios(fields.scenarios),
    targets: targets(fields.scenarios, fields.options),
    ok: checksOk && fields.errors.length === 0,
  };
}

export async function writeReport(report: Report, dir: string): Promise<void> {
  await fs.writeFile(path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await fs.writeFile(path.join(dir, 'report.md'), render(report, 'markdown'));
}
