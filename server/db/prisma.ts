/**
 * The Prisma client, running on Hookpost's own `pg.Pool` through the driver adapter
 * (no Rust engine). Management code and GraphQL use it; the ingest and delivery hot
 * paths use SQL directly (see server/ingest/sql and server/delivery/sql).
 */
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';

export type { PrismaClient };
export { Prisma } from './generated/prisma/client.ts';

export function createPrisma(pool: pg.Pool): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}
