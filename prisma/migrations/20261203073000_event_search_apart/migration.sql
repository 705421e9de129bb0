-- Search terms apart from the event row. An event's row is written again each time its
-- counters move (its status is indexed, so never as a HOT update), and every new version
-- took all of its terms into the GIN index again: about a sixth of delivery's database
-- time. Here they are written once, at ingest, and never updated: deleted with the event
-- (retention) or when it is erased. No foreign key: a check per event at ingest would
-- cost more than the row; deliveries/deleteSettled.ts and events/eraseEvent.ts delete them.
-- CreateTable
CREATE TABLE "event_search" (
    "event_id" UUID NOT NULL,
    "terms" TEXT[] NOT NULL,

    CONSTRAINT "event_search_pkey" PRIMARY KEY ("event_id")
);

INSERT INTO "event_search" ("event_id", "terms")
SELECT "id", "search_terms" FROM "event" WHERE "search_terms" <> '{}';

-- The new index is built before the old one goes (hence its own name): the exclusive lock
-- on `event` that dropping takes is held, to the migration's commit, for moments rather
-- than for the build.
-- CreateIndex
CREATE INDEX "event_search_terms_gin_idx" ON "event_search" USING GIN ("terms");

-- DropIndex
DROP INDEX "event_search_terms_idx";

-- AlterTable
ALTER TABLE "event" DROP COLUMN "search_terms";
