import { describe, expect, test } from 'vitest';
import { attemptAsCurl } from './attemptCurl.ts';

describe('an attempt as a curl command', () => {
  test('same URL, headers and body; signature and credentials redacted; quotes survive the shell', () => {
    const curl = attemptAsCurl(
      {
        url: 'https://example.com/hook?x=1',
        requestHeaders: [
          { name: 'content-type', value: 'application/json' },
          { name: 'webhook-id', value: 'd1' },
          { name: 'webhook-signature', value: 'v1,abc=' },
          { name: 'authorization', value: 'Bearer sk_live_1' },
          { name: 'x-api-key', value: 'hpk_1' },
        ],
      },
      { text: `{"name":"O'Brien"}`, encoding: 'utf8' },
    );
    expect(curl).toContain(`curl -X POST 'https://example.com/hook?x=1'`);
    expect(curl).toContain(`-H 'webhook-id: d1'`);
    expect(curl).toContain(`-H 'webhook-signature: <redacted>'`);
    expect(curl).not.toMatch(/sk_live_1|hpk_1|v1,abc/);
    expect(curl).toContain(`--data-binary '{"name":"O'\\''Brien"}'`);
  });
});
