/**
 * deploy/kubernetes: every object validates against the Kubernetes API schema
 * (kubernetes-models' validators), and the pieces fit Hookpost: probes on /healthz and
 * /readyz, a worker Deployment, resources on every container, secrets only through
 * `*_FILE` mounts, an environment Hookpost accepts, and a grace period longer than the
 * shutdown.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig, secretVariables } from '../server/config.ts';

const folder = path.resolve(import.meta.dirname, '../deploy/kubernetes');
const manifestFiles = readdirSync(folder).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}
const manifests: Manifest[] = manifestFiles.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(folder, file), 'utf8')).map((document) => document.toJS() as Manifest),
);

const models: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1 Deployment': Deployment,
  'v1 Service': Service,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
};

/** The schema's complaint about a manifest, or null when it is valid. */
function schemaProblem(manifest: Manifest): string | null {
  const Model = models[`${manifest.apiVersion} ${manifest.kind}`];
  if (!Model) return `${manifest.apiVersion} ${manifest.kind} has no validator here`;
  try {
    new Model(structuredClone(manifest) as never).validate();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort: number }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: Container[];
    terminationGracePeriodSeconds?: number;
    volumes?: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
  };
}

const find = (kind: string, name: string) => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`No ${kind} ${name} in deploy/kubernetes`);
  return found;
};
const deployments = () => manifests.filter((m) => m.kind === 'Deployment');
const template = (deployment: Manifest) => deployment.spec.template as PodTemplate;
const envOf = (container: Container) =>
  Object.fromEntries((container.env ?? []).map(({ name, value }) => [name, value ?? '']));
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('deploy/kubernetes', () => {
  test('every object is valid against the Kubernetes API schema', () => {
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'Deployment/hookpost-api',
      'Deployment/hookpost-worker',
      'PodDisruptionBudget/hookpost-api',
      'PodDisruptionBudget/hookpost-worker',
      'Service/hookpost-api',
    ]);
    expect(manifests.map((m) => ({ object: `${m.kind}/${m.metadata.name}`, problem: schemaProblem(m) }))).toEqual(
      manifests.map((m) => ({ object: `${m.kind}/${m.metadata.name}`, problem: null })),
    );
  });

  test('the validator refuses objects Kubernetes would refuse', () => {
    const api = find('Deployment', 'hookpost-api');
    const broken = (change: (copy: Manifest & { spec: { template: PodTemplate } }) => void) => {
      const copy = structuredClone(api) as Manifest & { spec: { template: PodTemplate } };
      change(copy);
      return schemaProblem(copy);
    };
    expect(broken((copy) => Object.assign(copy.spec, { replicas: 'two' }))).toContain('replicas must be integer');
    expect(broken((copy) => (copy.spec.template.spec.containers[0]!.resources!.requests!.cpu = 'lots'))).toContain(
      'cpu must match format "quantity"',
    );
    expect(broken((copy) => Reflect.deleteProperty(copy.spec.template.spec, 'containers'))).toContain(
      'must have required property containers',
    );
  });

  test('kustomization.yaml applies every manifest', () => {
    const kustomization = parse(readFileSync(path.join(folder, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    expect([...kustomization.resources].sort()).toEqual([...manifestFiles].sort());
  });

  test('API pods are probed on /healthz and /readyz, and the Service and the budget select them', () => {
    const api = find('Deployment', 'hookpost-api');
    const pod = template(api);
    const [container] = pod.spec.containers;
    const httpPort = container!.ports!.find((port) => port.name === 'http')!;
    expect(envOf(container!).PORT ?? '8000').toBe(String(httpPort.containerPort));
    // Readiness on the operations port (HOOKPOST_OPS_PORT), which every role serves.
    const opsPort = container!.ports!.find((port) => port.name === 'ops')!;
    expect(envOf(container!).HOOKPOST_OPS_PORT ?? '9464').toBe(String(opsPort.containerPort));
    expect(container!.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'ops' });
    expect(container!.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });

    const service = find('Service', 'hookpost-api');
    expect(selects(service.spec.selector as Record<string, string>, pod.metadata.labels)).toBe(true);
    expect(service.spec.ports).toEqual([expect.objectContaining({ targetPort: 'http' })]);

    for (const deployment of deployments()) {
      const budget = find('PodDisruptionBudget', deployment.metadata.name);
      const selector = (budget.spec.selector as { matchLabels: Record<string, string> }).matchLabels;
      expect(selects(selector, template(deployment).metadata.labels)).toBe(true);
      // A budget that selected the other role's pods too would hold up the wrong drains.
      const others = deployments().filter((other) => other !== deployment);
      expect(others.some((other) => selects(selector, template(other).metadata.labels))).toBe(false);
    }
  });

  test('there is a worker Deployment, and each role runs as its own', () => {
    for (const role of ['api', 'worker']) {
      const [container] = template(find('Deployment', `hookpost-${role}`)).spec.containers;
      expect(envOf(container!).HOOKPOST_ROLE).toBe(role);
    }
  });

  test('workers are probed and scraped on their operations port', () => {
    const pod = template(find('Deployment', 'hookpost-worker'));
    const [container] = pod.spec.containers;
    expect(container!.ports).toEqual([{ name: 'ops', containerPort: 9464 }]);
    expect(container!.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'ops' });
    expect(container!.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'ops' });
    expect(container!.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'ops' });
    expect(pod.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464' });
  });

  test('every container requests CPU and memory and has limits', () => {
    for (const deployment of deployments()) {
      for (const container of template(deployment).spec.containers) {
        expect(container.resources?.requests, `${deployment.metadata.name}/${container.name}`).toEqual({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        expect(container.resources?.limits, `${deployment.metadata.name}/${container.name}`).toEqual({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
      }
    }
  });

  test('secrets come only from files of the mounted Secret, and the environment is one Hookpost accepts', () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'hookpost-k8s-env-'));
    const sample: Record<string, string> = {
      'database-url': 'postgres://hookpost:secret@postgres:5432/hookpost',
      'encryption-key': Buffer.alloc(32, 7).toString('base64'),
      'admin-token': `hpt_${'k'.repeat(40)}`,
    };
    for (const deployment of deployments()) {
      const pod = template(deployment);
      for (const container of pod.spec.containers) {
        const env = envOf(container);
        for (const name of secretVariables) expect(env, `${name} in plain text`).not.toHaveProperty(name);

        const files = Object.entries(env).filter(([name]) => name.endsWith('_FILE'));
        expect(files.map(([name]) => name)).toContain('DATABASE_URL_FILE');
        const resolved: Record<string, string> = { ...env };
        for (const [name, file] of files) {
          const mount = container.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
          const volume = pod.spec.volumes?.find((v) => v.name === mount?.name);
          expect(volume?.secret?.secretName, `${name} is read from a Secret`).toBe('hookpost');
          const key = path.basename(file);
          if (volume?.secret?.items) expect(volume.secret.items.map((item) => item.path)).toContain(key);
          const local = path.join(scratch, `${deployment.metadata.name}-${key}`);
          writeFileSync(local, `${sample[key]}\n`);
          resolved[name] = local;
        }
        const config = loadConfig(resolved);
        expect(config.databaseUrl).toBe(sample['database-url']);
        expect(config.encryptionKey).toBe(sample['encryption-key']);
      }
    }
  });

  test('the grace period outlasts the pre-stop pause and the shutdown timeout', () => {
    for (const deployment of deployments()) {
      const pod = template(deployment);
      for (const container of pod.spec.containers) {
        const shutdownMs = loadConfig({
          HOOKPOST_SHUTDOWN_TIMEOUT_MS: envOf(container).HOOKPOST_SHUTDOWN_TIMEOUT_MS,
        }).shutdownTimeoutMs;
        const [sleep, seconds] = container.lifecycle?.preStop?.exec?.command ?? ['sleep', '0'];
        expect(sleep).toBe('sleep');
        const graceMs = (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
        expect(graceMs, deployment.metadata.name).toBeGreaterThan(Number(seconds) * 1000 + shutdownMs + 5_000);
      }
    }
  });
});
