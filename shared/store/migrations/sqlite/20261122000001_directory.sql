-- The directory as issue 5 models it: addressees (organisations and offices) in categories,
-- their contacts, topics of optional circulars and each address's subscriptions, suppressed
-- addresses, and an audit trail of every change. Replaces the flat directory_entries of the
-- first schema (no released database holds them).

DROP TABLE entry_categories;
DROP TABLE directory_entries;
DROP TABLE audience_reasons;
DROP TABLE audience_exclusions;
DROP TABLE audience;

-- Categories of addressees: the standard ones of the fixed wording, and staff's own.
CREATE TABLE categories (
    id         TEXT PRIMARY KEY,                  -- e.g. member-states
    name       TEXT NOT NULL,                     -- for staff; the circular's wording is in locales/
    standard   INTEGER NOT NULL,                  -- 1 for the fixed wording's categories
    created_at TEXT NOT NULL
);
INSERT INTO categories (id, name, standard, created_at) VALUES
    ('member-states', 'Administrations of Member States', 1, '2026-01-01T00:00:00.000000Z'),
    ('palestine', 'State of Palestine', 1, '2026-01-01T00:00:00.000000Z'),
    ('sector-members', 'ITU-T Sector Members', 1, '2026-01-01T00:00:00.000000Z'),
    ('associates', 'ITU-T Associates', 1, '2026-01-01T00:00:00.000000Z'),
    ('academia', 'ITU Academia', 1, '2026-01-01T00:00:00.000000Z'),
    ('permanent-missions', 'Permanent Missions and Embassies in Geneva', 1, '2026-01-01T00:00:00.000000Z'),
    ('international-organizations', 'International, regional and national organizations', 1, '2026-01-01T00:00:00.000000Z'),
    ('satellite-organizations', 'Intergovernmental satellite organizations', 1, '2026-01-01T00:00:00.000000Z'),
    ('united-nations', 'United Nations', 1, '2026-01-01T00:00:00.000000Z'),
    ('specialized-agencies', 'UN specialized agencies and the IAEA', 1, '2026-01-01T00:00:00.000000Z'),
    ('study-group-chairs', 'Chairmen of ITU-T Study Groups', 1, '2026-01-01T00:00:00.000000Z'),
    ('director-bdt', 'Director of the BDT', 1, '2026-01-01T00:00:00.000000Z'),
    ('director-br', 'Director of the BR', 1, '2026-01-01T00:00:00.000000Z'),
    ('secretary-general', 'Secretary-General of the ITU', 1, '2026-01-01T00:00:00.000000Z');

-- Streams of optional circulars a recipient may opt out of (or, when opt-in, into).
CREATE TABLE topics (
    id         TEXT PRIMARY KEY,                  -- e.g. tsb-events
    name       TEXT NOT NULL,
    opt_in     INTEGER NOT NULL,                  -- 1: only those who opted in; 0: all but those who opted out
    created_at TEXT NOT NULL
);

-- Organisations and offices, by the stable key staff give them.
CREATE TABLE addressees (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,              -- e.g. adm-aldoria
    name       TEXT NOT NULL,
    language   TEXT CHECK (language IN ('ar','zh','en','fr','ru','es')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE addressee_categories (
    addressee_id INTEGER NOT NULL REFERENCES addressees (id) ON DELETE CASCADE,
    category     TEXT NOT NULL REFERENCES categories (id),
    PRIMARY KEY (addressee_id, category)
);
CREATE INDEX addressee_categories_by_category ON addressee_categories (category, addressee_id);

-- The people (or functional mailboxes) of an addressee: the recipients.
CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    addressee_id INTEGER NOT NULL REFERENCES addressees (id) ON DELETE CASCADE,
    address      TEXT NOT NULL,                   -- as written
    address_key  TEXT NOT NULL,                   -- normalised: domain lower-cased, IDNA
    name         TEXT NOT NULL,
    language     TEXT CHECK (language IN ('ar','zh','en','fr','ru','es')),
    role         TEXT NOT NULL,
    active       INTEGER NOT NULL,
    source       TEXT NOT NULL,                   -- file:line, or the API call, that last set it
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (addressee_id, address_key)
);
CREATE INDEX contacts_by_address ON contacts (address_key, id);

-- Each address's explicit choice for a topic (no row: the topic's default).
CREATE TABLE subscriptions (
    address_key TEXT NOT NULL,
    topic       TEXT NOT NULL REFERENCES topics (id),
    subscribed  INTEGER NOT NULL,
    set_by      TEXT NOT NULL CHECK (set_by IN ('staff','recipient')),
    source      TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (address_key, topic)
);

-- Addresses that receive nothing, and why.
CREATE TABLE suppressions (
    address_key TEXT PRIMARY KEY,
    reason      TEXT NOT NULL CHECK (reason IN ('unsubscribed','complained','bounced')),
    detail      TEXT NOT NULL,
    since       TEXT NOT NULL
);

-- Every change to the directory: what, when, and by whom or by which import.
CREATE TABLE directory_audit (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,                        -- e.g. import samples/directory/x.csv (by ana), recipient (one-click)
    action  TEXT NOT NULL,                        -- e.g. contact.created, suppression.added
    subject TEXT NOT NULL,                        -- the addressee key or the normalised address
    detail  TEXT NOT NULL                         -- what changed, as JSON
);
CREATE INDEX directory_audit_by_subject ON directory_audit (subject, id);

-- The frozen audience of an issued circular: who, in which language, and why; never rewritten.
CREATE TABLE audience (
    circular_id  TEXT NOT NULL REFERENCES circulars (id),
    address_key  TEXT NOT NULL,
    name         TEXT NOT NULL,
    language     TEXT NOT NULL,
    addressee    TEXT NOT NULL,                   -- the addressee's name, as the mail shows it
    subscription TEXT,                            -- for a topic's circular: why the address gets it
    delivery_ref TEXT NOT NULL,                   -- hex of tokens::DeliveryRef: what signed tokens name
    PRIMARY KEY (circular_id, address_key)
);
CREATE INDEX audience_by_delivery_ref ON audience (delivery_ref);

CREATE TABLE audience_reasons (
    circular_id   TEXT NOT NULL,
    address_key   TEXT NOT NULL,
    category      TEXT NOT NULL,
    contact_id    INTEGER NOT NULL,               -- the contact at the time (may change later)
    addressee_key TEXT NOT NULL,
    addressee     TEXT NOT NULL,
    address       TEXT NOT NULL,                  -- as written in that contact
    source        TEXT NOT NULL,
    PRIMARY KEY (circular_id, address_key, category, contact_id)
);
CREATE INDEX audience_reasons_by_category ON audience_reasons (circular_id, category);

-- Addresses in the circular's categories that were left out, and why.
CREATE TABLE audience_exclusions (
    circular_id TEXT NOT NULL,
    address_key TEXT NOT NULL,
    reason      TEXT NOT NULL,                    -- suppressed, inactive, opted-out, not-opted-in
    detail      TEXT NOT NULL,
    PRIMARY KEY (circular_id, address_key)
);
