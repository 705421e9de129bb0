/**
 * What a scenario is given and what it hands back. Rows become the table; checks decide
 * the exit code; memory, CPU and statements explain where the time and memory went.
 */
import type { BenchOptions } from './options.ts';
import type { Receiver } from './receiver/receiverProcess.ts';
import type { Check } from './support/checks.ts';
import type { CpuRow } from './support/cpuWindow.ts';
import type { BenchDatabase } from './support/database.ts';
import type { HookpostProcess, HookpostSettings, Role } from './support/hookpostProcess.ts';
import type { Statement } from './support/pgStatements.ts';
import type { WaitShare } from './support/waitEvents.ts';

export interface BenchContext {
  options: BenchOptions;
  db: BenchDatabase;
  receiver: Receiver;
  resultsDir: string;
  hookpost: HookpostSettings;
  startHookpost(role: Role, label: string): Promise<HookpostProcess>;
  /** Progress for the person watching (stderr), not part of the results. */
  log(message: string): void;
}

export interface Row {
  scenario: string;
  case: string;
  /** A stable name the ratios and targets look rows up by. */
  key?: string;
  rate?: number;
  unit?: string;
  count?: number;
  durationS?: number;
  p50?: number;
  p99?: number;
  max?: number;
  errors?: number;
  /** Ingest: the same requests as Hookpost timed them (its /metrics histogram, interpolated). */
  serverP50?: number;
  serverP99?: number;
  note?: string;
}

export interface MemoryRow {
  scenario: string;
  process: string;
  role: string;
  startRssMb: number | null;
  peakRssMb: number | null;
}

export interface ScenarioResult {
  name: string;
  /** How Hookpost ran for this scenario, said in the output. */
  setup: string;
  rows: Row[];
  checks: Check[];
  memory: MemoryRow[];
  cpu: CpuRow[];
  statements: { case: string; list: Statement[] }[];
  /** What the database's backends waited on during the measured windows. */
  waits: { case: string; list: WaitShare[] }[];
  notes: string[];
}

export function emptyResult(name: string, setup: string): ScenarioResult {
  return { name, setup, rows: [], checks: [], memory: [], cpu: [], statements: [], waits: [], notes: [] };
}

export function memoryOf(scenario: string, processes: HookpostProcess[]): MemoryRow[] {
  return processes.map((p) => ({
    scenario,
    process: p.label,
    role: p.role,
    startRssMb: p.startRssMb,
    peakRssMb: p.peakRssMb(),
  }));
}
