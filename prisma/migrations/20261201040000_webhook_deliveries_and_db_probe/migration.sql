-- Webhook deliveries already acted on, by their X-GitHub-Delivery id, so a replayed
-- delivery starts no second refresh. Kept for a day and at most 10,000 rows
-- (app/content/webhook-deliveries.server.ts prunes as new ones arrive).
CREATE TABLE webhook_deliveries (
  delivery_id TEXT PRIMARY KEY,
  -- the refresh the first delivery started or joined
  refresh_id TEXT NOT NULL,
  -- milliseconds since the epoch
  received_at INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);

-- One row the health probe rewrites (at most once a second) to learn that the
-- database still takes writes (app/db/health.server.ts).
CREATE TABLE db_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  probed_at TEXT NOT NULL
);
