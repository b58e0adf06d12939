-- Issue 15: who is paged. Weekly rotas, shifts of tier 'off', escalation
-- policies per site and priority, the policy an alert follows, and the
-- on-site reminder, the site's time zone. Additive except for the CHECKs of
-- shifts.tier and alert_timeline.action, which are widened below.

CREATE TABLE rotas (
  id         TEXT PRIMARY KEY,
  site_id    TEXT NOT NULL REFERENCES sites(id),
  staff_id   TEXT NOT NULL REFERENCES staff(id),
  tier       TEXT NOT NULL CHECK (tier IN ('primary','backup','supervisor')),
  days       TEXT NOT NULL,          -- JSON array of "mon".."sun"
  from_hhmm  TEXT NOT NULL,          -- local "HH:MM"
  to_hhmm    TEXT NOT NULL,          -- <= from_hhmm crosses midnight
  starts_on  TEXT,                   -- "YYYY-MM-DD" or NULL
  ends_on    TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX rotas_by_site ON rotas(site_id);

-- Shifts gain tier 'off'. SQLite cannot alter a CHECK: the tier column is
-- swapped in place (a new column with the wider check takes the values,
-- the old one is dropped, the new one renamed), so every other column,
-- whichever migration added it, and every row and key stay (as 008 does
-- for staff.role).
ALTER TABLE shifts ADD COLUMN tier_v10 TEXT NOT NULL DEFAULT 'primary'
  CHECK (tier_v10 IN ('primary','backup','supervisor','off'));
UPDATE shifts SET tier_v10 = tier;
ALTER TABLE shifts DROP COLUMN tier;
ALTER TABLE shifts RENAME COLUMN tier_v10 TO tier;

-- One policy per site and priority (1-4); no row: the default ladder.
CREATE TABLE escalation_policies (
  site_id    TEXT NOT NULL REFERENCES sites(id),
  priority   INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
  policy     TEXT NOT NULL,          -- JSON {"steps": [...], "repeat_s": N}
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (site_id, priority)
);

ALTER TABLE sites ADD COLUMN onsite_timeout_s INTEGER NOT NULL DEFAULT 2700;
-- IANA zone of the site's rotas; NULL: the configured `timezone`.
ALTER TABLE sites ADD COLUMN timezone TEXT;

-- The policy in force when the alert was raised (NULL: the default
-- ladder of the configured step times), the next on-site reminder and
-- how many were sent.
ALTER TABLE alerts ADD COLUMN policy TEXT;
ALTER TABLE alerts ADD COLUMN next_reminder_at INTEGER;
ALTER TABLE alerts ADD COLUMN reminders INTEGER NOT NULL DEFAULT 0;
CREATE INDEX alerts_reminder_due ON alerts(next_reminder_at) WHERE next_reminder_at IS NOT NULL;

-- The timeline gains `reminded` (acknowledged and not on site in time),
-- and the `delivered` / `delivery_failed` lines of contract section 4 are
-- allowed too, whichever of issues 14 and 15 lands first. The action
-- column is swapped in place like shifts.tier; the append-only triggers
-- are dropped for the copy and made again.
DROP TRIGGER alert_timeline_no_update;
DROP TRIGGER alert_timeline_no_delete;
ALTER TABLE alert_timeline ADD COLUMN action_v10 TEXT NOT NULL DEFAULT 'note'
  CHECK (action_v10 IN ('raised','folded','notified','escalated','acknowledged','dispatched',
                       'on_site','note','activity','resolved','cancel','reminded','delivered',
                       'delivery_failed'));
UPDATE alert_timeline SET action_v10 = action;
ALTER TABLE alert_timeline DROP COLUMN action;
ALTER TABLE alert_timeline RENAME COLUMN action_v10 TO action;
CREATE TRIGGER alert_timeline_no_update BEFORE UPDATE ON alert_timeline
BEGIN SELECT RAISE(ABORT, 'alert timeline is append-only'); END;
CREATE TRIGGER alert_timeline_no_delete BEFORE DELETE ON alert_timeline
BEGIN SELECT RAISE(ABORT, 'alert timeline is append-only'); END;
