-- Bulk erasure: every event of a mailbox matching a filter erased in the background, a
-- batch at a time (server/erasures/). The row is the whole state of the work (where it
-- has got to, what it counted), so a worker that dies mid-way leaves nothing another
-- cannot take up.
-- CreateEnum
CREATE TYPE "erasure_status" AS ENUM ('running', 'finished', 'cancelled');

-- CreateTable
CREATE TABLE "erasure" (
    "id" UUID NOT NULL,
    "mailbox_id" UUID NOT NULL,
    "filter" JSONB NOT NULL,
    "status" "erasure_status" NOT NULL DEFAULT 'running',
    "matched" INTEGER NOT NULL,
    "erased" INTEGER NOT NULL DEFAULT 0,
    "in_flight" INTEGER NOT NULL DEFAULT 0,
    "cursor" UUID,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "erasure_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "erasure_mailbox_id_id_idx" ON "erasure"("mailbox_id", "id" DESC);

-- AddForeignKey
ALTER TABLE "erasure" ADD CONSTRAINT "erasure_mailbox_id_fkey" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
