-- Up Migration
-- The accounts every accountservice instance serves, seeded once (INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE accountservice.accounts (
  id text PRIMARY KEY,
  name text NOT NULL
);

-- The transactional outbox shared by every instance: seq orders the entries by recording (an identity
-- column: gaps are possible, order among committed entries is by insertion); relays claim rows with
-- SELECT ... FOR UPDATE SKIP LOCKED and delete them once the broker confirmed.
CREATE TABLE accountservice.outbox (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id text NOT NULL,
  body json NOT NULL,
  recorded_at bigint NOT NULL,
  traceparent text
);

-- Down Migration
DROP TABLE accountservice.outbox;
DROP TABLE accountservice.accounts;
