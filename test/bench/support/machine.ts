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
  /** Linux only: when the kernel starts writing dirty pages in the background. */
  writeback: KernelWriteback | null;
}

/**
 * The kernel's background writeback: it starts once `thresholdMb` of the page cache is
 * dirty, and otherwise writes pages once they are `expireS` old. A threshold far above
 * what the database dirties in `expireS` means every write of that time goes to disk in
 * one burst, and a commit's WAL flush waits behind it (docs/performance-history.md, run M).
 */
export interface KernelWriteback {
  thresholdMb: number;
  setBy: string;
  expireS: number;
}

/** Above this, the bench says the machine writes in bursts (PostgreSQL's own guidance is tens of MB). */
export const BURSTY_WRITEBACK_MB = 256;

export function kernelWriteback(
  vm: { backgroundBytes: number; backgroundRatio: number; expireCentisecs: number },
  memAvailableKb: number,
): KernelWriteback {
  const expireS = vm.expireCentisecs / 100;
  if (vm.backgroundBytes > 0)
    return {
      thresholdMb: vm.backgroundBytes / 2 ** 20,
      setBy: `vm.dirty_background_bytes = ${vm.backgroundBytes}`,
      expireS,
    };
  // The ratio applies to memory the kernel could use for the page cache, about MemAvailable.
  return {
    thresholdMb: (memAvailableKb / 1024) * (vm.backgroundRatio / 100),
    setBy: `vm.dirty_background_ratio = ${vm.backgroundRatio} %`,
    expireS,
  };
}

/** What the report says about a machine whose kernel writes in bursts; null when it does not. */
export function writebackNote(writeback: KernelWriteback | null): string | null {
  if (!writeback || writeback.thresholdMb <= BURSTY_WRITEBACK_MB) return null;
  return (
    `The kernel starts writing dirty pages only at ${Math.round(writeback.thresholdMb).toLocaleString('en-US')} MB (${writeback.setBy}), else when they are ${writeback.expireS} s old: ` +
    `the pages PostgreSQL adds to its tables (~5 MB/s at 2,000 events/s) then reach the disk in one burst every ${writeback.expireS} s, and commits queue behind it for 60-140 ms (docs/performance-history.md, run M). ` +
    'With vm.dirty_background_bytes = 16777216 the kernel writes continuously; the bench does not change it.'
  );
}

function readWriteback(): KernelWriteback | null {
  try {
    const vm = (name: string) => Number(readFileSync(`/proc/sys/vm/${name}`, 'utf8').trim());
    const memAvailableKb = Number(/^MemAvailable:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    return kernelWriteback(
      {
        backgroundBytes: vm('dirty_background_bytes'),
        backgroundRatio: vm('dirty_background_ratio'),
        expireCentisecs: vm('dirty_expire_centisecs'),
      },
      memAvailableKb,
    );
  } catch {
    return null; // not Linux
  }
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
    writeback: readWriteback(),
  };
}
