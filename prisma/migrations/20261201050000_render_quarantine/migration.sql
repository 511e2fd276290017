-- Posts set aside because their component ran past RENDER_TIMEOUT_MS at render (a loop, or
-- code that crawls). Keyed by the version that did it: a new source hash, or a new compile
-- pipeline, is a new version and renders again. Written by the render watchdog thread
-- (app/content/render-guard.server.ts) just before it replaces the stuck process, so the
-- post cannot take the next process down too.
CREATE TABLE render_quarantine (
  kind TEXT NOT NULL,
  slug TEXT NOT NULL,
  source_hash TEXT NOT NULL,
  compiler_version INTEGER NOT NULL,
  -- the entry file, relative to CONTENT_DIR (NULL when the index did not know it)
  path TEXT,
  reason TEXT NOT NULL,
  quarantined_at TEXT NOT NULL,
  PRIMARY KEY (kind, slug, source_hash, compiler_version)
);
