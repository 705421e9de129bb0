/**
 * Starts a real Hookpost (HTTP on port 0 and/or the worker) on a test database, and a
 * small client for its REST API. Settings are the product's defaults except where a
 * test needs otherwise: loopback receivers are allowed, logs are quiet.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../server/config.ts';
import { startHookpost, type Hookpost } from '../../server/hookpost.ts';
import { createLogger, type Logger } from '../../server/logger.ts';
import { track } from './running.ts';

export const TEST_ADMIN_TOKEN = `hpt_test_admin_${'x'.repeat(24)}`;
export const TEST_ENCRYPTION_KEY = randomBytes(32).toString('base64');

export interface TestHookpost extends Hookpost {
  baseUrl: string;
  /** fetch() against the API, with the admin token unless `token: null`. */
  api(pathname: string, init?: RequestInit & { json?: unknown; token?: string | null }): Promise<Response>;
}

export async function testConfig(databaseUrl: string, overrides: Partial<Config> = {}): Promise<Config> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-test-data-'));
  return loadConfig(
    {},
    {
      databaseUrl,
      port: 0,
      opsPort: 0,
      dataDir,
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
      logPretty: false,
      adminToken: TEST_ADMIN_TOKEN,
      encryptionKey: TEST_ENCRYPTION_KEY,
      allowedTargets: ['127.0.0.0/8', '::1'],
      workerConcurrency: 8,
      dbPoolSize: 8,
      ...overrides,
    },
  );
}

export async function startTestHookpost(
  databaseUrl: string,
  overrides: Partial<Config> = {},
  options: { logger?: Logger } = {},
): Promise<TestHookpost> {
  const config = await testConfig(databaseUrl, overrides);
  const hookpost = await startHookpost(
    config,
    options.logger ?? createLogger({ level: config.logLevel, pretty: false }),
  );
  const baseUrl = hookpost.url ?? '';
  const testHookpost: TestHookpost = {
    ...hookpost,
    baseUrl,
    api(pathname, init = {}) {
      const { json, token = TEST_ADMIN_TOKEN, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${baseUrl}${pathname}`, {
        ...rest,
        headers,
        body: json !== undefined ? JSON.stringify(json) : rest.body,
      });
    },
    async stop() {
      stopped();
      await hookpost.stop();
      await fs.rm(config.dataDir, { recursive: true, force: true });
    },
  };
  const stopped = track({
    what: `Hookpost (role ${config.role}${hookpost.url ? ` at ${hookpost.url}` : ''})`,
    stop: () => testHookpost.stop(),
  });
  return testHookpost;
}

export interface CreatedMailbox {
  id: string;
  api_key: string;
  endpoint_id: string | null;
  signing_secret: string | null;
}

export async function createMailbox(hookpost: TestHookpost, body: Record<string, unknown>): Promise<CreatedMailbox> {
  const response = await hookpost.api('/api/mailboxes', { method: 'POST', json: body });
  if (response.status !== 201)
    throw new Error(`Creating a mailbox answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as CreatedMailbox;
}

export async function sendEvent(
  hookpost: TestHookpost,
  mailbox: Pick<CreatedMailbox, 'id' | 'api_key'>,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return fetch(`${hookpost.baseUrl}/webhooks/${mailbox.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': mailbox.api_key, ...headers },
    body: Buffer.isBuffer(body) ? new Uint8Array(body) : typeof body === 'string' ? body : JSON.stringify(body),
  });
}
