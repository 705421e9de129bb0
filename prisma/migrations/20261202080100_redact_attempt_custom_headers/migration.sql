-- Attempts keep the request headers that were sent, and custom headers often carry a
-- receiver's credentials under any name. From now on every custom header value is stored
-- as "[redacted]" (server/delivery/responseCapture.ts); this does the same to the attempts
-- recorded before: every header but Hookpost's own is redacted.
UPDATE "attempt" AS a
   SET "request_headers" = (
         SELECT jsonb_object_agg(h.key, CASE WHEN h.key IN ('content-type', 'user-agent', 'webhook-id', 'webhook-timestamp', 'webhook-signature')
                                             THEN h.value ELSE '"[redacted]"'::jsonb END)
           FROM jsonb_each(a."request_headers") AS h)
 WHERE EXISTS (SELECT 1 FROM jsonb_object_keys(a."request_headers") AS k
                WHERE k NOT IN ('content-type', 'user-agent', 'webhook-id', 'webhook-timestamp', 'webhook-signature'));
