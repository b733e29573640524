-- Returned mail as it came in (bounces, delay warnings, complaints, mailed unsubscribes), kept
-- whole so that nothing the intake accepted is lost, with what was made of it. The id is the
-- SHA-256 of the raw message (hex): the same message received twice is one report.
-- state: received (stored, not applied yet), applied (changed delivery records or the
-- directory), unmatched (names no delivery we can find: kept for operations), ignored (not a
-- bounce: an auto-reply, ordinary mail).
CREATE TABLE inbound_reports (
    id          TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('smtp', 'imap', 'file')),
    envelope_to TEXT NOT NULL,
    size        INTEGER NOT NULL,
    raw         BYTEA NOT NULL,
    form        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('received', 'applied', 'unmatched', 'ignored')),
    detail      TEXT
);
CREATE INDEX inbound_reports_state ON inbound_reports (state, received_at);

-- What each report said about one delivery: the reason a delivery is bounced or complained,
-- and every delay warning after a "250", with the remote server's words.
CREATE TABLE delivery_reports (
    report_id     TEXT NOT NULL REFERENCES inbound_reports (id),
    circular_id   TEXT NOT NULL,
    address_key   TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('permanent', 'temporary', 'complaint', 'unsubscribe')),
    status        TEXT,
    diagnostic    TEXT,
    remote_mta    TEXT,
    feedback_type TEXT,
    at            TEXT NOT NULL,
    PRIMARY KEY (report_id, circular_id, address_key)
);
CREATE INDEX delivery_reports_delivery ON delivery_reports (circular_id, address_key);
