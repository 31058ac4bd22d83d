-- Up Migration
-- Every vipservice instance's offers, one row per account.
CREATE TABLE vipservice.offers (
  account_id text PRIMARY KEY,
  offer_id text NOT NULL,
  created_at text NOT NULL,
  notifications integer NOT NULL,
  last_read_at text NOT NULL
);

-- The inbox: the identity (dedup key) of every notification counted, with when (ms since epoch, the
-- store's steady clock). Its primary key is what makes two instances never count one notification twice.
CREATE TABLE vipservice.inbox (
  dedup_key text PRIMARY KEY,
  seen_at bigint NOT NULL
);
CREATE INDEX inbox_seen_at ON vipservice.inbox (seen_at);

-- Down Migration
DROP TABLE vipservice.inbox;
DROP TABLE vipservice.offers;
