/**
 * The REST API is documented by OpenAPI: the spec at /openapi.json describes the
 * original contract, Swagger UI is at /docs and ReDoc at /redoc, both served from this
 * server with a policy that forbids loading anything from elsewhere (no CDN).
 */
import { describe, expect, test } from 'vitest';
import { useHookpost } from './support/hooks.ts';

const { hookpost } = useHookpost({ role: 'api' });

/** A schema of the document, with a `$ref` to a named component followed. */
function resolved(spec: any, schema: any): any {
  const ref: string | undefined = schema?.$ref;
  return ref ? spec.components.schemas[ref.replace('#/components/schemas/', '')] : schema;
}

describe('API documentation', () => {
  test('/openapi.json documents the original contract and the error shape', async () => {
    const spec = await (await fetch(`${hookpost.baseUrl}/openapi.json`)).json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/mailboxes', '/webhooks/{mailboxId}', '/api/webhooks', '/api/webhooks/{id}/retry']),
    );
    const created = resolved(
      spec,
      spec.paths['/api/mailboxes'].post.responses['201'].content['application/json'].schema,
    );
    expect(Object.keys(created.properties)).toEqual(
      expect.arrayContaining(['id', 'api_key', 'name', 'target_url', 'created_at']),
    );
    const ack = resolved(
      spec,
      spec.paths['/webhooks/{mailboxId}'].post.responses['202'].content['application/json'].schema,
    );
    expect(Object.keys(ack.properties)).toEqual(['tracking_number', 'status']);
    const listed = spec.paths['/api/webhooks'].get.responses['200'].content['application/json'].schema;
    expect(listed.type).toBe('array');
    expect(Object.keys(resolved(spec, listed.items).properties)).toEqual(
      expect.arrayContaining([
        'tracking_number',
        'mailbox_name',
        'target_url',
        'status',
        'attempt_count',
        'last_attempt_at',
      ]),
    );
    const retried = resolved(
      spec,
      spec.paths['/api/webhooks/{id}/retry'].post.responses['202'].content['application/json'].schema,
    );
    expect(Object.keys(retried.properties)).toEqual(
      expect.arrayContaining(['message', 'tracking_number', 'new_status']),
    );
    expect(
      resolved(spec, spec.paths['/webhooks/{mailboxId}'].post.responses['401'].content['application/json'].schema)
        .properties.error.properties,
    ).toHaveProperty('code');
    expect(spec.components.securitySchemes).toHaveProperty('apiKey');
    expect(spec.components.securitySchemes).toHaveProperty('bearerAuth');
  });

  test.each(['/docs/', '/redoc'])('%s is a page served locally with a no-CDN policy', async (path) => {
    const response = await fetch(`${hookpost.baseUrl}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    for (const [, src] of html.matchAll(/<script[^>]+src="([^"]+)"/g)) {
      const script = await fetch(new URL(src!, `${hookpost.baseUrl}${path}`));
      expect(script.status).toBe(200);
      expect((await script.text()).length).toBeGreaterThan(0);
    }
  });

  test('ReDoc loads the bundled script', async () => {
    const script = await fetch(`${hookpost.baseUrl}/redoc/redoc.standalone.js`);
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(500_000);
  });
});
