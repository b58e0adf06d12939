-- CareNet schema, version 2, PostgreSQL: as db/migrations/002_service_net.sql.

ALTER TABLE residents ADD COLUMN home_since BIGINT;
ALTER TABLE residents ADD COLUMN last_checkin_at BIGINT;

-- home_since follows every change of presence back to `home`.
CREATE FUNCTION residents_home_since() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.home_since := NEW.updated_at;
  RETURN NEW;
END $$;
CREATE TRIGGER residents_home_since BEFORE UPDATE OF presence ON residents
  FOR EACH ROW WHEN (NEW.presence = 'home' AND OLD.presence <> 'home')
  EXECUTE FUNCTION residents_home_since();

CREATE UNIQUE INDEX attendance_one_open ON attendance(resident_id) WHERE check_out_at IS NULL;

CREATE INDEX requests_by_window_end ON requests(window_end);
