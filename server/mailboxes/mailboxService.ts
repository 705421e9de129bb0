/**
 * Managing mailboxes and their API keys: the one place that creates, renames and
 * deletes them, for REST and GraphQL alike. An API key is returned once, when it is
 * made; only its hash is kept.
 */
import { auditEntryData } from '../audit/auditLog.ts';
import { isUuid, newId } from '../ids.ts';
import { z } from 'zod';
import { authorize, type Actor } from '../auth/roles.ts';
import { generateToken, hashToken, tokenPrefix } from '../auth/tokens.ts';
import type { ApiKey, Endpoint, Mailbox } from '../db/generated/prisma/client.ts';
import type { Prisma, PrismaClient } from '../db/prisma.ts';
import { cancelWaitingDeliveries } from '../deliveries/cancel.ts';
import { insertEndpoint } from '../endpoints/endpointService.ts';
import type { NewEndpointInput } from '../endpoints/endpointInput.ts';
import { AppError, notFound, parseInput } from '../errors.ts';
import { mailboxRetentionDaysSchema } from '../retention/retentionRules.ts';
import type { Runtime } from '../runtime.ts';

type Deps = Pick<Runtime, 'prisma' | 'pool' | 'changes' | 'routes' | 'secretBox' | 'targetPolicy' | 'config'>;

const mailboxName = z.string().trim().min(1, 'must not be empty').max(200);
const keyName = z.string().trim().max(100).default('');
const mailboxInput = z.object({ name: mailboxName, retentionDays: mailboxRetentionDaysSchema.optional() });
const mailboxChanges = mailboxInput.partial();

export interface NewMailboxInput {
  name: string;
  /** Becomes the mailbox's first endpoint (the original API's `target_url`). */
  targetUrl?: string | null;
  /** Settings of that first endpoint besides its URL. */
  endpoint?: Omit<NewEndpointInput, 'url'>;
  /** How long its events are kept, in days; 0 = forever; null or absent = the instance default. */
  retentionDays?: number | null;
}

export interface CreatedMailbox {
  mailbox: Mailbox;
  /** The API key, shown once. */
  apiKey: string;
  endpoint: Endpoint | null;
  signingSecret: string | null;
}

export async function createMailbox(rt: Deps, actor: Actor | null, input: NewMailboxInput): Promise<CreatedMailbox> {
  authorize(actor, 'operator');
  const { name, retentionDays } = parseInput(mailboxInput, { name: input.name, retentionDays: input.retentionDays });
  const apiKey = generateToken('hpk');
  return rt.prisma.$transaction(async (tx) => {
    const mailbox = await tx.mailbox.create({ data: { id: newId(), name, retentionDays } });
    await insertApiKey(tx, mailbox.id, 'default', apiKey);
    const first = input.targetUrl
      ? await insertEndpoint(rt, tx, mailbox.id, { ...input.endpoint, url: input.targetUrl })
      : null;
    await tx.auditEntry.create({
      data: auditEntryData(actor, {
        action: 'mailbox.create',
        target: { type: 'mailbox', id: mailbox.id },
        summary: { name, targetUrl: first?.endpoint.url ?? null, endpointId: first?.endpoint.id ?? null },
      }),
    });
    return { mailbox, apiKey, endpoint: first?.endpoint ?? null, signingSecret: first?.signingSecret ?? null };
  });
}

async function insertApiKey(
  db: PrismaClient | Prisma.TransactionClient,
  mailboxId: string,
  name: string,
  apiKey: string,
): Promise<ApiKey> {
  return db.apiKey.create({
    data: { id: newId(), mailboxId, name, prefix: tokenPrefix(apiKey), hash: new Uint8Array(hashToken(apiKey)) },
  });
}

async function findLiveMailbox(rt: Deps, id: string): Promise<Mailbox> {
  if (!isUuid(id)) throw notFound('The mailbox');
  const mailbox = await rt.prisma.mailbox.findFirst({ where: { id, deletedAt: null } });
  if (!mailbox) throw notFound('The mailbox');
  return mailbox;
}

