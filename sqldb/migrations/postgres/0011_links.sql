-- The page a decision link opens speaks the language its mail was written
-- in; '' for links made before it was recorded (the browser's language is
-- used then).
ALTER TABLE approval_tokens ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE consent_tokens ADD COLUMN language TEXT NOT NULL DEFAULT '';
-- A mail whose links carry a token keeps them only sealed (AES-256-GCM under
-- the server key, bound to the message id); data holds the links with the
-- token replaced by '…', which is all the outbox API ever shows.
ALTER TABLE outbox ADD COLUMN sealed TEXT NOT NULL DEFAULT '';
-- Mail already sent or failed loses its tokens.
UPDATE outbox SET data = regexp_replace(data, '(/v1/(consents|approvals)/)[A-Za-z0-9_-]+', '\1…', 'g')
    WHERE status <> 'queued' AND data ~ '/v1/(consents|approvals)/';
