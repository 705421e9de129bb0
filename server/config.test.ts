import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const key = randomBytes(32).toString('base64');
const folder = mkdtempSync(path.join(os.tmpdir(), 'hookpost-config-test-'));
function secretFile(name: string, content: string): string {
  const file = path.join(folder, name);
  writeFileSync(file, content);
  return file;
}

/** The problems loadConfig reports for this environment (none when it accepts it). */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('loadConfig', () => {
  test('reports every problem together, each naming its variable, and never echoes a secret', () => {
    const reported = problems({
      DATABASE_URL: 'mysql://hookpost:s3cret-password@db:3306/hookpost',
      HOOKPOST_ENCRYPTION_KEY: 'c2hvcnQta2V5', // 9 bytes
      HOOKPOST_ALLOWED_TARGETS: '127.0.0.1, 10.0.0.0/33',
      HTTPS_PROXY: 'socks5://proxy:1080',
      PORT: 'eighty',
    });
    expect(reported).toEqual([
      'PORT: Invalid input: expected number, received NaN',
      'DATABASE_URL: must be a PostgreSQL URL (postgres://user:password@host:5432/database), not mysql://…',
      'HOOKPOST_ENCRYPTION_KEY: must be 32 bytes in base64 (openssl rand -base64 32)',
      'HOOKPOST_ALLOWED_TARGETS: "10.0.0.0/33" is not a valid CIDR range',
      'HTTPS_PROXY: must be an http:// or https:// URL of the proxy',
    ]);
    expect(reported.join('\n')).not.toContain('s3cret-password');
    expect(reported.join('\n')).not.toContain('c2hvcnQta2V5');
  });

  test('accepts postgres:// and postgresql:// URLs, and starts embedded without one', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/hookpost' }).databaseUrl).toBe(
      'postgres://u:p@db:5432/hookpost',
    );
    expect(loadConfig({ DATABASE_URL: 'postgresql:///hookpost?host=/run/postgresql' }).databaseUrl).toBe(
      'postgresql:///hookpost?host=/run/postgresql',
    );
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(problems({ DATABASE_URL: 'db.internal:5432' })).toEqual([
      'DATABASE_URL: must be a PostgreSQL URL (postgres://user:password@host:5432/database), not db.internal://…',
    ]);
    expect(problems({ DATABASE_URL: 'not a url' })).toEqual([
      'DATABASE_URL: must be a PostgreSQL URL (postgres://user:password@host:5432/database)',
    ]);
  });

  test('the encryption key must be 32 bytes of base64', () => {
    expect(loadConfig({ HOOKPOST_ENCRYPTION_KEY: key }).encryptionKey).toBe(key);
    const longer = randomBytes(33).toString('base64');
    expect(problems({ HOOKPOST_ENCRYPTION_KEY: longer })).toHaveLength(1);
    expect(problems({ HOOKPOST_ENCRYPTION_KEY: `${key.slice(0, -4)}!!!=` })).toHaveLength(1);
  });

  test('the allow-list takes host names, addresses, CIDR ranges and *, and names each bad entry', () => {
    const entries = 'localhost, receiver_1.internal, 127.0.0.1, ::1, 10.0.0.0/8, fd00::/8, *';
    expect(loadConfig({ HOOKPOST_ALLOWED_TARGETS: entries }).allowedTargets).toEqual([
      'localhost',
      'receiver_1.internal',
      '127.0.0.1',
      '::1',
      '10.0.0.0/8',
      'fd00::/8',
      '*',
    ]);
    expect(problems({ HOOKPOST_ALLOWED_TARGETS: '192.168.0.0/16 10.0.0.0/8, http://receiver' })).toEqual([
      'HOOKPOST_ALLOWED_TARGETS: "192.168.0.0/16 10.0.0.0/8" is not a valid CIDR range',
      'HOOKPOST_ALLOWED_TARGETS: "http://receiver" is not a valid CIDR range',
    ]);
    expect(problems({ HOOKPOST_ALLOWED_TARGETS: 'receiver:9000' })).toEqual([
      'HOOKPOST_ALLOWED_TARGETS: "receiver:9000" is neither a host name, an IP address, a CIDR range nor *',
    ]);
  });

  test('secrets are read from <NAME>_FILE, trimmed of the trailing newline', () => {
    const token = `hpt_${'t'.repeat(30)}`;
    const config = loadConfig({
      DATABASE_URL_FILE: secretFile('database-url', 'postgres://u:p@db/hookpost\n'),
      HOOKPOST_ENCRYPTION_KEY_FILE: secretFile('encryption-key', `${key}\n`),
      HOOKPOST_ADMIN_TOKEN_FILE: secretFile('admin-token', token),
    });
    expect(config.databaseUrl).toBe('postgres://u:p@db/hookpost');
    expect(config.encryptionKey).toBe(key);
    expect(config.adminToken).toBe(token);
  });

  test('a missing or bad secret file is reported against its variable', () => {
    const missing = path.join(folder, 'missing');
    expect(
      problems({
        DATABASE_URL_FILE: missing,
        HOOKPOST_ENCRYPTION_KEY_FILE: secretFile('short-key', 'c2hvcnQ=\n'),
        HOOKPOST_ADMIN_TOKEN: `hpt_${'a'.repeat(30)}`,
        HOOKPOST_ADMIN_TOKEN_FILE: secretFile('token', `hpt_${'b'.repeat(30)}`),
      }),
    ).toEqual([
      `DATABASE_URL_FILE: cannot read ${missing} (ENOENT)`,
      'HOOKPOST_ADMIN_TOKEN and HOOKPOST_ADMIN_TOKEN_FILE are both set; set one.',
      'HOOKPOST_ENCRYPTION_KEY (from HOOKPOST_ENCRYPTION_KEY_FILE): must be 32 bytes in base64 (openssl rand -base64 32)',
    ]);
  });

  test('an empty variable counts as unset', () => {
    const config = loadConfig({
      HOOKPOST_ENCRYPTION_KEY: '',
      HOOKPOST_ALLOWED_TARGETS: '',
      LOG_LEVEL: '',
      DATABASE_URL: '',
    });
    expect(config.encryptionKey).toBeUndefined();
    expect(config.allowedTargets).toEqual([]);
    expect(config.logLevel).toBe('info');
    expect(config.databaseUrl).toBeUndefined();
  });

  test('the egress proxy comes from the usual variables, the lower-case spelling first', () => {
    expect(loadConfig({}).egressProxy).toEqual({ httpProxy: undefined, httpsProxy: undefined, noProxy: '' });
    expect(
      loadConfig({
        HTTP_PROXY: 'http://upper:3128',
        http_proxy: 'http://lower:3128',
        HTTPS_PROXY: 'http://proxy.internal:3128',
        NO_PROXY: '.internal,10.1.2.3',
      }).egressProxy,
    ).toEqual({
      httpProxy: 'http://lower:3128',
      httpsProxy: 'http://proxy.internal:3128',
      noProxy: '.internal,10.1.2.3',
    });
    // Without a scheme, as curl reads it.
    expect(loadConfig({ HTTPS_PROXY: 'proxy.internal:3128' }).egressProxy.httpsProxy).toBe(
      'http://proxy.internal:3128',
    );
  });
});

