-- Retention: how long a mailbox's events are kept, in days, when it differs from the
-- instance default (HOOKPOST_RETENTION_DAYS); 0 keeps them forever. Pruning deletes old
-- settled events in small batches by the primary key's time-ordered range
-- (server/retention/), so no new index is needed.
-- AlterTable
ALTER TABLE "mailbox" ADD COLUMN "retention_days" INTEGER;
