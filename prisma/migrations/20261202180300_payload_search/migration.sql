-- Search by content: a JSON event's scalar fields as `path=value` terms, written at
-- ingest (server/events/payloadTerms.ts), and a GIN index so an exact match on a field
-- is an index lookup. Events stored before this have none (they are not searchable by
-- content). GIN's pending list (fastupdate) keeps the cost at ingest small.
-- AlterTable
ALTER TABLE "event" ADD COLUMN "search_terms" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE INDEX "event_search_terms_idx" ON "event" USING GIN ("search_terms");
