/**
 * Gives a new embedded PostgreSQL the WAL files a server that has been running already
 * has, so the bench measures that server and not the first minutes of a new cluster.
 *
 * A new cluster has no WAL files to reuse: every 16 MB file is created and zero-filled
 * when the WAL reaches it (wait event WalInitWrite), while every commit waits for it;
 * on the bench machine that is 30-50 ms (`dd` of 16 MB with fdatasync, idle disk) about
 * every 3 s at 2,000 events/s, enough on its own to set the steady-rate p99. A running
 * server renames the files a checkpoint freed instead (up to `min_wal_size`/
 * `max_wal_size`, 1-2 GB on the embedded server), so it never zero-fills in its
 * steady state. Here: write `bytes` of WAL as tiny records, one file each, then
 * checkpoint, which keeps the files for reuse. Nothing else is in the database yet, so
 * the checkpoint leaves no pages that need a full-page image afterwards.
 */
import type pg from 'pg';

const SEGMENT_BYTES = 16 * 1024 * 1024;

export async function recycleWal(pool: pg.Pool, bytes: number): Promise<{ files: number; ms: number }> {
  const started = performance.now();
  for (let written = 0; written < bytes; written += SEGMENT_BYTES) {
    // A WAL record (no table needed), then a switch to the next file, which creates it.
    await pool.query(`select pg_logical_emit_message(false, 'hookpost-bench', ''), pg_switch_wal()`);
  }
  await pool.query('checkpoint');
  const { rows } = await pool.query<{ files: number }>('select count(*)::int as files from pg_ls_waldir()');
  return { files: rows[0]!.files, ms: Math.round(performance.now() - started) };
}
