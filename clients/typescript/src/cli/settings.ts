/**
 * Where the CLI finds Hookpost and its access token: a flag, else the environment
 * (HOOKPOST_URL, HOOKPOST_TOKEN), else what `hookpost login` saved in the settings file
 * (HOOKPOST_CONFIG, else $XDG_CONFIG_HOME/hookpost/config.json or
 * ~/.config/hookpost/config.json, readable by its owner only).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const DEFAULT_URL = 'http://127.0.0.1:8000';

export interface SavedSettings {
  url?: string;
  token?: string;
}

export function settingsFile(env: NodeJS.ProcessEnv): string {
  if (env.HOOKPOST_CONFIG) return env.HOOKPOST_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'hookpost', 'config.json');
}

export async function readSettings(env: NodeJS.ProcessEnv): Promise<SavedSettings> {
  try {
    return JSON.parse(await fs.readFile(settingsFile(env), 'utf8')) as SavedSettings;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

export async function saveSettings(env: NodeJS.ProcessEnv, settings: SavedSettings): Promise<string> {
  const file = settingsFile(env);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // The token is a credential: the file is its owner's only.
  await fs.writeFile(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  await fs.chmod(file, 0o600);
  return file;
}

export async function forgetSettings(env: NodeJS.ProcessEnv): Promise<string> {
  const file = settingsFile(env);
  await fs.rm(file, { force: true });
  return file;
}

export interface Connection {
  url: string;
  token: string | undefined;
}

export async function resolveConnection(
  flags: { url?: string; token?: string },
  env: NodeJS.ProcessEnv,
): Promise<Connection> {
  const saved = await readSettings(env);
  return {
    url: (flags.url ?? env.HOOKPOST_URL ?? saved.url ?? DEFAULT_URL).replace(/\/+$/, ''),
    token: flags.token ?? env.HOOKPOST_TOKEN ?? saved.token,
  };
}
