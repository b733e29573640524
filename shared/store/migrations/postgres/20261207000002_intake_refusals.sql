-- What the returned-mail intake refused, counted by the hour for the operations dashboard:
-- hour is the start of the clock hour (UTC, stored like every timestamp), reason a short stable
-- key (client-refused, rate-limited, recipient-refused, too-big, not-stored, ...). Never the
-- client's address: the logs name it, this table only counts.
CREATE TABLE intake_refusals (
    hour   TEXT NOT NULL,
    reason TEXT NOT NULL,
    count  BIGINT NOT NULL CHECK (count > 0),
    PRIMARY KEY (hour, reason)
);
