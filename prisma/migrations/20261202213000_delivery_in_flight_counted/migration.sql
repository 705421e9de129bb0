-- A delivery a concurrency-limited endpoint's claim counted among its requests in flight
-- (health/claimGuarded.ts): the statement that ends its attempt frees exactly those places,
-- and the health tick finds them by this index (few rows: only claims of limited endpoints
-- that are out now), not by scanning the endpoint's history.
ALTER TABLE "delivery" ADD COLUMN "in_flight_counted" BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX "delivery_in_flight_counted_idx" ON "delivery"("endpoint_id") WHERE "in_flight_counted";
