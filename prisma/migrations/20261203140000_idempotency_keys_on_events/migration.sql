-- Idempotency keys move onto their events: the key is a column of `event`, unique per
-- mailbox through a partial index, and ingest claims it with the event's own INSERT …
-- ON CONFLICT DO NOTHING. A separate `idempotency_key` row cost every keyed event a
-- heap row, two index entries, a second insert and a batched delete a day later: a
-- quarter more of PostgreSQL's time per event than ingest without a key. A repeat is
-- compared with the stored event itself (its body's SHA-256, type, Content-Type and
-- ordering key), so no hash is kept. A key stops counting when its window is over (the
-- next claim of it takes it off the old event, server/ingest/eventWriter.ts), or when
-- its event is pruned or erased.
--
-- Upgrading: this runs in one transaction holding `event` locked while it copies the
-- keys of the last window onto their events and builds the index over the whole table:
-- ingest, delivery and reads wait meanwhile (seconds per million events). Processes of
-- the version before write keys to the table dropped here, so replace them all, as for
-- any migration that drops a table.
-- AlterTable
ALTER TABLE "event" ADD COLUMN "idempotency_key" TEXT;

-- Keys claimed before this migration stay claimed, on their events.
UPDATE "event" e SET "idempotency_key" = k."key"
  FROM "idempotency_key" k
 WHERE k."event_id" = e."id" AND k."mailbox_id" = e."mailbox_id" AND e."erased_at" IS NULL;

-- CreateIndex
CREATE UNIQUE INDEX "event_mailbox_id_idempotency_key_key" ON "event"("mailbox_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL;

-- DropTable
DROP TABLE "idempotency_key";
