-- Dashboard sessions: a cookie secret (hashed here) standing for an access token.

-- CreateTable
CREATE TABLE "operator_session" (
    "id" UUID NOT NULL,
    "hash" BYTEA NOT NULL,
    "access_token_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "operator_session_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "operator_session_hash_key" ON "operator_session"("hash");

-- CreateIndex
CREATE INDEX "operator_session_access_token_id_idx" ON "operator_session"("access_token_id");

-- AddForeignKey
ALTER TABLE "operator_session" ADD CONSTRAINT "operator_session_access_token_id_fkey" FOREIGN KEY ("access_token_id") REFERENCES "access_token"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
