/**
 * A real Hookpost process serving the built dashboard, as `npm start` does, on a fixed
 * port so a test can stop it and start another in its place (the browser's live
 * connection then drops and comes back).
 */
import { ensureDashboardBuilt } from '../../web/scripts/ensureBuilt.ts';
import { freePort } from './ports.ts';
import { spawnHookpost, type HookpostProcess } from './process.ts';

export interface DashboardServer {
  baseUrl: string;
  process: HookpostProcess;
  /** Stops the process (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts a new process on the same port and database. */
  restart(): Promise<void>;
}

/** `env`: settings for the process beside its port and log level (a slow replay rate, say). */
export async function startDashboardServer(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<DashboardServer> {
  ensureDashboardBuilt(() => {});
  const port = await freePort();
  const spawn = async () => {
    const child = await spawnHookpost({
      databaseUrl,
      role: 'all',
      env: { ...env, PORT: String(port), LOG_LEVEL: 'info' },
    });
    await child.waitForLog(/is listening on/);
    return child;
  };
  const server: DashboardServer = {
    baseUrl: `http://127.0.0.1:${port}`,
    process: await spawn(),
    async stop() {
      server.process.kill('SIGTERM');
      await server.process.exited;
    },
    async restart() {
      server.process = await spawn();
    },
  };
  return server;
}
