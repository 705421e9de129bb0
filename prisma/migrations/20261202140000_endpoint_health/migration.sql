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
    "requeued" INTEGER NOT NULL DEFAULT 0,
    "cursor" UUID,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "replay_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "mailbox_system_key" ON "mailbox"("system") WHERE "system";

-- CreateIndex
CREATE INDEX "replay_created_at_idx" ON "replay"("created_at");

-- AddForeignKey
ALTER TABLE "endpoint_health" ADD CONSTRAINT "endpoint_health_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "endpoint"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
