-- Endpoint health (server/endpoints/circuit.ts, server/deliveries/): a circuit breaker per
-- endpoint shared by every worker, pausing, auto-disable with its reason, rate and
-- concurrency limits, deliveries held while their endpoint cannot take them, bulk replays,
-- and the system mailbox that carries Hookpost's own operational events.

-- AlterEnum
ALTER TYPE "delivery_status" ADD VALUE 'held';

-- AlterEnum
ALTER TYPE "attempt_trigger" ADD VALUE 'replay';

-- CreateEnum
CREATE TYPE "circuit_state" AS ENUM ('closed', 'open', 'half_open');

-- CreateEnum
CREATE TYPE "replay_status" AS ENUM ('running', 'finished', 'cancelled');

-- AlterTable
ALTER TABLE "endpoint" ADD COLUMN "paused_at" TIMESTAMPTZ(3),
ADD COLUMN "disabled_at" TIMESTAMPTZ(3),
ADD COLUMN "disabled_reason" TEXT,
ADD COLUMN "health_policy" JSONB,
ADD COLUMN "rate_limit_per_second" DOUBLE PRECISION,
ADD COLUMN "max_in_flight" INTEGER;

-- AlterTable
ALTER TABLE "mailbox" ADD COLUMN "system" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "endpoint_health" (
    "endpoint_id" UUID NOT NULL,
    "circuit_state" "circuit_state" NOT NULL DEFAULT 'closed',
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "window_started_at" TIMESTAMPTZ(3),
    "window_attempts" INTEGER NOT NULL DEFAULT 0,
    "window_failures" INTEGER NOT NULL DEFAULT 0,
    "opened_at" TIMESTAMPTZ(3),
    "retry_at" TIMESTAMPTZ(3),
    "cool_down_ms" INTEGER,
    "probe_delivery_id" UUID,
    "failing_since" TIMESTAMPTZ(3),
    "throttled_until" TIMESTAMPTZ(3),
    "next_send_at" TIMESTAMPTZ(3),
    "in_flight" INTEGER NOT NULL DEFAULT 0,
    "held_from" UUID,
    "reason" TEXT,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "endpoint_health_pkey" PRIMARY KEY ("endpoint_id")
);

-- CreateTable
CREATE TABLE "replay" (
    "id" UUID NOT NULL,
    "filter" JSONB NOT NULL,
    "status" "replay_status" NOT NULL DEFAULT 'running',
    "total" INTEGER NOT NULL,
    "processed" INTEGER NOT NULL DEFAULT 0,
    "requeued" INTEGER NOT NULL DEFAULT 0,
    "cursor" UUID,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "replay_pkey" PRIMARY KEY ("id")
);

-- CreateTable
-- Failed deliveries, the dead letters: kept by the lifecycle statements as deliveries end
-- failed or leave that state, so finding and replaying them never scans delivery history.
CREATE TABLE "dead_letter" (
    "delivery_id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "mailbox_id" UUID NOT NULL,
    "failed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dead_letter_pkey" PRIMARY KEY ("delivery_id")
);

-- AlterTable
ALTER TABLE "delivery" ADD COLUMN "last_error_kind" TEXT;

-- CreateIndex
CREATE INDEX "dead_letter_failed_at_delivery_id_idx" ON "dead_letter"("failed_at" DESC, "delivery_id");

-- CreateIndex
CREATE INDEX "dead_letter_endpoint_id_failed_at_idx" ON "dead_letter"("endpoint_id", "failed_at" DESC);

-- CreateIndex
CREATE INDEX "dead_letter_mailbox_id_failed_at_idx" ON "dead_letter"("mailbox_id", "failed_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "mailbox_system_key" ON "mailbox"("system") WHERE "system";

-- CreateIndex
CREATE INDEX "replay_created_at_idx" ON "replay"("created_at");

-- AddForeignKey
ALTER TABLE "dead_letter" ADD CONSTRAINT "dead_letter_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "delivery"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "endpoint_health" ADD CONSTRAINT "endpoint_health_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "endpoint"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The deliveries that had failed before are dead letters too.
INSERT INTO "dead_letter" ("delivery_id", "endpoint_id", "mailbox_id", "failed_at")
SELECT d."id", d."endpoint_id", e."mailbox_id", COALESCE(d."last_attempt_at", d."updated_at")
  FROM "delivery" d JOIN "event" e ON e."id" = d."event_id"
 WHERE d."status" = 'failed';
