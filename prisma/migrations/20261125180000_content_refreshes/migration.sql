-- Content refreshes (webhook, watcher, start-up): their queue, progress and results.
-- Only the newest refreshes are kept (see refresh.server.ts), so the table stays small.
CREATE TABLE content_refreshes (
  id TEXT PRIMARY KEY,
  -- queued | running | done | failed
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
  -- webhook | watch | startup
  trigger TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  from_commit TEXT,
  -- the commit the content was moved to (null without a content repository)
  commit_sha TEXT,
  -- [{"slug", "kind", "result": "added"|"updated"|"deleted"|"failed", "error"}]
  posts TEXT NOT NULL DEFAULT '[]',
  error TEXT
);
CREATE INDEX content_refreshes_requested ON content_refreshes (requested_at);

-- Small facts Kiln keeps about itself, such as the last refreshed commit.
CREATE TABLE kiln_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
