-- The audit log: who did which management action to what, when, and a summary of the
-- change (never a secret value). Rows are only ever inserted, and deleted by age.
-- CreateTable
CREATE TABLE "audit_entry" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_token_id" UUID,
    "actor_name" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "summary" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_entry_pkey" PRIMARY KEY ("id")
);

-- Filters: by time (and retention), by target, by actor, by action.
-- CreateIndex
CREATE INDEX "audit_entry_at_idx" ON "audit_entry"("at");
-- CreateIndex
CREATE INDEX "audit_entry_target_type_target_id_idx" ON "audit_entry"("target_type", "target_id");
-- CreateIndex
CREATE INDEX "audit_entry_actor_token_id_idx" ON "audit_entry"("actor_token_id");
-- CreateIndex
CREATE INDEX "audit_entry_action_idx" ON "audit_entry"("action");
