-- Search in languages written without spaces (Chinese, Japanese, Thai, ...). unicode61
-- keeps a run of such letters as one token (a whole clause), so a word inside it is never
-- found. search_trigram holds the same columns with FTS5's trigram tokenizer, which finds
-- any substring of 3 or more characters; it holds only the documents that contain such
-- letters (writeSearchDocument decides), so an English blog pays nothing for it.
-- rowid = search_documents.id, as in search_index.
CREATE VIRTUAL TABLE search_trigram USING fts5(title, description, tags, body, tokenize = 'trigram');

-- Every document is made again by the next sync (it remakes the documents it has no
-- record of), so the documents indexed before this table existed get their trigram row.
DELETE FROM search_index;
DELETE FROM search_documents;
