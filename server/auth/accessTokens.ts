/**
 * Operator access tokens: how people and tools authenticate to the management API,
 * GraphQL and the dashboard. Each carries a role. Only hashes are stored.
 *
 * A fresh installation has no token, so start-up makes the first admin token: the value
 * of HOOKPOST_ADMIN_TOKEN when set, else a generated one written to
 * `<dataDir>/admin-token` (mode 0600). It is never logged; the log names the file.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { auditEntryData } from '../audit/auditLog.ts';
import { isUuid, newId } from '../ids.ts';
import { z } from 'zod';
import type { AccessToken } from '../db/generated/prisma/client.ts';
import { AppError, notFound, parseInput } from '../errors.ts';
import type pg from 'pg';
import type { Config } from '../config.ts';
import type { ChangeBus } from '../db/changeBus.ts';
import type { PrismaClient } from '../db/prisma.ts';
import type { Logger } from '../logger.ts';
import { authorize, operatorRoles, type Actor, type OperatorRole } from './roles.ts';
import { generateToken, hashToken, tokenPrefix } from './tokens.ts';

export async function authenticate(rt: { pool: pg.Pool }, token: string | undefined): Promise<Actor | null> {
  if (!token) return null;
  const { rows } = await rt.pool.query<{
    id: string;
    name: string;
    role: OperatorRole;
    expiresAt: Date | null;
    stale: boolean;
  }>({
    name: 'authenticate_access_token',
    text: `select id, name, role, expires_at as "expiresAt",
                  (last_used_at is null or last_used_at < now() - interval '1 minute') as stale
             from access_token
            where hash = $1 and revoked_at is null and (expires_at is null or expires_at > now())`,
    values: [hashToken(token)],
  });
  const row = rows[0];
  if (!row) return null;
  // Reads stay reads: last use is recorded at most once a minute, and not waited for.
  if (row.stale) {
    void rt.pool.query('update access_token set last_used_at = now() where id = $1', [row.id]).catch(() => undefined);
  }
  return { tokenId: row.id, name: row.name, role: row.role, ...(row.expiresAt ? { expiresAt: row.expiresAt } : {}) };
}

const newTokenSchema = z.object({
  name: z.string().trim().min(1).max(100),
  role: z.enum(operatorRoles),
  /** When it stops working by itself; absent: never. */
  expiresAt: z
    .date()
    .refine((date) => date.getTime() > Date.now(), 'must be in the future')
    .nullish(),
});

export async function createAccessToken(
  rt: { prisma: PrismaClient },
  actor: Actor | null,
  input: { name: string; role: OperatorRole; expiresAt?: Date | null },
): Promise<{ token: string; record: AccessToken }> {
  authorize(actor, 'admin');
  const data = parseInput(newTokenSchema, input);
  const token = generateToken('hpt');
  const id = newId();
  const [record] = await rt.prisma.$transaction([
    rt.prisma.accessToken.create({
      data: {
        id,
        name: data.name,
        role: data.role,
        prefix: tokenPrefix(token),
        hash: new Uint8Array(hashToken(token)),
        expiresAt: data.expiresAt ?? null,
        createdById: isUuid(actor.tokenId) ? actor.tokenId : null,
        createdByName: actor.name,
      },
    }),
    rt.prisma.auditEntry.create({
      data: auditEntryData(actor, {
        action: 'access_token.create',
        target: { type: 'access_token', id },
        summary: { name: data.name, role: data.role, expiresAt: data.expiresAt?.toISOString() ?? null },
      }),
    }),
  ]);
  return { token, record };
}

/** The access tokens, oldest first; revoked ones on request. */
export async function listAccessTokens(
  rt: { reads: { prisma: PrismaClient } },
  actor: Actor | null,
  options: { includeRevoked?: boolean } = {},
): Promise<AccessToken[]> {
  authorize(actor, 'admin');
  return rt.reads.prisma.accessToken.findMany({
    where: options.includeRevoked ? {} : { revokedAt: null },
    orderBy: { id: 'asc' },
  });
}

/** Revokes a token at once: its requests are refused, and its open live connections end in every process. */
export async function revokeAccessToken(
  rt: { prisma: PrismaClient; changes: ChangeBus },
  actor: Actor | null,
  id: string,
): Promise<AccessToken> {
  authorize(actor, 'admin');
  const record = isUuid(id) ? await rt.prisma.accessToken.findUnique({ where: { id } }) : null;
  if (!record) throw notFound('The access token');
  if (record.revokedAt) throw new AppError('conflict', 'The access token is already revoked.');
  if (record.id === actor.tokenId)
    throw new AppError('conflict', 'You cannot revoke the token you are signed in with.');
  const [revoked] = await rt.prisma.$transaction([
    rt.prisma.accessToken.update({ where: { id }, data: { revokedAt: new Date() } }),
    rt.prisma.auditEntry.create({
      data: auditEntryData(actor, {
        action: 'access_token.revoke',
        target: { type: 'access_token', id },
        summary: { name: record.name, role: record.role },
      }),
    }),
  ]);
  rt.changes.publish({ kind: 'access', tokenId: id });
  return revoked;
}

export async function bootstrapAdminToken(rt: {
  prisma: PrismaClient;
  config: Pick<Config, 'adminToken' | 'dataDir'>;
  logger: Logger;
}): Promise<void> {
  const { adminToken, dataDir } = rt.config;
  if (adminToken) {
    await rt.prisma.accessToken.upsert({
      where: { hash: new Uint8Array(hashToken(adminToken)) },
      update: {},
      create: {
        id: newId(),
        name: 'HOOKPOST_ADMIN_TOKEN',
        role: 'admin',
        prefix: tokenPrefix(adminToken),
        hash: new Uint8Array(hashToken(adminToken)),
      },
    });
    return;
  }
  if ((await rt.prisma.accessToken.count()) > 0) return;
  const token = generateToken('hpt');
  const file = path.join(dataDir, 'admin-token');
  await fs.mkdir(dataDir, { recursive: true });
  await fs.writeFile(file, `${token}\n`, { mode: 0o600 });
  await rt.prisma.accessToken.create({
    data: {
      id: newId(),
      name: 'first admin',
      role: 'admin',
      prefix: tokenPrefix(token),
      hash: new Uint8Array(hashToken(token)),
    },
  });
  rt.logger.info({ file }, `Created the first admin access token; it is in ${file}.`);
}
