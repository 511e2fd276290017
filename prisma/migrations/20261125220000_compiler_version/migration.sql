-- Which version of Kiln's compile pipeline made a stored compile or failure
-- (app/content/compiler-version.ts). A row from an older pipeline is not served as
-- current: the post is compiled again, once, by the new one.
ALTER TABLE compiled_entries ADD COLUMN compiler_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE compile_failures ADD COLUMN compiler_version INTEGER NOT NULL DEFAULT 0;
