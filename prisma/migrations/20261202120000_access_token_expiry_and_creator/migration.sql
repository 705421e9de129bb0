-- Access tokens may expire, and say who made them (the creator's token id and its name
-- at the time; no foreign key, so the record outlives its creator's token).
-- AlterTable
ALTER TABLE "access_token" ADD COLUMN "expires_at" TIMESTAMPTZ(3),
ADD COLUMN "created_by_id" UUID,
ADD COLUMN "created_by_name" TEXT;
