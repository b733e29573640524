-- Annexes, stored once per circular (never inside NATS messages), and the Reply-To of each
-- language version.

CREATE TABLE annexes (
    circular_id  TEXT NOT NULL REFERENCES circulars (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,            -- 1-based order in the circular file
    language     TEXT NOT NULL,               -- the language this file serves
    file_name    TEXT NOT NULL,               -- the name the recipient sees (annex1.pdf)
    source       TEXT NOT NULL,               -- the file it was read from (annex1.fr.pdf)
    content_type TEXT NOT NULL,
    content      BLOB NOT NULL,
    PRIMARY KEY (circular_id, position, language)
);

ALTER TABLE renditions ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
