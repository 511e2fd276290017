-- A refresh cut short by a crash (left queued or running) is marked at the next start:
-- status becomes 'failed' (the CHECK of the original table stays as it is: this is an
-- additive migration) and interrupted_at says when the crash was noticed. Kiln reports
-- such a row as 'interrupted'.
ALTER TABLE content_refreshes ADD COLUMN interrupted_at TEXT;
