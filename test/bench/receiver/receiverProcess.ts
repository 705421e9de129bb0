/** Starts the receiver program (server.ts) as a child process and drives it over HTTP. */
import { fork } from 'node:child_process';
import { onCleanup } from '../support/cleanup.ts';
import { processCpuMs } from '../support/procStats.ts';

export interface ReceivedDelivery {
  id: string;
  /** Arrival at the receiver, epoch ms. */
  at: number;
}

export interface Receiver {
  url: string;
  pid: number;
  /** The URL an endpoint should have so its deliveries are counted under `tag`. */
  endpointUrl(tag: string, index?: number): string;
  /** The status every delivery is answered with from now on (200 by default). */
  setStatus(status: number): Promise<void>;
  /** The status `tag`'s deliveries are answered with from now on, whatever setStatus says. */
  setTagStatus(tag: string, status: number): Promise<void>;
  /** `tag`'s deliveries are never answered from now on: the receiver holds each request open. */
  tarpit(tag: string): Promise<void>;
  /** `held`: requests a tarpit took and never answered. */
  stats(tag: string): Promise<{ delivered: number; refused: number; held: number }>;
  deliveries(tag: string): Promise<ReceivedDelivery[]>;
  cpuMs(): number | null;
}

export async function startReceiver(): Promise<Receiver> {
  const child = fork(new URL('./server.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  onCleanup('stop the receiver', () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`The receiver exited with code ${code} while starting.`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const control = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${url}/_control/${path}`, init);
    if (!response.ok) throw new Error(`Receiver control ${path} answered ${response.status}.`);
    return response;
  };

  return {
    url,
    pid: child.pid!,
    endpointUrl: (tag, index = 0) => `${url}/hooks/${tag}/${index}`,
    async setStatus(status) {
      await control(`status/${status}`, { method: 'POST' });
    },
    async setTagStatus(tag, status) {
      await control(`status/${status}/${tag}`, { method: 'POST' });
    },
    async tarpit(tag) {
      await control(`tarpit/${tag}`, { method: 'POST' });
    },
    async stats(tag) {
      return (await control(`stats/${tag}`)).json() as Promise<{ delivered: number; refused: number; held: number }>;
    },
    async deliveries(tag) {
      const text = await (await control(`deliveries/${tag}`)).text();
      if (!text) return [];
      return text.split('\n').map((line) => {
        const [id, at] = line.split(' ');
        return { id: id!, at: Number(at) };
      });
    },
    cpuMs: () => processCpuMs(child.pid!),
  };
}
