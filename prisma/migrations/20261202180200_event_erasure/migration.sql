-- Erasure: an erased event keeps its row as a tombstone (tracking number, mailbox, type,
-- times, counters) with an empty body and the moment it was erased.
-- AlterTable
ALTER TABLE "event" ADD COLUMN "erased_at" TIMESTAMPTZ(3);
