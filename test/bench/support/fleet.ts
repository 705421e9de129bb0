/**
 * Hookpost with both halves running, as the end-to-end and retry-storm scenarios need:
 * an api process and a worker process (`split`, the default), or one all-in-one
 * process (`--topology all`).
 */
import type { BenchContext } from '../scenario.ts';
import type { HookpostProcess } from './hookpostProcess.ts';

export interface Fleet {
  apiUrl: string;
  processes: HookpostProcess[];
  describe: string;
  stop(): Promise<void>;
}

export async function startFleet(ctx: BenchContext, label: string): Promise<Fleet> {
  if (ctx.options.topology === 'all') {
    const all = await ctx.startHookpost('all', `${label}-all`);
    return {
      apiUrl: all.url!,
      processes: [all],
      describe: 'one all-in-one process (--role all)',
      stop: () => all.stop(),
    };
  }
  const api = await ctx.startHookpost('api', `${label}-api`);
  try {
    const worker = await ctx.startHookpost('worker', `${label}-worker`);
    return {
      apiUrl: api.url!,
      processes: [api, worker],
      describe: 'an api process (--role api) and a worker process (--role worker)',
      stop: async () => {
        await worker.stop();
        await api.stop();
      },
    };
  } catch (error) {
    await api.stop();
    throw error;
  }
}
