-- Degraded is never final (DESIGN.md, decision 10).
-- A compile that timed out, ran out of memory or lost its thread is recorded as failed
-- for that version, and tried again at retry_at (a back-off that grows with attempts),
-- or at once when the source changes. NULL: the post itself is broken; it waits for an edit.
ALTER TABLE compile_failures ADD COLUMN retry_at TEXT;
ALTER TABLE compile_failures ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
-- A compile made while a code block could not be highlighted for a passing reason (the
-- highlight job timed out or crashed) is served, but compiled again later and replaced.
ALTER TABLE compiled_entries ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;
