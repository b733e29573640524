-- The language of future circulars a recipient chose for their address (on the preferences
-- page): it wins over the contact's and the addressee's language when an audience is frozen,
-- and an import of the directory never changes it (its report says so). Deleted when the
-- person is forgotten.
CREATE TABLE language_choices (
    address_key TEXT PRIMARY KEY,
    language    TEXT NOT NULL CHECK (language IN ('ar','zh','en','fr','ru','es')),
    source      TEXT NOT NULL,                   -- what set it: "preferences page"
    updated_at  TEXT NOT NULL
);
