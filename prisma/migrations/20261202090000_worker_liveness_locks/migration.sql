-- A worker is declared dead only when its session-level advisory lock is gone too
-- (server/worker/liveness.ts): a stale heartbeat alone (after a database outage, or a
-- long pause) is not enough. The lock's key is kept with the heartbeat.

-- AlterTable
ALTER TABLE "worker_heartbeat" ADD COLUMN "lock_key" INTEGER;
