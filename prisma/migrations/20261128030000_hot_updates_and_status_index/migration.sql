-- Deliveries and events are updated in place several times in their life (status,
-- counters). Leaving room on each page lets PostgreSQL keep the new version on the same
-- page (a HOT update) instead of writing a new entry in every index.
ALTER TABLE "delivery" SET (fillfactor = 80);
ALTER TABLE "event" SET (fillfactor = 85);

-- The event history filtered by mailbox and status, newest first.
-- CreateIndex
CREATE INDEX "event_mailbox_id_status_id_idx" ON "event"("mailbox_id", "status", "id" DESC);
