/**
 * The SQL migrations (applied by Hookpost at start-up) and prisma/schema.prisma (from
 * which the client is generated) must describe the same database: every model has its
 * table, every field its column with the same nullability and a matching type, and no
 * table exists that the schema does not know. `_prisma_migrations` records every
 * migration with the checksum `prisma migrate deploy` expects.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrationsDir } from '../server/db/migrate.ts';
import { createPool } from '../server/db/pool.ts';
import { createPrisma, type PrismaClient } from '../server/db/prisma.ts';
import { getDatamodel } from '../server/db/generated/pothos-types.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(
    createPool({
      connectionString: db.url,
      max: 2,
      applicationName: 'schema-test',
      logger: createLogger({ level: 'silent', pretty: false }),
    }),
  );
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

/** PostgreSQL's udt names for each Prisma scalar type. */
const columnTypes: Record<string, string[]> = {
  String: ['text', 'uuid', 'varchar'],
  Int: ['int4'],
  BigInt: ['int8'],
  Float: ['float8'],
  Boolean: ['bool'],
  DateTime: ['timestamptz', 'timestamp'],
  Json: ['jsonb'],
  Bytes: ['bytea'],
};

describe('migrations agree with schema.prisma', () => {
  test('every model field has its column, with the same nullability and type', async () => {
    const runtime = (
      prisma as unknown as {
        _runtimeDataModel: {
          models: Record<string, { dbName: string | null; fields: { name: string; dbName?: string }[] }>;
        };
      }
    )._runtimeDataModel;
    const { datamodel } = getDatamodel();
    // The generated client does not carry enums' @@map names; read them from the schema.
    const schema = await fs.readFile(new URL('../prisma/schema.prisma', import.meta.url), 'utf8');
    const enumDbNames = new Map([...schema.matchAll(/enum (\w+) \{[^}]*@@map\("(\w+)"\)/g)].map((m) => [m[1]!, m[2]!]));
    const { rows: columns } = await db.pool.query<{
      table_name: string;
      column_name: string;
      is_nullable: string;
      udt_name: string;
    }>(
      `select table_name, column_name, is_nullable, udt_name from information_schema.columns where table_schema = 'public'`,
    );
    const problems: string[] = [];
    for (const [modelName, model] of Object.entries(datamodel.models)) {
      const table = runtime.models[modelName]!.dbName ?? modelName;
      for (const field of model.fields) {
        if (field.kind === 'object') continue;
        const column = runtime.models[modelName]!.fields.find((f) => f.name === field.name)?.dbName ?? field.name;
        const found = columns.find((c) => c.table_name === table && c.column_name === column);
        if (!found) {
          problems.push(`${modelName}.${field.name}: no column ${table}.${column}`);
          continue;
        }
        // Prisma creates list columns without NOT NULL; every other required field must be NOT NULL.
        if (!field.isList && field.isRequired !== (found.is_nullable === 'NO'))
          problems.push(`${modelName}.${field.name}: nullability differs`);
        const udt = found.udt_name.replace(/^_/, '');
        const expected =
          field.kind === 'enum' ? [enumDbNames.get(field.type) ?? field.type.toLowerCase()] : columnTypes[field.type]!;
        if (!expected.includes(udt))
          problems.push(`${modelName}.${field.name}: column type ${found.udt_name}, expected ${expected.join('|')}`);
        if (field.isList !== found.udt_name.startsWith('_'))
          problems.push(`${modelName}.${field.name}: list-ness differs`);
      }
    }
    const tables = new Set(Object.keys(datamodel.models).map((name) => runtime.models[name]!.dbName ?? name));
    for (const table of new Set(columns.map((c) => c.table_name))) {
      if (table !== '_prisma_migrations' && !tables.has(table)) problems.push(`table ${table} is not in schema.prisma`);
    }
    expect(problems).toEqual([]);
  });

  test('the Prisma client reads every model from the migrated database', async () => {
    for (const model of [
      'mailbox',
      'apiKey',
      'endpoint',
      'endpointSecret',
      'event',
      'delivery',
      'attempt',
      'accessToken',
      'workerHeartbeat',
      'setting',
    ] as const) {
      await expect(
        (prisma[model] as unknown as { findMany(args: object): Promise<unknown[]> }).findMany({ take: 1 }),
      ).resolves.toEqual(expect.any(Array));
    }
  });

  test('every migration is recorded with the checksum prisma migrate deploy expects', async () => {
    const folders = (await fs.readdir(migrationsDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    const { rows } = await db.pool.query(
      'select migration_name, checksum, finished_at, applied_steps_count from _prisma_migrations order by migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(folders);
    for (const row of rows) {
      const sql = await fs.readFile(`${migrationsDir}/${row.migration_name}/migration.sql`);
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  test("the event's status is derived by the database from its delivery counters", async () => {
    const mailbox = await db.pool.query(`insert into mailbox (id, name) values (gen_random_uuid(), 'm') returning id`);
    const insert = (counts: string) =>
      db.pool.query(
        `insert into event (id, mailbox_id, content_type, body, delivery_count, pending_count, failed_count, cancelled_count, attempt_count)
                     values (gen_random_uuid(), $1, 'application/json', '\\x7b7d', ${counts}) returning status`,
        [mailbox.rows[0].id],
      );
    expect((await insert('0, 0, 0, 0, 0')).rows[0].status).toBe('unrouted');
    expect((await insert('2, 2, 0, 0, 0')).rows[0].status).toBe('queued');
    expect((await insert('2, 1, 0, 0, 1')).rows[0].status).toBe('delivering');
    expect((await insert('2, 0, 1, 0, 4')).rows[0].status).toBe('failed');
    expect((await insert('2, 0, 0, 0, 2')).rows[0].status).toBe('delivered');
    expect((await insert('2, 0, 0, 2, 0')).rows[0].status).toBe('cancelled');
    expect((await insert('2, 0, 0, 1, 1')).rows[0].status).toBe('delivered');
  });
});
