/**
 * Managing endpoints: the one place that creates, changes, enables, rotates and deletes
 * them, for REST and GraphQL alike. Signing secrets and custom headers are sealed before
 * they are stored; a new secret is returned once, and can be revealed later by an
 * operator.
 */
import { sealCustomHeaders } from './customHeaders.ts';
import { auditEntryData, type AuditInput } from '../audit/auditLog.ts';
import { isUuid, newId } from '../ids.ts';
import { authorize, type Actor } from '../auth/roles.ts';
import { Prisma, type PrismaClient } from '../db/prisma.ts';
import type { Endpoint } from '../db/generated/prisma/client.ts';
import { generateSigningSecret } from '../delivery/signature.ts';
import { cancelWaitingDeliveries } from '../deliveries/cancel.ts';
import { leaveLinesSql } from '../deliveries/orderingLine.ts';
import { checkTargetUrl } from '../delivery/targetGuard.ts';
import { AppError, notFound, parseInput } from '../errors.ts';
import type pg from 'pg';
import type { SecretBox } from '../auth/secretBox.ts';
import type { Config } from '../config.ts';
import type { ChangeBus } from '../db/changeBus.ts';
import type { TargetPolicy } from '../delivery/targetGuard.ts';
import {
  endpointPatchSchema,
  newEndpointSchema,
  type EndpointPatchInput,
  type NewEndpointInput,
} from './endpointInput.ts';

type Db = PrismaClient | Prisma.TransactionClient;
/** What managing endpoints needs from the process (a Runtime has all of it). */
export interface EndpointDeps {
  prisma: PrismaClient;
  pool: pg.Pool;
  changes: ChangeBus;
  /** Told when a mailbox's endpoints change, so ingest stops routing by the old ones (ingest's route cache). */
  routes: { changed(mailboxId: string): void };
  secretBox: SecretBox;
  targetPolicy: TargetPolicy;
  config: Pick<Config, 'secretRotationGraceMs' | 'defaultRetryPolicy'>;
}

export interface EndpointWithSecret {
  endpoint: Endpoint;
  /** The new `whsec_` secret; shown once here. */
  signingSecret: string;
}

/** The audit log's row for an action on endpoint `id`, to commit with the change. */
const audited = (
  rt: EndpointDeps,
  actor: Actor,
  action: AuditInput['action'],
  id: string,
  summary: AuditInput['summary'],
) =>
  rt.prisma.auditEntry.create({ data: auditEntryData(actor, { action, target: { type: 'endpoint', id }, summary }) });

function assertTargetAllowed(rt: EndpointDeps, url: string) {
  const check = checkTargetUrl(url, rt.targetPolicy);
  if (!check.ok) throw new AppError('target_not_allowed', `The endpoint URL ${check.reason}.`);
}

/** Creates an endpoint inside a caller's transaction (mailbox creation uses this too). */
export async function insertEndpoint(
  rt: EndpointDeps,
  db: Db,
  mailboxId: string,
  input: NewEndpointInput,
): Promise<EndpointWithSecret> {
  // Without a policy of its own, an endpoint gets the instance's default preset.
  const data = parseInput(newEndpointSchema, {
    ...input,
    retryPolicy: input.retryPolicy ?? { preset: rt.config.defaultRetryPolicy },
  });
  assertTargetAllowed(rt, data.url);
  const signingSecret = generateSigningSecret();
  const endpoint = await db.endpoint.create({
    data: {
      id: newId(),
      mailboxId,
      url: data.url,
      description: data.description,
      eventTypes: data.eventTypes,
      sealedHeaders: sealCustomHeaders(rt.secretBox, data.headers),
      timeoutMs: data.timeoutMs,
      retryPolicy: data.retryPolicy,
      rateLimitPerSecond: data.rateLimitPerSecond,
      maxInFlight: data.maxInFlight,
      healthPolicy: data.healthPolicy ?? Prisma.DbNull,
      orderedByKey: data.orderedByKey,
      orderingKeyField: data.orderingKeyField,
      enabled: data.enabled,
      secrets: { create: { id: newId(), ciphertext: new Uint8Array(rt.secretBox.seal(signingSecret)) } },
    },
  });
  return { endpoint, signingSecret };
}

export async function createEndpoint(
  rt: EndpointDeps,
  actor: Actor | null,
  mailboxId: string,
  input: NewEndpointInput,
): Promise<EndpointWithSecret> {
  authorize(actor, 'operator');
  if (!isUuid(mailboxId)) throw notFound('The mailbox');
  const mailbox = await rt.prisma.mailbox.findFirst({
    where: { id: mailboxId, deletedAt: null },
    select: { id: true },
  });
  if (!mailbox) throw notFound('The mailbox');
  const created = await rt.prisma.$transaction(async (tx) => {
    const made = await insertEndpoint(rt, tx, mailboxId, input);
    const { endpoint } = made;
    await tx.auditEntry.create({
      data: auditEntryData(actor, {
        action: 'endpoint.create',
        target: { type: 'endpoint', id: endpoint.id },
        summary: { mailboxId, url: endpoint.url, eventTypes: endpoint.eventTypes, enabled: endpoint.enabled },
      }),
    });
    return made;
  });
  rt.routes.changed(mailboxId);
  return created;
}

