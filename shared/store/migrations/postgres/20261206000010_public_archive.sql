-- The public archive: whether an issued circular is published there and in its Atom feeds
-- (the circular file's `archive`, true unless the file says `archive = false`), 1 or 0.
ALTER TABLE circulars ADD COLUMN archive INTEGER NOT NULL DEFAULT 1 CHECK (archive IN (0, 1));
CREATE INDEX circulars_by_issue ON circulars (issued_at);
