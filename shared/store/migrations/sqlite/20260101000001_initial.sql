-- circulars: the first schema. Timestamps are RFC 3339 UTC text.

-- Circulars as drafted, and their lifecycle marks.
CREATE TABLE circulars (
    id                 TEXT PRIMARY KEY,          -- SERIES-NUMBER, e.g. TSB-36
    document           TEXT NOT NULL,             -- the circular as JSON (shared::domain::Circular)
    source             TEXT NOT NULL,             -- the file it was drafted from
    drafted_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    issued_at          TEXT,                      -- set once, by `issue`
    announced_at       TEXT,                      -- circular.issued acknowledged by JetStream
    audience_frozen_at TEXT,                      -- set by the directory with the audience
    audience_size      INTEGER
);

-- The directory: one row per (addressee, contact address).
CREATE TABLE directory_entries (
    id          INTEGER PRIMARY KEY,
    addressee   TEXT NOT NULL,                    -- the organisation or office
    address     TEXT NOT NULL,                    -- as written in the file
    address_key TEXT NOT NULL,                    -- normalised: domain lower-cased, IDNA
    name        TEXT NOT NULL,
    language    TEXT NOT NULL CHECK (language IN ('ar','zh','en','fr','ru','es')),
    status      TEXT NOT NULL CHECK (status IN ('active','unsubscribed')),
    source      TEXT NOT NULL,                    -- file:line of the last import that set it
    updated_at  TEXT NOT NULL,
    UNIQUE (addressee, address_key)
);
CREATE INDEX directory_entries_by_address ON directory_entries (address_key);

CREATE TABLE entry_categories (
    entry_id INTEGER NOT NULL REFERENCES directory_entries (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    PRIMARY KEY (entry_id, category)
);
CREATE INDEX entry_categories_by_category ON entry_categories (category);

-- The frozen audience of an issued circular: who, in which language, and why.
CREATE TABLE audience (
    circular_id TEXT NOT NULL REFERENCES circulars (id),
    address_key TEXT NOT NULL,
    name        TEXT NOT NULL,
    language    TEXT NOT NULL,
    addressee   TEXT NOT NULL,
    PRIMARY KEY (circular_id, address_key)
);

CREATE TABLE audience_reasons (
    circular_id TEXT NOT NULL,
    address_key TEXT NOT NULL,
    category    TEXT NOT NULL,
    entry_id    INTEGER NOT NULL,                 -- the directory entry at the time (may change later)
    addressee   TEXT NOT NULL,
    address     TEXT NOT NULL,                    -- as written in that entry
    source      TEXT NOT NULL,
    PRIMARY KEY (circular_id, address_key, category, entry_id)
);
CREATE INDEX audience_reasons_by_category ON audience_reasons (circular_id, category);

-- Addresses in the circular's categories that were left out, and why.
CREATE TABLE audience_exclusions (
    circular_id TEXT NOT NULL,
    address_key TEXT NOT NULL,
    reason      TEXT NOT NULL,                    -- 'unsubscribed'
    detail      TEXT NOT NULL,                    -- the entries that say so
    PRIMARY KEY (circular_id, address_key)
);

-- Each language version, rendered once per circular.
CREATE TABLE renditions (
    circular_id TEXT NOT NULL,
    language    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    text_body   TEXT NOT NULL,
    html_body   TEXT NOT NULL,
    rendered_at TEXT NOT NULL,
    PRIMARY KEY (circular_id, language)
);

-- The current state of every delivery, and every state change it went through.
CREATE TABLE deliveries (
    circular_id   TEXT NOT NULL,
    address_key   TEXT NOT NULL,
    state         TEXT NOT NULL,
    state_rank    INTEGER NOT NULL,
    attempt       INTEGER NOT NULL,
    smtp_code     INTEGER,
    smtp_enhanced TEXT,
    smtp_text     TEXT,
    detail        TEXT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (circular_id, address_key)
);

CREATE TABLE delivery_history (
    id            INTEGER PRIMARY KEY,
    circular_id   TEXT NOT NULL,
    address_key   TEXT NOT NULL,
    state         TEXT NOT NULL,
    attempt       INTEGER NOT NULL,
    smtp_code     INTEGER,
    smtp_enhanced TEXT,
    smtp_text     TEXT,
    detail        TEXT,
    at            TEXT NOT NULL,
    UNIQUE (circular_id, address_key, state, attempt)
);
