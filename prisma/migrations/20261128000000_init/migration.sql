-- Hookpost's first schema. Written in the form `prisma migrate dev` produces, so that
-- `prisma migrate deploy` can apply it wherever Prisma's schema engine is available;
-- Hookpost applies it itself at start-up (server/db/migrate.ts).

-- CreateEnum
CREATE TYPE "delivery_status" AS ENUM ('queued', 'delivering', 'delivered', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "event_status" AS ENUM ('queued', 'delivering', 'delivered', 'failed', 'cancelled', 'unrouted');

-- CreateEnum
CREATE TYPE "attempt_trigger" AS ENUM ('scheduled', 'manual', 'test');

-- CreateEnum
CREATE TYPE "operator_role" AS ENUM ('admin', 'operator', 'viewer');

-- CreateTable
CREATE TABLE "mailbox" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "mailbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_key" (
    "id" UUID NOT NULL,
    "mailbox_id" UUID NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "prefix" TEXT NOT NULL,
    "hash" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "endpoint" (
    "id" UUID NOT NULL,
    "mailbox_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "event_types" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "sealed_headers" BYTEA,
    "timeout_ms" INTEGER NOT NULL DEFAULT 15000,
    "retry_policy" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "endpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "endpoint_secret" (
    "id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "endpoint_secret_pkey" PRIMARY KEY ("id")
);

-- CreateTable
-- `status` is derived from the counters by PostgreSQL, so it can never disagree with
-- them: the delivery task only ever increments and decrements counters, which is safe
-- under concurrent updates of one event's deliveries.
CREATE TABLE "event" (
    "id" UUID NOT NULL,
    "mailbox_id" UUID NOT NULL,
    "event_type" TEXT,
    "content_type" TEXT NOT NULL,
    "body" BYTEA NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivery_count" INTEGER NOT NULL,
    "pending_count" INTEGER NOT NULL,
    "failed_count" INTEGER NOT NULL DEFAULT 0,
    "cancelled_count" INTEGER NOT NULL DEFAULT 0,
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "last_attempt_at" TIMESTAMPTZ(3),
    "status" "event_status" NOT NULL GENERATED ALWAYS AS (
        CASE
            WHEN "delivery_count" = 0 THEN 'unrouted'::"event_status"
            WHEN "pending_count" > 0 AND "attempt_count" = 0 THEN 'queued'::"event_status"
            WHEN "pending_count" > 0 THEN 'delivering'::"event_status"
            WHEN "failed_count" > 0 THEN 'failed'::"event_status"
            WHEN "cancelled_count" = "delivery_count" THEN 'cancelled'::"event_status"
            ELSE 'delivered'::"event_status"
        END
    ) STORED,

    CONSTRAINT "event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery" (
    "id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "status" "delivery_status" NOT NULL DEFAULT 'queued',
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_status_code" INTEGER,
    "next_attempt_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "attempt" (
    "id" UUID NOT NULL,
    "delivery_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "trigger" "attempt_trigger" NOT NULL,
    "url" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "request_headers" JSONB NOT NULL,
    "status_code" INTEGER,
    "response_headers" JSONB,
    "response_body" BYTEA,
    "response_body_truncated" BOOLEAN NOT NULL DEFAULT false,
    "error_kind" TEXT,
    "error_message" TEXT,

    CONSTRAINT "attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "access_token" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "operator_role" NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "access_token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "worker_heartbeat" (
    "worker_id" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "beat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "worker_heartbeat_pkey" PRIMARY KEY ("worker_id")
);

-- CreateTable
CREATE TABLE "setting" (
    "name" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "setting_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_key_hash_key" ON "api_key"("hash");

-- CreateIndex
CREATE INDEX "api_key_mailbox_id_idx" ON "api_key"("mailbox_id");

-- CreateIndex
CREATE INDEX "endpoint_mailbox_id_idx" ON "endpoint"("mailbox_id");

-- CreateIndex
CREATE INDEX "endpoint_secret_endpoint_id_idx" ON "endpoint_secret"("endpoint_id");

-- CreateIndex
CREATE INDEX "event_mailbox_id_id_idx" ON "event"("mailbox_id", "id" DESC);

-- CreateIndex
CREATE INDEX "event_status_id_idx" ON "event"("status", "id" DESC);

-- CreateIndex
CREATE INDEX "delivery_event_id_idx" ON "delivery"("event_id");

-- CreateIndex
CREATE INDEX "delivery_endpoint_id_id_idx" ON "delivery"("endpoint_id", "id" DESC);

-- CreateIndex
CREATE INDEX "attempt_started_at_idx" ON "attempt"("started_at");

-- CreateIndex
CREATE UNIQUE INDEX "attempt_delivery_id_number_key" ON "attempt"("delivery_id", "number");

-- CreateIndex
CREATE UNIQUE INDEX "access_token_hash_key" ON "access_token"("hash");

-- AddForeignKey
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_mailbox_id_fkey" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "endpoint" ADD CONSTRAINT "endpoint_mailbox_id_fkey" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "endpoint_secret" ADD CONSTRAINT "endpoint_secret_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "endpoint"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event" ADD CONSTRAINT "event_mailbox_id_fkey" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery" ADD CONSTRAINT "delivery_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery" ADD CONSTRAINT "delivery_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "endpoint"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attempt" ADD CONSTRAINT "attempt_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "delivery"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
