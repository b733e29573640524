-- Why returned mail says a delivery failed (`user_unknown`, `mailbox_full`, `blocked`, …: the
-- wire names of circulars_bounce_reports::Reason), on a `bounced` delivery and its history
-- entry, and on what a returned mail said about a delivery. NULL for every other state, and
-- for what was recorded before reasons were kept.
-- The hard-bounce rule counts a bounced delivery only when its reason says the address is dead
-- (user_unknown, host_unknown, has_moved, expired), or when it has none (the old rows).
ALTER TABLE deliveries ADD COLUMN bounce_reason TEXT;
ALTER TABLE delivery_history ADD COLUMN bounce_reason TEXT;
ALTER TABLE delivery_reports ADD COLUMN bounce_reason TEXT;
