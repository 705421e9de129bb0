-- Ordering keys (server/deliveries/orderingKeys.ts): an endpoint "ordered by key" gets the
-- deliveries of one key one at a time, in arrival order, while other keys go in parallel.
--
-- The event keeps the key its producer sent (`x-ordering-key`); each delivery to an ordered
-- endpoint keeps the key it is ordered by there (the header's, else the endpoint's
-- `ordering_key_field` of the body), null for every other delivery.
ALTER TABLE "event" ADD COLUMN "ordering_key" TEXT;

ALTER TABLE "endpoint" ADD COLUMN "ordered_by_key" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "ordering_key_field" TEXT;

-- `ordering_stage` says where a keyed delivery stands in its key's line: 1 waiting (queued or
-- held), 2 in flight (delivering), null once it has ended or when it has no key. It is a
-- generated column so that the indexes below can be partial on it without naming `status`:
-- an index whose predicate reads `status` would make every status change of every
-- delivery a non-HOT update; this column stays null for unkeyed deliveries, so theirs stay
-- HOT. (Adding a stored column rewrites the table once.)
ALTER TABLE "delivery" ADD COLUMN "ordering_key" TEXT,
-- What a job that found the delivery behind its key meant it to be (a manual retry, a
-- replay…), so that its attempt is that when its turn comes; null: a scheduled one.
ADD COLUMN "waiting_trigger" "attempt_trigger",
ADD COLUMN "ordering_stage" INTEGER GENERATED ALWAYS AS (
    CASE
        WHEN "ordering_key" IS NULL THEN NULL
        WHEN "status" = 'delivering'::"delivery_status" THEN 2
        WHEN "status" IN ('queued'::"delivery_status", 'held'::"delivery_status") THEN 1
    END
) STORED;

-- A key's line: its deliveries still to send, oldest first (the claim asks "is anything
-- older still waiting?", the end of one asks "which is next?").
CREATE INDEX "delivery_ordering_line_idx" ON "delivery"("endpoint_id", "ordering_key", "id") WHERE "ordering_stage" IS NOT NULL;

-- At most one delivery of a key in flight per endpoint, whatever two workers do at the
-- same moment: the second claim's insert into this index waits for the first one's commit
-- and then fails, under any isolation level (deliveries/claim.ts tries again).
CREATE UNIQUE INDEX "delivery_ordering_in_flight_key" ON "delivery"("endpoint_id", "ordering_key") WHERE "ordering_stage" = 2;
