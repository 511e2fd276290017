-- Which indexed entries a reader may see, written once: lists, tags, counts, the post
-- footer and search read these views instead of repeating the conditions.
--   valid_entries      the frontmatter could be read and has what its kind requires (an
--                      entry with an error has no title or date to trust); an admin sees these
--   published_entries  valid, and not a draft: what everyone else sees
-- SQLite folds a view this simple into the query that reads it, so the listing index on
-- content_entries serves the lists as before.
--
-- A later migration that rebuilds content_entries (create a new table, copy, drop, rename)
-- must drop these views first and create them again after: SQLite refuses to rename a
-- table into place while a view names the one that was dropped. Adding a column needs
-- nothing: `*` is expanded when the schema is read.
CREATE VIEW valid_entries AS
  SELECT * FROM content_entries WHERE frontmatter_error IS NULL;

CREATE VIEW published_entries AS
  SELECT * FROM valid_entries WHERE draft = 0;
