-- Deferred mail parked outside the live work queue until its next attempt is due: the
-- dispatcher writes the job for attempt n+1 here, and its scheduler queues it again on
-- `mail.outbound.<circular>` (Nats-Msg-Id `<circular>:<address>:<n+1>`) once `due_at` passes.
-- `leased_until` is set when a scheduler takes the row: a row found with a lease may have been
-- published before, so a duplicate publish ack is expected for it and for no other row.
CREATE TABLE delivery_retries (
    circular_id  TEXT NOT NULL,
    address_key  TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    due_at       TEXT NOT NULL,
    job          TEXT NOT NULL,
    leased_until TEXT,
    PRIMARY KEY (circular_id, address_key)
);
CREATE INDEX delivery_retries_due ON delivery_retries (due_at);
