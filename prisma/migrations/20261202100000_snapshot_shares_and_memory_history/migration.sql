-- Links that let someone without an account download one kept heap snapshot until they
-- expire or are revoked. The token itself is never stored: only its share id is, and the
-- token is an HMAC of that id and the expiry (app/diagnostics/snapshot-shares.server.ts).
CREATE TABLE snapshot_shares (
  id INTEGER PRIMARY KEY,
  snapshot_id TEXT NOT NULL,
  gzip INTEGER NOT NULL DEFAULT 0,
  nonce TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT
);

-- Every download through a share link (the newest 200 are kept).
CREATE TABLE snapshot_share_downloads (
  id INTEGER PRIMARY KEY,
  share_id INTEGER NOT NULL,
  snapshot_id TEXT NOT NULL,
  address TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  started_at TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('complete', 'aborted', 'failed'))
);

-- The memory history that survives restarts: one row per window (5 minutes) per instance,
-- bounded. heap_min is the smallest heap in use seen in the window: the heap after garbage
-- collection.
CREATE TABLE memory_history (
  id INTEGER PRIMARY KEY,
  hostname TEXT NOT NULL,
  at TEXT NOT NULL,
  heap_min INTEGER NOT NULL,
  heap_max INTEGER NOT NULL,
  rss_max INTEGER NOT NULL,
  rss_last INTEGER NOT NULL
);
CREATE INDEX memory_history_at ON memory_history (hostname, at);
