-- Admin accounts. Passwords are scrypt hashes: "scrypt$N$r$p$salt$hash" (base64 parts).
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  is_admin INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);

-- Sign-in sessions; the cookie holds the id, signed. Expired rows are deleted as they are met
-- and by a sweep, so the table holds only live sessions.
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed sign-ins, for the lockout (per account and per address, 15 minutes).
CREATE TABLE login_failures (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE,
  address TEXT NOT NULL,
  failed_at TEXT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, failed_at);
CREATE INDEX login_failures_address ON login_failures (address, failed_at);

-- Heap snapshots and profiles downloaded by admins (the newest 200 are kept).
CREATE TABLE diagnostic_downloads (
  id INTEGER PRIMARY KEY,
  user_email TEXT NOT NULL,
  kind TEXT NOT NULL,
  started_at TEXT NOT NULL,
  duration_ms REAL NOT NULL,
  bytes INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('complete', 'aborted', 'failed'))
);
