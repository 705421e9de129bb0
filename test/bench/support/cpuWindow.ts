/**
 * CPU spent by each component over one measured window, divided by the work done:
 * "CPU ms per event" for the api, PostgreSQL, the worker, the receiver and the load
 * generator. On a 2-core machine where everything shares the cores, this says who
 * spends them.
 */
import { postgresCpuMs } from './procStats.ts';

export interface CpuRow {
  scenario: string;
  case: string;
  unit: string;
  /** CPU ms per unit, by component. */
  perUnit: Record<string, number>;
  /** Share of the machine's cores busy during the window, by component (1 = one core). */
  cores: Record<string, number>;
}

export interface CpuSource {
  name: string;
  read(): number | null;
}

export function cpuSources(options: {
  postmasterPid: number | null;
  processes: { label: string; cpuMs(): number | null }[];
  receiver?: { cpuMs(): number | null };
  /** The bench process itself, where autocannon runs; off when it only waits. */
  loadGenerator?: boolean;
}): CpuSource[] {
  const sources: CpuSource[] = [];
  if (options.postmasterPid) {
    const pid = options.postmasterPid;
    sources.push({ name: 'postgres', read: () => postgresCpuMs(pid) });
  }
  for (const p of options.processes) sources.push({ name: p.label, read: () => p.cpuMs() });
  if (options.receiver) {
    const receiver = options.receiver;
    sources.push({ name: 'receiver', read: () => receiver.cpuMs() });
  }
  if (options.loadGenerator === false) return sources;
  sources.push({
    name: 'load generator',
    read: () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1000;
    },
  });
  return sources;
}

export function startCpuWindow(sources: CpuSource[]) {
  const started = performance.now();
  const before = sources.map((s) => s.read());
  return {
    end(scenario: string, caseName: string, unit: string, units: number): CpuRow {
      const elapsedMs = performance.now() - started;
      const perUnit: Record<string, number> = {};
      const cores: Record<string, number> = {};
      sources.forEach((source, i) => {
        const after = source.read();
        const start = before[i];
        if (after === null || start === null || start === undefined) return;
        perUnit[source.name] = units > 0 ? (after - start) / units : NaN;
        cores[source.name] = (after - start) / elapsedMs;
      });
      return { scenario, case: caseName, unit, perUnit, cores };
    },
  };
}
