-- A read is also counted once per client per post per UTC day, so that dropping the
-- visitor cookie does not count a read again: post_view_clients holds a hash of the
-- client's address and user agent with a salt that lives only in the server's memory
-- and changes every UTC day. Neither the address nor the agent is stored, and once the
-- day's salt is gone no hash can be linked to anything; the rows of earlier days are
-- deleted at the first read of a new day.
CREATE TABLE post_view_clients (
  slug TEXT NOT NULL,
  day TEXT NOT NULL,
  client_hash TEXT NOT NULL,
  PRIMARY KEY (slug, day, client_hash)
) WITHOUT ROWID;
CREATE INDEX post_view_clients_day ON post_view_clients (day);
