-- The frozen audience is written once per recipient at the freeze (tens of thousands of rows a
-- second) and then read by its primary key. As rowid tables, `audience` and `audience_reasons`
-- kept each row twice: in the table's rowid B-tree and in the primary key's index. Stored
-- WITHOUT ROWID, the primary key is the table, so each recipient costs one B-tree insert fewer
-- in each table (docs/BENCHMARKS.md, the freeze). Same columns, keys and indexes as before.
CREATE TABLE audience_new (
    circular_id  TEXT NOT NULL REFERENCES circulars (id),
    address_key  TEXT NOT NULL,
    name         TEXT NOT NULL,
    language     TEXT NOT NULL,
    addressee    TEXT NOT NULL,                   -- the addressee's name, as the mail shows it
    subscription TEXT,                            -- for a topic's circular: why the address gets it
    delivery_ref TEXT NOT NULL,                   -- hex of tokens::DeliveryRef: what signed tokens name
    PRIMARY KEY (circular_id, address_key)
) WITHOUT ROWID;
INSERT INTO audience_new SELECT circular_id, address_key, name, language, addressee, subscription, delivery_ref FROM audience;
DROP TABLE audience;
ALTER TABLE audience_new RENAME TO audience;
CREATE INDEX audience_by_delivery_ref ON audience (delivery_ref);

CREATE TABLE audience_reasons_new (
    circular_id   TEXT NOT NULL,
    address_key   TEXT NOT NULL,
    category      TEXT NOT NULL,
    contact_id    INTEGER NOT NULL,               -- the contact at the time (may change later)
    addressee_key TEXT NOT NULL,
    addressee     TEXT NOT NULL,
    address       TEXT NOT NULL,                  -- as written in that contact
    source        TEXT NOT NULL,
    PRIMARY KEY (circular_id, address_key, category, contact_id)
) WITHOUT ROWID;
INSERT INTO audience_reasons_new SELECT circular_id, address_key, category, contact_id, addressee_key, addressee, address, source FROM audience_reasons;
DROP TABLE audience_reasons;
ALTER TABLE audience_reasons_new RENAME TO audience_reasons;
CREATE INDEX audience_reasons_by_category ON audience_reasons (circular_id, category);

CREATE TABLE audience_exclusions_new (
    circular_id TEXT NOT NULL,
    address_key TEXT NOT NULL,
    reason      TEXT NOT NULL,                    -- suppressed, inactive, opted-out, not-opted-in
    detail      TEXT NOT NULL,
    PRIMARY KEY (circular_id, address_key)
) WITHOUT ROWID;
INSERT INTO audience_exclusions_new SELECT circular_id, address_key, reason, detail FROM audience_exclusions;
DROP TABLE audience_exclusions;
ALTER TABLE audience_exclusions_new RENAME TO audience_exclusions;
