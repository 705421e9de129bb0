/** The machine the figures come from, printed with them: they mean little without it. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  cpus: number;
  cpuModel: string;
  ramGb: number;
  os: string;
  node: string;
  loadAverage: number[];
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  let model = cpus[0]?.model ?? 'unknown';
  try {
    // Virtual machines often report a bare family name in os.cpus(); /proc/cpuinfo may say more.
    const fromProc = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
    if (fromProc && fromProc.length > model.length) model = fromProc;
  } catch {
    // not Linux
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel: model.trim(),
    ramGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
