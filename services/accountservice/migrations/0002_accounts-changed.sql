-- Up Migration
-- Every change of an account is announced on channel goblog_accounts (payload: its id), so that the
-- instances caching accounts forget it at once, whoever made the change (a service, psql, a migration).
CREATE FUNCTION accountservice.account_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('goblog_accounts', COALESCE(NEW.id, OLD.id));
  RETURN NULL;
END $$;
CREATE TRIGGER account_changed AFTER INSERT OR UPDATE OR DELETE ON accountservice.accounts
  FOR EACH ROW EXECUTE FUNCTION accountservice.account_changed();

-- Down Migration
DROP TRIGGER account_changed ON accountservice.accounts;
DROP FUNCTION accountservice.account_changed();
