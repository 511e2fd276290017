-- Scheduled posts: the instant a post goes public (UTC milliseconds, from its `date` read in
-- SITE_TIMEZONE when it names no zone; publish-time.ts). NULL for pages, which have no date.
-- The index's format moves with this column, so the next sync fills it for every entry.
ALTER TABLE content_entries ADD COLUMN publish_at INTEGER;

-- published_entries now also leaves out posts whose instant is still ahead. "Now" is read
-- in an uncorrelated subquery, which SQLite evaluates once per statement rather than once
-- per row; a reader's lists need no parameter, and the content version moves at each
-- instant (schedule.server.ts), so the page cache never keeps a list across one.
DROP VIEW published_entries;
CREATE VIEW published_entries AS
  SELECT * FROM valid_entries
  WHERE draft = 0
    AND (publish_at IS NULL OR publish_at <= (SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER)));

-- Preview links: anyone holding one may read a draft or scheduled post. Only the token's
-- SHA-256 is kept (as sessions are), so a copy of the database opens no preview.
CREATE TABLE preview_links (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('post', 'page')),
  slug TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX preview_links_entry ON preview_links (kind, slug);
