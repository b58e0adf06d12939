-- CareNet schema, version 2: what the service net (issue 6) needs beyond
-- version 1. Times are INTEGER epoch milliseconds UTC.

-- The inactivity clock counts from the later of the last activity and the
-- resident's return home (from day care, or from `away`): someone who was
-- out all day is not "inactive" the moment they come back.
ALTER TABLE residents ADD COLUMN home_since INTEGER;
-- The latest `checkin` event, so the missed_checkin deadline can be
-- computed again when checkin_by changes.
ALTER TABLE residents ADD COLUMN last_checkin_at INTEGER;

-- home_since follows every change of presence back to `home`, whoever
-- makes it (PATCH, day-care check-out, presence_until running out): each
-- of those writes updated_at with the same statement.
CREATE TRIGGER residents_home_since AFTER UPDATE OF presence ON residents
  WHEN NEW.presence = 'home' AND OLD.presence <> 'home'
BEGIN
  UPDATE residents SET home_since = NEW.updated_at WHERE id = NEW.id;
END;

-- A resident has at most one open day-care entry (checked in, not out).
CREATE UNIQUE INDEX attendance_one_open ON attendance(resident_id) WHERE check_out_at IS NULL;

-- The response report counts the visits whose window ended in a period.
CREATE INDEX requests_by_window_end ON requests(window_end);
