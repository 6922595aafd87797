-- The page a decision link opens speaks the language its mail was written
-- in; '' for links made before it was recorded (the browser's language is
-- used then).
ALTER TABLE approval_tokens ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE consent_tokens ADD COLUMN language TEXT NOT NULL DEFAULT '';
-- A mail whose links carry a token keeps them only sealed (AES-256-GCM under
-- the server key, bound to the message id); data holds the links with the
-- token replaced by '…', which is all the outbox API ever shows.
ALTER TABLE outbox ADD COLUMN sealed TEXT NOT NULL DEFAULT '';
-- Mail already sent or failed loses its tokens (43 characters of base64url
-- after the path; an approval mail holds the same token in both links).
UPDATE outbox SET data = replace(data, substr(data, instr(data, '/v1/consents/') + 13, 43), '…')
    WHERE status <> 'queued' AND instr(data, '/v1/consents/') > 0;
UPDATE outbox SET data = replace(data, substr(data, instr(data, '/v1/approvals/') + 14, 43), '…')
    WHERE status <> 'queued' AND instr(data, '/v1/approvals/') > 0;
