/**
 * The encryption key that seals endpoint secrets. Taken from HOOKPOST_ENCRYPTION_KEY,
 * else generated once into `<dataDir>/encryption-key` (mode 0600), which is enough for
 * one machine. Processes on several machines must share HOOKPOST_ENCRYPTION_KEY; a
 * check value in the database makes a process with a different key refuse to start
 * instead of failing every delivery later.
 */
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';

export async function loadEncryptionKey(options: { configured: string | undefined; dataDir: string }): Promise<Buffer> {
  if (options.configured) return decodeKey(options.configured, 'HOOKPOST_ENCRYPTION_KEY');
  const file = path.join(options.dataDir, 'encryption-key');
  try {
    return decodeKey((await fs.readFile(file, 'utf8')).trim(), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const key = randomBytes(32);
    await fs.mkdir(options.dataDir, { recursive: true });
    await fs.writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).catch(async (writeError) => {
      // Another process created it first: use theirs.
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
    });
    return decodeKey((await fs.readFile(file, 'utf8')).trim(), file);
  }
}

function decodeKey(encoded: string, source: string): Buffer {
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32) throw new Error(`${source} must be 32 bytes in base64 (try: openssl rand -base64 32).`);
  return key;
}

/** Records the key's fingerprint on first use; throws when this process holds another key. */
export async function assertSameKeyEverywhere(pool: pg.Pool, key: Buffer): Promise<void> {
  const fingerprint = createHmac('sha256', key).update('hookpost key check').digest('hex');
  await pool.query(
    `insert into setting (name, value) values ('encryption_key_check', to_jsonb($1::text)) on conflict (name) do nothing`,
    [fingerprint],
  );
  const { rows } = await pool.query<{ value: string }>(`select value from setting where name = 'encryption_key_check'`);
  if (rows[0]?.value !== fingerprint) {
    throw new Error(
      'This process has a different encryption key than the one that sealed the endpoint secrets in this database. ' +
        'Give every Hookpost process the same HOOKPOST_ENCRYPTION_KEY.',
    );
  }
}