describe('tracing settings', () => {
  test('off unless an OTLP endpoint or OTEL_TRACES_EXPORTER=otlp asks for it', () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_SERVICE_NAME: 'hooks' }).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).tracing).toBe(
      undefined,
    );
    expect(loadConfig({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).tracing).toBe(
      undefined,
    );
  });

  test('OTEL_SDK_DISABLED is read as the OpenTelemetry spec says: "true" in any case disables, anything else does not', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    for (const disabled of ['true', 'True', 'TRUE', ' true '])
      expect(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: disabled }).tracing).toBeUndefined();
    for (const enabled of ['false', 'False', '1', '0', 'yes', ''])
      expect(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: enabled }).tracing?.url).toBe('http://c:4318/v1/traces');
  });

  test('an OTLP endpoint turns it on', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toEqual({
      url: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      serviceName: 'hookpost',
      sendTraceparent: false,
    });
    expect(loadConfig({ OTEL_TRACES_EXPORTER: 'otlp' }).tracing?.url).toBe('http://localhost:4318/v1/traces');
  });

  test('the traces endpoint is used as it is, and the protocol and service name are read', () => {
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example.com/otlp/traces',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'hookpost-eu',
        HOOKPOST_SEND_TRACEPARENT: 'true',
      }).tracing,
    ).toEqual({
      url: 'https://collector.example.com/otlp/traces',
      protocol: 'http/json',
      serviceName: 'hookpost-eu',
      sendTraceparent: true,
    });
  });

  test('grpc, other exporters, a bad URL and traceparent without tracing are refused, naming the variable', () => {
    expect(problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual([
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_PROTOCOL: grpc is not supported/),
    ]);
    expect(problems({ OTEL_TRACES_EXPORTER: 'zipkin' })).toEqual([expect.stringMatching(/^OTEL_TRACES_EXPORTER/)]);
    expect(problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toEqual([
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT/),
    ]);
    expect(problems({ HOOKPOST_SEND_TRACEPARENT: 'true' })).toEqual([
      expect.stringMatching(/^HOOKPOST_SEND_TRACEPARENT: needs tracing on/),
    ]);
  });
});

