-- A delivery whose relay reply was lost after the whole message was sent is recorded `sent`
-- with the number of attempts that reached that point: the relay may have stored the mail
-- (once, or once per such attempt). 0 for every other delivery and history entry.
ALTER TABLE deliveries ADD COLUMN unconfirmed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE delivery_history ADD COLUMN unconfirmed BIGINT NOT NULL DEFAULT 0;
