-- Issue 15: who is paged. Weekly rotas, shifts of tier 'off', escalation
-- policies per site and priority, the policy an alert follows, the
-- on-site reminder and the site's time zone. The same schema as
-- db/migrations/010_rotas_policies.sql.

CREATE TABLE rotas (
  rowid      BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  id         TEXT PRIMARY KEY,
  site_id    TEXT NOT NULL REFERENCES sites(id),
  staff_id   TEXT NOT NULL REFERENCES staff(id),
  tier       TEXT NOT NULL CHECK (tier IN ('primary','backup','supervisor')),
  days       TEXT NOT NULL,          -- JSON array of "mon".."sun"
  from_hhmm  TEXT NOT NULL,          -- local "HH:MM"
  to_hhmm    TEXT NOT NULL,          -- <= from_hhmm crosses midnight
  starts_on  TEXT,                   -- "YYYY-MM-DD" or NULL
  ends_on    TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX rotas_by_site ON rotas(site_id);

ALTER TABLE shifts DROP CONSTRAINT shifts_tier_check;
ALTER TABLE shifts ADD CONSTRAINT shifts_tier_check
  CHECK (tier IN ('primary','backup','supervisor','off'));

-- One policy per site and priority (1-4); no row: the default ladder.
CREATE TABLE escalation_policies (
  site_id    TEXT NOT NULL REFERENCES sites(id),
  priority   INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
  policy     TEXT NOT NULL,          -- JSON {"steps": [...], "repeat_s": N}
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (site_id, priority)
);

ALTER TABLE sites ADD COLUMN onsite_timeout_s INTEGER NOT NULL DEFAULT 2700;
-- IANA zone of the site's rotas; NULL: the configured `timezone`.
ALTER TABLE sites ADD COLUMN timezone TEXT;

-- The policy in force when the alert was raised (NULL: the default
-- ladder of the configured step times), the next on-site reminder and
-- how many were sent.
ALTER TABLE alerts ADD COLUMN policy TEXT;
ALTER TABLE alerts ADD COLUMN next_reminder_at BIGINT;
ALTER TABLE alerts ADD COLUMN reminders INTEGER NOT NULL DEFAULT 0;
CREATE INDEX alerts_reminder_due ON alerts(next_reminder_at) WHERE next_reminder_at IS NOT NULL;

-- The timeline gains `reminded` (acknowledged and not on site in time);
-- `delivered` / `delivery_failed` (contract section 4) are allowed too.
ALTER TABLE alert_timeline DROP CONSTRAINT alert_timeline_action_check;
ALTER TABLE alert_timeline ADD CONSTRAINT alert_timeline_action_check
  CHECK (action IN ('raised','folded','notified','escalated','acknowledged','dispatched','on_site','note','activity','resolved','cancel','reminded',
                    'delivered','delivery_failed'));
