/**
 * clients/openapi.json is the REST API's committed contract, printed from the routes
 * (`npm run openapi`) and the source of the generated clients. These tests fail when
 * the code and the file drift apart, when a running Hookpost serves anything else, and
 * when Redocly's lint (recommended rules, examples checked: clients/redocly.yaml) finds
 * a single error or warning in what it serves: a new route without an operationId,
 * a response, a summary or security fails here.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { useHookpost } from './support/hooks.ts';
import { fromRoot } from '../server/projectRoot.ts';
import { openApiFile, printedOpenApi } from '../server/http/printOpenApi.ts';

const { hookpost } = useHookpost({ role: 'api' });

interface Operation {
  operationId?: string;
  parameters?: { name: string; in: string }[];
  responses: Record<string, { headers?: Record<string, unknown> }>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  webhooks: Record<string, Record<string, Operation>>;
};

const served = async () => (await fetch(`${hookpost.baseUrl}/openapi.json`)).text();
const operations = (document: Document) => Object.values(document.paths).flatMap((item) => Object.values(item));

describe('the OpenAPI contract', () => {
  test('clients/openapi.json is what the code prints (run `npm run openapi` after changing a route)', async () => {
    expect(await fs.readFile(openApiFile, 'utf8')).toBe(await printedOpenApi());
  });

  test('a running Hookpost serves exactly the committed document', async () => {
    expect(JSON.parse(await served())).toEqual(JSON.parse(await fs.readFile(openApiFile, 'utf8')));
  });

  test('Redocly lint passes on the served document with no error and no warning', async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-openapi-'));
    try {
      const file = path.join(folder, 'openapi.json');
      await fs.writeFile(file, await served());
      const lint = spawnSync(
        process.execPath,
        [
          fromRoot('node_modules', '@redocly', 'cli', 'bin', 'cli.js'),
          'lint',
          file,
          '--config',
          fromRoot('clients', 'redocly.yaml'),
          '--format=json',
        ],
        { encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
      );
      const report = JSON.parse(lint.stdout) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
      };
      const problems = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
      expect(problems).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
      expect(lint.status).toBe(0);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });

  test('every paginated list documents where its next page is (Link, x-next-cursor)', async () => {
    const document = JSON.parse(await served()) as Document;
    const lists = operations(document).filter((op) =>
      op.parameters?.some((p) => p.in === 'query' && p.name === 'cursor'),
    );
    expect(lists.map((op) => op.operationId).sort()).toEqual(
      expect.arrayContaining(['listEndpoints', 'listEvents', 'listMailboxes']),
    );
    for (const list of lists)
      expect(Object.keys(list.responses['200']?.headers ?? {}), list.operationId).toEqual(['link', 'x-next-cursor']);
  });

  test('signing out refuses a body it cannot read, as its operation documents', async () => {
    const response = await fetch(`${hookpost.baseUrl}/api/session`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/xml' },
      body: '<session/>',
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
  });

  test('the ingest answer says where the event is, and receivers find their signed request under webhooks', async () => {
    const document = JSON.parse(await served()) as Document;
    const ingest = document.paths['/webhooks/{mailboxId}']!.post!;
    expect(Object.keys(ingest.responses['202']?.headers ?? {})).toEqual(['location', 'idempotent-replayed']);
    const received = document.webhooks.event!.post!;
    expect(received.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['webhook-id', 'webhook-timestamp', 'webhook-signature']),
    );
  });
});
