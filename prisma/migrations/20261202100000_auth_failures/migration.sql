-- Failed authentications counted per client IP and per credential prefix, shared by
-- every API process (the table layout is rate-limiter-flexible's RateLimiterPostgres:
-- `expire` is a Unix time in milliseconds). Rows of expired windows are deleted by the
-- limiter itself.
-- CreateTable
CREATE TABLE "auth_failure" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "auth_failure_pkey" PRIMARY KEY ("key")
);