/** The endpoint, unless it is deleted (then: not found). */
export async function findLiveEndpoint(rt: EndpointDeps, id: string): Promise<Endpoint> {
  if (!isUuid(id)) throw notFound('The endpoint');
  const endpoint = await rt.prisma.endpoint.findFirst({ where: { id, deletedAt: null } });
  if (!endpoint) throw notFound('The endpoint');
  return endpoint;
}

export async function updateEndpoint(
  rt: EndpointDeps,
  actor: Actor | null,
  id: string,
  patch: EndpointPatchInput,
): Promise<Endpoint> {
  authorize(actor, 'operator');
  const data = parseInput(endpointPatchSchema, patch);
  const current = await findLiveEndpoint(rt, id);
  if (data.url !== undefined) assertTargetAllowed(rt, data.url);
  // Ordering turned off: the deliveries waiting in its keys' lines go now, as unkeyed ones do.
  const leavingLines = current.orderedByKey && data.orderedByKey === false;
  const [updated] = await rt.prisma.$transaction([
    rt.prisma.endpoint.update({
      where: { id },
      data: {
        url: data.url,
        description: data.description,
        eventTypes: data.eventTypes,
        sealedHeaders: data.headers === undefined ? undefined : sealCustomHeaders(rt.secretBox, data.headers),
        timeoutMs: data.timeoutMs,
        retryPolicy: data.retryPolicy,
        rateLimitPerSecond: data.rateLimitPerSecond,
        maxInFlight: data.maxInFlight,
        healthPolicy: data.healthPolicy === null ? Prisma.DbNull : data.healthPolicy,
        orderedByKey: data.orderedByKey,
        orderingKeyField: data.orderingKeyField,
      },
    }),
    // The fields given, as given (custom headers by name only: see auditLog.ts).
    audited(
      rt,
      actor,
      'endpoint.update',
      id,
      Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined)),
    ),
    ...(leavingLines ? [rt.prisma.$queryRawUnsafe(leaveLinesSql, id)] : []),
  ]);
  rt.routes.changed(current.mailboxId);
  return updated;
}

/**
 * A new signing secret; the previous ones keep signing alongside it for the rotation
 * grace period (HOOKPOST_SECRET_ROTATION_GRACE_MS), so receivers can switch without
 * rejecting anything.
 */
export async function rotateEndpointSecret(
  rt: EndpointDeps,
  actor: Actor | null,
  id: string,
): Promise<EndpointWithSecret> {
  authorize(actor, 'operator');
  const endpoint = await findLiveEndpoint(rt, id);
  const signingSecret = generateSigningSecret();
  const graceEnds = new Date(Date.now() + rt.config.secretRotationGraceMs);
  await rt.prisma.$transaction([
    rt.prisma.endpointSecret.updateMany({
      where: { endpointId: id, OR: [{ expiresAt: null }, { expiresAt: { gt: graceEnds } }] },
      data: { expiresAt: graceEnds },
    }),
    rt.prisma.endpointSecret.create({
      data: { id: newId(), endpointId: id, ciphertext: new Uint8Array(rt.secretBox.seal(signingSecret)) },
    }),
    audited(rt, actor, 'endpoint.rotate_secret', id, { previousSecretsExpireAt: graceEnds.toISOString() }),
  ]);
  return { endpoint, signingSecret };
}

/** The current signing secret, for an operator setting up a receiver. */
export async function revealSigningSecret(rt: EndpointDeps, actor: Actor | null, id: string): Promise<string> {
  authorize(actor, 'operator');
  await findLiveEndpoint(rt, id);
  const secret = await rt.prisma.endpointSecret.findFirst({
    where: { endpointId: id, expiresAt: null },
    orderBy: { createdAt: 'desc' },
  });
  if (!secret) throw notFound('The signing secret');
  const revealed = rt.secretBox.open(Buffer.from(secret.ciphertext));
  // Nothing changes, but who saw a secret is on record before they see it.
  await audited(rt, actor, 'endpoint.reveal_secret', id, {});
  return revealed;
}

/** Deleting keeps the endpoint's history readable; its waiting deliveries are cancelled. */
export async function deleteEndpoint(rt: EndpointDeps, actor: Actor | null, id: string): Promise<Endpoint> {
  authorize(actor, 'operator');
  const current = await findLiveEndpoint(rt, id);
  const [endpoint] = await rt.prisma.$transaction([
    rt.prisma.endpoint.update({ where: { id }, data: { deletedAt: new Date(), enabled: false } }),
    audited(rt, actor, 'endpoint.delete', id, { mailboxId: current.mailboxId, url: current.url }),
  ]);
  rt.routes.changed(endpoint.mailboxId);
  await cancelWaitingDeliveries({ db: rt.pool, changes: rt.changes }, [id]);
  return endpoint;
}
