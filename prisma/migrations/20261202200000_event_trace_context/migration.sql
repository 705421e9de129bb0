-- Tracing: the W3C trace context of the ingest request's span, kept with the event so
-- that every attempt of every delivery of it (fan-out, retries, replays, after a worker
-- restart) joins the same trace. Null when tracing was off at ingest (no cost then).
-- AlterTable
ALTER TABLE "event" ADD COLUMN "trace_context" JSONB;
