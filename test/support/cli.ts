/**
 * The `hookpost` CLI as users run it: `node clients/typescript/bin/hookpost.js` (what
 * `npx hookpost` runs), a real process with its own settings file, talking to a real
 * Hookpost. `runCli` waits for a command to finish; `startCli` keeps a long-running one
 * (`events --follow`, `listen`) and collects its lines until it is stopped with Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const cliBin = path.resolve(import.meta.dirname, '../../clients/typescript/bin/hookpost.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnCli(args: string[], env: Record<string, string>, stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  return spawn(process.execPath, [cliBin, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: [stdin, 'pipe', 'pipe'],
  });
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** The JSON a `--json` command printed; fails with what it said otherwise. */
export async function runCliJson<T = any>(args: string[], env: Record<string, string>): Promise<T> {
  const run = await runCli([...args, '--json'], env);
  if (run.code !== 0) throw new Error(`hookpost ${args.join(' ')} exited ${run.code}: ${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout) as T;
}

export interface RunningCli {
  /** Lines printed so far on stdout and on stderr. */
  stdout: string[];
  stderr: string[];
  /** Resolves with the first stdout or stderr line matching, waiting for it if need be. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Types a line (with `input: true`). */
  type(line: string): void;
  /** Ctrl-C, then the exit code. */
  stop(): Promise<number | null>;
  /** Ctrl-C, without waiting for the command to exit. */
  interrupt(): void;
  /** The exit code, once it exits by itself. */
  exited: Promise<number | null>;
}

export function startCli(args: string[], env: Record<string, string>, options: { input?: boolean } = {}): RunningCli {
  const child = spawnCli(args, env, options.input ? 'pipe' : 'ignore');
  // A line typed just as it exits fails with EPIPE: it goes nowhere, as in a terminal.
  child.stdin?.on('error', () => undefined);
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const waiters = new Set<() => void>();
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      for (const wake of waiters) wake();
      resolve(code);
    }),
  );
  for (const stream of ['stdout', 'stderr'] as const) {
    let pending = '';
    child[stream]!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const complete = pending.split('\n');
      pending = complete.pop()!;
      lines[stream].push(...complete);
      for (const wake of waiters) wake();
    });
  }
  return {
    ...lines,
    waitForLine(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = [...lines.stdout, ...lines.stderr].find((line) => pattern.test(line));
          if (found !== undefined) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          } else if (child.exitCode !== null) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(
              new Error(
                `hookpost ${args.join(' ')} exited ${child.exitCode} before printing ${pattern}:\n${[...lines.stdout, ...lines.stderr].join('\n')}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `hookpost ${args.join(' ')} printed nothing matching ${pattern} within ${timeoutMs} ms:\n${[...lines.stdout, ...lines.stderr].join('\n')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    type(line) {
      // Typed after it exited (and closed its stdin), a line goes nowhere, as in a terminal.
      if (child.exitCode === null && child.stdin!.writable) child.stdin!.write(`${line}\n`);
    },
    interrupt() {
      if (child.exitCode === null) child.kill('SIGINT');
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
    exited,
  };
}