export async function updateMailbox(
  rt: Deps,
  actor: Actor | null,
  id: string,
  input: { name?: string; retentionDays?: number | null },
): Promise<Mailbox> {
  authorize(actor, 'operator');
  const current = await findLiveMailbox(rt, id);
  const changes = parseInput(mailboxChanges, input);
  const [mailbox] = await rt.prisma.$transaction([
    rt.prisma.mailbox.update({ where: { id }, data: changes }),
    rt.prisma.auditEntry.create({
      data: auditEntryData(actor, {
        action: 'mailbox.update',
        target: { type: 'mailbox', id },
        summary: {
          ...changes,
          ...(changes.name === undefined ? {} : { previousName: current.name }),
        },
      }),
    }),
  ]);
  return mailbox;
}

/**
 * Deleting a mailbox stops its keys and endpoints at once and cancels what waits; its
 * events and attempts stay readable.
 */
export async function deleteMailbox(rt: Deps, actor: Actor | null, id: string): Promise<Mailbox> {
  authorize(actor, 'operator');
  const current = await findLiveMailbox(rt, id);
  if (current.system)
    throw new AppError('conflict', "The system mailbox carries Hookpost's own alerts and cannot be deleted.");
  const now = new Date();
  const [mailbox] = await rt.prisma.$transaction([
    rt.prisma.mailbox.update({ where: { id }, data: { deletedAt: now } }),
    rt.prisma.apiKey.updateMany({
      where: { mailboxId: id, OR: [{ revokedAt: null }, { revokedAt: { gt: now } }] },
      data: { revokedAt: now },
    }),
    rt.prisma.endpoint.updateMany({
      where: { mailboxId: id, deletedAt: null },
      data: { deletedAt: now, enabled: false },
    }),
    rt.prisma.auditEntry.create({
      data: auditEntryData(actor, {
        action: 'mailbox.delete',
        target: { type: 'mailbox', id },
        summary: { name: current.name },
      }),
    }),
  ]);
  rt.routes.changed(id);
  const endpoints = await rt.prisma.endpoint.findMany({ where: { mailboxId: id }, select: { id: true } });
  await cancelWaitingDeliveries(
    { db: rt.pool, changes: rt.changes },
    endpoints.map((e) => e.id),
  );
  return mailbox;
}

/** Another live key for the mailbox (rotation: make the new one, switch producers, revoke the old). */
export async function createApiKey(
  rt: Deps,
  actor: Actor | null,
  mailboxId: string,
  input: { name?: string } = {},
): Promise<{ apiKey: string; record: ApiKey }> {
  authorize(actor, 'operator');
  const mailbox = await findLiveMailbox(rt, mailboxId);
  // Only Hookpost writes operational events: nobody may send to the system mailbox.
  if (mailbox.system)
    throw new AppError('conflict', 'The system mailbox takes no API keys: only Hookpost sends to it.');
  const name = parseInput(keyName, input.name);
  const apiKey = generateToken('hpk');
  const record = await rt.prisma.$transaction(async (tx) => {
    const created = await insertApiKey(tx, mailboxId, name, apiKey);
    await tx.auditEntry.create({
      data: auditEntryData(actor, {
        action: 'api_key.create',
        target: { type: 'api_key', id: created.id },
        summary: { mailboxId, name },
      }),
    });
    return created;
  });
  return { apiKey, record };
}

/** Revokes a key now, or after `graceSeconds` so producers can switch over. */
export async function revokeApiKey(
  rt: Deps,
  actor: Actor | null,
  id: string,
  input: { graceSeconds?: number } = {},
): Promise<ApiKey> {
  authorize(actor, 'operator');
  const grace = parseInput(
    z
      .int()
      .min(0)
      .max(30 * 24 * 3600)
      .default(0),
    input.graceSeconds,
  );
  const key = isUuid(id) ? await rt.prisma.apiKey.findUnique({ where: { id } }) : null;
  if (!key) throw notFound('The API key');
  if (key.revokedAt && key.revokedAt <= new Date()) throw new AppError('conflict', 'The API key is already revoked.');
  const [revoked] = await rt.prisma.$transaction([
    rt.prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date(Date.now() + grace * 1000) } }),
    rt.prisma.auditEntry.create({
      data: auditEntryData(actor, {
        action: 'api_key.revoke',
        target: { type: 'api_key', id },
        summary: { mailboxId: key.mailboxId, name: key.name, graceSeconds: grace },
      }),
    }),
  ]);
  rt.routes.changed(revoked.mailboxId);
  return revoked;
}
