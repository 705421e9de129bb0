-- Idempotency keys: a producer's `Idempotency-Key` per mailbox, with the hash of the body
-- it came with and the event it created. Claimed with INSERT … ON CONFLICT in the
-- transaction that stores the event, so of concurrent duplicates exactly one stores an
-- event; expired rows are replaced on conflict and deleted in small batches by age.
-- CreateTable
CREATE TABLE "idempotency_key" (
    "mailbox_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "body_hash" BYTEA NOT NULL,
    "event_id" UUID NOT NULL,
    "routed" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_key_pkey" PRIMARY KEY ("mailbox_id","key")
);

-- Expiry deletes by age.
-- CreateIndex
CREATE INDEX "idempotency_key_created_at_idx" ON "idempotency_key"("created_at");
