-- The images each stored compile shows, and the copies of each the image route may make
-- (app/images/declared-images.server.ts). Written with the compile, in its transaction; a
-- newer version of the entry replaces its rows, so the table holds the images of the
-- stored compiles and nothing older. The route answers only for a row whose compile is
-- still stored: a request cannot make the server resize anything no page shows.
CREATE TABLE entry_images (
  kind TEXT NOT NULL,
  slug TEXT NOT NULL,
  source_hash TEXT NOT NULL,
  -- the first 20 hex digits of the SHA-256 of the image file's bytes
  image_hash TEXT NOT NULL,
  -- the image file, relative to CONTENT_DIR
  path TEXT NOT NULL,
  format TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  -- JSON array of the file names the route may answer for it: "640.avif", "original.svg", "social.jpg"
  variants TEXT NOT NULL,
  PRIMARY KEY (kind, slug, image_hash)
);
CREATE INDEX entry_images_by_hash ON entry_images (image_hash);
