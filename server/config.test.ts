import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

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
