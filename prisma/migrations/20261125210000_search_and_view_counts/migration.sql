-- Full-text search over posts and pages (SQLite FTS5). search_documents maps an entry to
-- its row in the FTS table and records which version of the source was indexed, so a sync
-- can tell an entry that still needs indexing (new, changed, or indexed before this
-- table existed) from one that is up to date. Both are written in the content index's
-- sync transaction.
CREATE TABLE search_documents (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  slug TEXT NOT NULL,
  source_hash TEXT NOT NULL,
  UNIQUE (kind, slug)
);
-- rowid = search_documents.id. Columns in ranking order: bm25 weighs title highest.
CREATE VIRTUAL TABLE search_index USING fts5(title, description, tags, body, tokenize = 'unicode61 remove_diacritics 2');

-- View counts. A read counts once per visitor per post per UTC day: post_view_visits
-- remembers who was counted today (a hash of the day and the visitor's random cookie id,
-- never an address) and is pruned after two days, so it stays the size of two days of
-- readers; post_views holds the totals.
CREATE TABLE post_views (
  slug TEXT PRIMARY KEY,
  views INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE post_view_visits (
  slug TEXT NOT NULL,
  day TEXT NOT NULL,
  visitor_hash TEXT NOT NULL,
  PRIMARY KEY (slug, day, visitor_hash)
) WITHOUT ROWID;
CREATE INDEX post_view_visits_day ON post_view_visits (day);
