-- Annexes, stored once per circular (never inside NATS messages), and the Reply-To of each
-- language version.

-- Each distinct annex file of a circular, once (a fallback file serves several languages).
CREATE TABLE annex_contents (
    circular_id  TEXT NOT NULL REFERENCES circulars (id) ON DELETE CASCADE,
    digest       TEXT NOT NULL,               -- SHA-256 of the content, hex
    content      BLOB NOT NULL,
    PRIMARY KEY (circular_id, digest)
);

-- Which file each language gets for each annex.
CREATE TABLE annexes (
    circular_id  TEXT NOT NULL REFERENCES circulars (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,            -- 1-based order in the circular file
    language     TEXT NOT NULL,               -- the language this file serves
    file_name    TEXT NOT NULL,               -- the name the recipient sees (annex1.pdf)
    source       TEXT NOT NULL,               -- the file it was read from (annex1.fr.pdf)
    content_type TEXT NOT NULL,
    digest       TEXT NOT NULL,
    PRIMARY KEY (circular_id, position, language),
    FOREIGN KEY (circular_id, digest) REFERENCES annex_contents (circular_id, digest)
);

ALTER TABLE renditions ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