describe('security settings', () => {
  test('GraphiQL is on by default only when Hookpost listens on loopback', () => {
    expect(loadConfig({}).graphiql).toBe(true);
    expect(loadConfig({ HOST: '127.0.0.1' }).graphiql).toBe(true);
    expect(loadConfig({ HOST: '::1' }).graphiql).toBe(true);
    expect(loadConfig({ HOST: 'localhost' }).graphiql).toBe(true);
    expect(loadConfig({ HOST: '0.0.0.0' }).graphiql).toBe(false);
    expect(loadConfig({ HOST: '10.0.0.5' }).graphiql).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0', HOOKPOST_GRAPHIQL: 'true' }).graphiql).toBe(true);
    expect(loadConfig({ HOOKPOST_GRAPHIQL: 'false' }).graphiql).toBe(false);
  });

  test('HOOKPOST_TRUST_PROXY: off by default; true, a hop count, or addresses and ranges', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ HOOKPOST_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ HOOKPOST_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ HOOKPOST_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
    ]);
    expect(() => loadConfig({ HOOKPOST_TRUST_PROXY: 'the load balancer' })).toThrow(ConfigError);
  });

  test('HOOKPOST_ALLOWED_ORIGINS takes origins, nothing more', () => {
    expect(
      loadConfig({ HOOKPOST_ALLOWED_ORIGINS: 'https://Hookpost.Example.com, http://127.0.0.1:5173' }).allowedOrigins,
    ).toEqual(['https://hookpost.example.com', 'http://127.0.0.1:5173']);
    expect(() => loadConfig({ HOOKPOST_ALLOWED_ORIGINS: 'https://hookpost.example.com/dashboard' })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ HOOKPOST_ALLOWED_ORIGINS: 'hookpost.example.com' })).toThrow(ConfigError);
  });

  test('limits on failed authentication: defaults, and 0 turns one off', () => {
    expect(loadConfig({})).toMatchObject({
      authFailuresPerIp: 30,
      authFailuresPerCredential: 10,
      authFailureWindowSeconds: 300,
    });
    expect(loadConfig({ HOOKPOST_AUTH_FAILURES_PER_IP: '0' }).authFailuresPerIp).toBe(0);
  });
});
