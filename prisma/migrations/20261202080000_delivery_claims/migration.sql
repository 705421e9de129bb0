-- The delivery lifecycle (server/deliveries/): which worker holds a delivery's claim
-- while it is `delivering` (a claim moves only with its worker's death), and why a
-- delivery stands where it is when that is not obvious (a job that gave up…).

-- AlterTable
ALTER TABLE "delivery" ADD COLUMN "claimed_by" TEXT,
ADD COLUMN "status_reason" TEXT;
