-- Staff accounts with their roles, sessions and API tokens, and a circular's life from draft
-- to issue with four-eyes approval, each step recorded with who took it and from where.

-- The people who use the console, the API and the CLI's --as. roles: a comma-separated list
-- of drafter, approver, operator, admin. password_hash: an Argon2id PHC string.
CREATE TABLE staff_accounts (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    roles         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled_at   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- Signed-in browsers: the cookie holds a random value, the table only its SHA-256.
CREATE TABLE staff_sessions (
    id_hash    TEXT PRIMARY KEY,                  -- hex SHA-256 of the cookie's value
    account_id INTEGER NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,                     -- the forms' hidden field for this session
    client     TEXT NOT NULL,                     -- the address it signed in from
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX staff_sessions_by_account ON staff_sessions (account_id);

-- API tokens (Authorization: Bearer), shown once, kept as SHA-256; they act with the
-- account's roles as they are when used.
CREATE TABLE staff_tokens (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    label        TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,            -- hex SHA-256 of the token
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);

-- Changes to accounts and tokens, and sign-ins refused: who, when, what.
CREATE TABLE staff_audit (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,                        -- the account, system:<user> for the CLI, or config
    via     TEXT NOT NULL CHECK (via IN ('page', 'api', 'cli', 'config')), -- config: [gateway.staff_keys]
    action  TEXT NOT NULL,                        -- account.created, token.revoked, sign-in.refused, …
    subject TEXT NOT NULL,                        -- the account concerned
    detail  TEXT NOT NULL                         -- JSON
);
CREATE INDEX staff_audit_by_subject ON staff_audit (subject, id);

-- A circular's life: draft -> submitted -> approved -> issued (-> paused -> issued, or
-- cancelled); submitted -> draft when sent back; any edit returns it to draft. revision is
-- bumped by every edit, and an approval is of one revision.
ALTER TABLE circulars ADD COLUMN state TEXT NOT NULL DEFAULT 'draft'
    CHECK (state IN ('draft', 'submitted', 'approved', 'issued', 'paused', 'cancelled'));
ALTER TABLE circulars ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE circulars ADD COLUMN drafted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE circulars ADD COLUMN edited_by TEXT NOT NULL DEFAULT '';
ALTER TABLE circulars ADD COLUMN approved_by TEXT;
ALTER TABLE circulars ADD COLUMN approved_at TEXT;
UPDATE circulars SET state = 'issued' WHERE issued_at IS NOT NULL;

-- Every step of every circular: who (account or system:<user>), when, from where, what.
CREATE TABLE circular_audit (
    id          INTEGER PRIMARY KEY,
    circular_id TEXT NOT NULL REFERENCES circulars (id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    via         TEXT NOT NULL CHECK (via IN ('page', 'api', 'cli')),
    action      TEXT NOT NULL,                    -- drafted, edited, submitted, approved, sent-back, issued, …
    detail      TEXT NOT NULL                     -- JSON: the revision, the comment, the fields changed
);
CREATE INDEX circular_audit_by_circular ON circular_audit (circular_id, id);
