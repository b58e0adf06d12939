-- Issue 15: who is paged. Weekly rotas, shifts of tier 'off', escalation
-- policies per site and priority, the policy an alert follows, and the
-- on-site reminder, the site's time zone. Additive except for the CHECKs of
-- shifts.tier and alert_timeline.action, which
-- SQLite can only widen by rebuilding the table (same columns, rows kept).

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

CREATE TABLE shifts_006 (
  id         TEXT PRIMARY KEY,
  staff_id   TEXT NOT NULL REFERENCES staff(id),
  site_id    TEXT NOT NULL REFERENCES sites(id),
  starts_at  INTEGER NOT NULL,
  ends_at    INTEGER NOT NULL CHECK (ends_at > starts_at),
  tier       TEXT NOT NULL CHECK (tier IN ('primary','backup','supervisor','off')),
  created_at INTEGER NOT NULL
);
INSERT INTO shifts_006(id, staff_id, site_id, starts_at, ends_at, tier, created_at)
  SELECT id, staff_id, site_id, starts_at, ends_at, tier, created_at FROM shifts;
DROP TABLE shifts;
ALTER TABLE shifts_006 RENAME TO shifts;
CREATE INDEX shifts_by_site_time ON shifts(site_id, ends_at, starts_at);

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

-- The timeline gains `reminded` (acknowledged and not on site in time).
-- SQLite widens a CHECK only by rebuilding the table: same columns and
-- ids, rows kept, the append-only triggers made again (dropping a table
-- fires no triggers).
CREATE TABLE alert_timeline_009 (
  id         INTEGER PRIMARY KEY,
  alert_id   INTEGER NOT NULL REFERENCES alerts(id),
  ts         INTEGER NOT NULL,
  actor      TEXT NOT NULL,          -- "user:ID", "device:ID" or "system"
  action     TEXT NOT NULL CHECK (action IN ('raised','folded','notified','escalated','acknowledged','dispatched','on_site','note','activity','resolved','cancel','reminded')),
  detail     TEXT
);
INSERT INTO alert_timeline_009(id, alert_id, ts, actor, action, detail)
  SELECT id, alert_id, ts, actor, action, detail FROM alert_timeline;
DROP TABLE alert_timeline;
ALTER TABLE alert_timeline_009 RENAME TO alert_timeline;
CREATE INDEX alert_timeline_by_alert ON alert_timeline(alert_id, id);
CREATE TRIGGER alert_timeline_no_update BEFORE UPDATE ON alert_timeline
BEGIN SELECT RAISE(ABORT, 'alert timeline is append-only'); END;
CREATE TRIGGER alert_timeline_no_delete BEFORE DELETE ON alert_timeline
BEGIN SELECT RAISE(ABORT, 'alert timeline is append-only'); END;
