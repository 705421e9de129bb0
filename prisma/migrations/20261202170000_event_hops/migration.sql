-- Delivery loops (issue 14): how many times an event has already passed through Hookpost,
-- from the x-hookpost-hops header of the request that brought it (0 without one). Its
-- deliveries carry one more; ingest refuses a request past the limit (server/events/hops.ts).

-- AlterTable
ALTER TABLE "event" ADD COLUMN "hops" INTEGER NOT NULL DEFAULT 0;
