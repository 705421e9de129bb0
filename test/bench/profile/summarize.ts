/**
 * Reads the CPU profiles that `--profile` makes (node --cpu-prof, one folder per process,
 * of which the main thread's profile is read) and says where each Hookpost process spent
 * its time: self time by area (a package, a Hookpost folder,
 * Node internals, garbage collection, idle), the top functions by self time, and the
 * inclusive time of Hookpost's own functions. Writes profiles/summary.md.
 *
 *   node --import tsx test/bench/profile/summarize.ts bench-results/<run>/profiles
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { table } from '../report/format.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(server\/[^/]+)\//.exec(url);
  if (own) return `hookpost ${own[1]}`;
  return path.basename(url);
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url.replace(/^.*\/(node_modules\/|server\/)/, '$1').replace(/^file:\/\//, '')}:${lineNumber + 1}`
    : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
}

export function summarizeProfile(profile: CpuProfile): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const idle = [...self]
    .filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)')
    .reduce((s, [, t]) => s + t, 0);
  const busy = total - idle;

  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, time] of self) {
    const node = byId.get(id)!;
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + time);
    if (area !== '(idle)') functions.set(frameName(node), (functions.get(frameName(node)) ?? 0) + time);
    // Inclusive time of Hookpost's own functions: every distinct one on the stack.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!;
      if (!frame.callFrame.url.includes('/server/')) continue;
      const name = frameName(frame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + time);
    }
  }
  const pct = (t: number, of: number) => `${((t / of) * 100).toFixed(1)} %`;
  const top = (map: Map<string, number>, n: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
  return [
    `Profiled ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${pct(busy, total)}).`,
    '',
    'Self time by area (share of busy time):',
    '',
    table(
      ['area', 'ms', 'share'],
      top(areas, 20)
        .filter(([a]) => a !== '(idle)')
        .map(([a, t]) => [a, (t / 1000).toFixed(0), pct(t, busy)]),
      'markdown',
    ),
    '',
    'Top functions by self time:',
    '',
    table(
      ['function', 'ms', 'share'],
      top(functions, 25).map(([f, t]) => [`\`${f}\``, (t / 1000).toFixed(0), pct(t, busy)]),
      'markdown',
    ),
    '',
    "Hookpost's functions by inclusive time:",
    '',
    table(
      ['function', 'ms', 'share'],
      top(inclusive, 20).map(([f, t]) => [`\`${f}\``, (t / 1000).toFixed(0), pct(t, busy)]),
      'markdown',
    ),
  ].join('\n');
}

/** Node names profiles CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; the main thread is 0. */
const MAIN_THREAD = /\.\d+\.0\.\d+\.cpuprofile$/;

export async function summarizeProfiles(dir: string): Promise<void> {
  const sections: string[] = ['# CPU profiles of the Hookpost processes (main threads)', ''];
  const folders = (await fs.readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const folder of folders) {
    const files = (await fs.readdir(path.join(dir, folder))).filter((f) => MAIN_THREAD.test(f));
    for (const file of files) {
      const profile = JSON.parse(await fs.readFile(path.join(dir, folder, file), 'utf8')) as CpuProfile;
      sections.push(`## ${folder}`, '', summarizeProfile(profile), '');
    }
  }
  await fs.writeFile(path.join(dir, 'summary.md'), sections.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await summarizeProfiles(process.argv[2] ?? '.');
  console.log(`Wrote ${path.join(process.argv[2] ?? '.', 'summary.md')}`);
}
