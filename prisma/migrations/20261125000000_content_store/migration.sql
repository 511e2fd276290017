-- The content index: one row per post or page found in the content folder, kept in
-- step with it. Lists read from here, never by compiling posts.
CREATE TABLE content_entries (
  kind TEXT NOT NULL CHECK (kind IN ('post', 'page')),
  slug TEXT NOT NULL,
  -- the entry file, relative to CONTENT_DIR
  path TEXT NOT NULL,
  -- sha256 of the entry file and its sibling files: the version of the post
  source_hash TEXT NOT NULL,
  -- [[relative path, mtimeMs, size], ...] of the files hashed, to notice changes cheaply
  files TEXT NOT NULL,
  title TEXT,
  date TEXT,
  updated TEXT,
  description TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  draft INTEGER NOT NULL DEFAULT 0,
  word_count INTEGER NOT NULL DEFAULT 0,
  frontmatter TEXT NOT NULL DEFAULT '{}',
  -- set when the frontmatter cannot be read or lacks a required field
  frontmatter_error TEXT,
  indexed_at TEXT NOT NULL,
  PRIMARY KEY (kind, slug)
);
CREATE INDEX content_entries_listing ON content_entries (kind, draft, date DESC);

-- Compiled posts keyed by slug and source hash. Only the newest good version of a slug
-- is kept besides the current one, so the table cannot grow past about one row per post.
CREATE TABLE compiled_entries (
  kind TEXT NOT NULL,
  slug TEXT NOT NULL,
  source_hash TEXT NOT NULL,
  code TEXT NOT NULL,
  frontmatter TEXT NOT NULL,
  headings TEXT NOT NULL,
  reading_minutes INTEGER NOT NULL,
  word_count INTEGER NOT NULL,
  warnings TEXT NOT NULL,
  compile_ms REAL NOT NULL,
  compiled_at TEXT NOT NULL,
  PRIMARY KEY (kind, slug, source_hash)
);

-- The last compile failure of each entry, so a broken version is not recompiled on
-- every request and its error can be shown to the author.
CREATE TABLE compile_failures (
  kind TEXT NOT NULL,
  slug TEXT NOT NULL,
  source_hash TEXT NOT NULL,
  message TEXT NOT NULL,
  file TEXT,
  line INTEGER,
  column INTEGER,
  failed_at TEXT NOT NULL,
  PRIMARY KEY (kind, slug)
);
