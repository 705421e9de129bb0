/**
 * What each process costs, read from /proc: CPU time (to turn throughput into CPU ms per
 * event for each component) and resident memory (VmRSS now, VmHWM = the kernel's own
 * peak, so no sample can miss a spike). Linux only; elsewhere the figures are absent.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

interface Stat {
  ppid: number;
  /** Own user + system CPU, ms. */
  cpuMs: number;
  /** CPU of reaped children (exited PostgreSQL backends count here), ms. */
  childrenCpuMs: number;
}

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces, start at field 3 (state).
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const tick = (index: number) => (Number(fields[index]) * 1000) / ticksPerSecond;
    return { ppid: Number(fields[1]), cpuMs: tick(11) + tick(12), childrenCpuMs: tick(13) + tick(14) };
  } catch {
    return null;
  }
}

/** CPU ms used so far by one process (all its threads). */
export function processCpuMs(pid: number): number | null {
  return readStat(pid)?.cpuMs ?? null;
}

/** CPU ms used so far by a PostgreSQL server: the postmaster, its live children, and those that exited. */
export function postgresCpuMs(postmasterPid: number): number | null {
  const postmaster = readStat(postmasterPid);
  if (!postmaster) return null;
  let total = postmaster.cpuMs + postmaster.childrenCpuMs;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === postmasterPid) continue;
    const stat = readStat(pid);
    if (stat && stat.ppid === postmasterPid) total += stat.cpuMs;
  }
  return total;
}

export interface Memory {
  rssMb: number;
  /** Peak resident set since the process started. */
  peakRssMb: number;
}

export function processMemory(pid: number): Memory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}
