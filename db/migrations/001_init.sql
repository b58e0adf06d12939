-- CareNet schema, version 1. Times are INTEGER epoch milliseconds UTC.
-- Ids that the API shows are TEXT; high-volume rows (events, alerts,
-- timeline, notifications) use INTEGER keys and are shown as strings.

CREATE TABLE sites (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  address     TEXT,
  phone       TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE staff (
  id            TEXT PRIMARY KEY,
  site_id       TEXT REFERENCES sites(id),
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin','coordinator','caregiver','volunteer','family')),
  phone         TEXT,
  username      TEXT NOT NULL UNIQUE,
  password_hash TEXT,               -- Argon2id string from libsodium; NULL: no password login
  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
  skills        TEXT NOT NULL DEFAULT '[]', -- JSON array of service categories
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX staff_by_site ON staff(site_id, role);

-- API tokens are stored only as SHA-256 hashes of the 256-bit secret.
CREATE TABLE api_tokens (
  token_hash  BLOB PRIMARY KEY,
  staff_id    TEXT NOT NULL REFERENCES staff(id),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER,              -- NULL: does not expire (bootstrap)
  revoked_at  INTEGER
) WITHOUT ROWID;
CREATE INDEX api_tokens_by_staff ON api_tokens(staff_id);

CREATE TABLE residents (
  id                 TEXT PRIMARY KEY,
  site_id            TEXT NOT NULL REFERENCES sites(id),
  name               TEXT NOT NULL,
  birth_date         TEXT,
  address            TEXT,
  phone              TEXT,
  emergency_contacts TEXT NOT NULL DEFAULT '[]',   -- JSON array
  care_level         TEXT,
  status             TEXT NOT NULL DEFAULT 'enrolled' CHECK (status IN ('enrolled','paused','discharged')),
  presence           TEXT NOT NULL DEFAULT 'home' CHECK (presence IN ('home','daycare','away')),
  presence_until     INTEGER,
  active_from        TEXT NOT NULL DEFAULT '07:00',
  active_to          TEXT NOT NULL DEFAULT '22:00',
  inactivity_minutes INTEGER NOT NULL DEFAULT 240,
  night_from         TEXT NOT NULL DEFAULT '23:00',
  night_to           TEXT NOT NULL DEFAULT '06:00',
  checkin_by         TEXT,
  needs              TEXT NOT NULL DEFAULT '[]',   -- JSON array of {category, text}
  last_activity_at   INTEGER,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX residents_by_site ON residents(site_id);

-- Family members and the residents they may see.
CREATE TABLE staff_residents (
  staff_id    TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  resident_id TEXT NOT NULL REFERENCES residents(id),
  PRIMARY KEY (staff_id, resident_id)
) WITHOUT ROWID;
CREATE INDEX staff_residents_by_resident ON staff_residents(resident_id);

-- `key` is the compact integer the events table uses; `id` is the
-- device's own id, the one in its topics.
CREATE TABLE devices (
  key          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  resident_id  TEXT REFERENCES residents(id),
  kind         TEXT NOT NULL,
  room         TEXT,
  protocol     TEXT NOT NULL DEFAULT 'native' CHECK (protocol IN ('native','z2m')),
  z2m_name     TEXT UNIQUE,
  exit_door    INTEGER NOT NULL DEFAULT 0 CHECK (exit_door IN (0,1)),
  heartbeat_s  INTEGER NOT NULL,
  status       TEXT NOT NULL DEFAULT 'unknown' CHECK (status IN ('online','offline','unknown')),
  last_seen    INTEGER,
  battery      INTEGER,
  removed_at   INTEGER,             -- retired devices keep their history
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX devices_by_resident ON devices(resident_id);

-- Event ids are time-ordered: received_at (ms) x 1000 plus a counter,
-- assigned by the single ingest writer. So id order is arrival order, a
-- time range is an id range, and one compact (device_key, id) index
-- serves "this device's events since T" without a second time index.
CREATE TABLE events (
  id          INTEGER PRIMARY KEY,
  device_key  INTEGER NOT NULL,
  type        TEXT NOT NULL,
  value       TEXT,                 -- JSON text of the value
  seq         INTEGER,
  ts          INTEGER,              -- device time
  received_at INTEGER NOT NULL,
  battery     INTEGER,
  alert_id    INTEGER,              -- the alert this event raised or folded into
  raw         BLOB
);
-- A device repeats an alarm with the same seq until acknowledged.
CREATE UNIQUE INDEX events_device_seq ON events(device_key, seq) WHERE seq IS NOT NULL;
CREATE INDEX events_by_device ON events(device_key, id);

CREATE TABLE quarantine (
  id          INTEGER PRIMARY KEY,
  topic       TEXT NOT NULL,
  payload     BLOB,
  reason      TEXT NOT NULL,
  received_at INTEGER NOT NULL
);

CREATE TABLE shifts (
  id         TEXT PRIMARY KEY,
  staff_id   TEXT NOT NULL REFERENCES staff(id),
  site_id    TEXT NOT NULL REFERENCES sites(id),
  starts_at  INTEGER NOT NULL,
  ends_at    INTEGER NOT NULL CHECK (ends_at > starts_at),
  tier       TEXT NOT NULL CHECK (tier IN ('primary','backup','supervisor')),
  created_at INTEGER NOT NULL
);
CREATE INDEX shifts_by_site_time ON shifts(site_id, ends_at, starts_at);

CREATE TABLE alerts (
  id                 INTEGER PRIMARY KEY,
  site_id            TEXT NOT NULL REFERENCES sites(id),
  resident_id        TEXT REFERENCES residents(id),
  device_id          TEXT,
  kind               TEXT NOT NULL,
  priority           INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
  status             TEXT NOT NULL CHECK (status IN ('open','acknowledged','dispatched','on_site','resolved')),
  -- resident|kind (or resident|kind|device for technical kinds): at most
  -- one alert per key is active; repeats fold into it.
  dedup_key          TEXT NOT NULL,
  detail             TEXT,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  acked_at           INTEGER,
  acked_by           TEXT,
  dispatched_at      INTEGER,
  responder_id       TEXT,
  on_site_at         INTEGER,
  resolved_at        INTEGER,
  resolved_by        TEXT,
  outcome            TEXT,
  note               TEXT,
  level              INTEGER NOT NULL DEFAULT 0,
  count              INTEGER NOT NULL DEFAULT 1,
  last_event_at      INTEGER NOT NULL,
  next_escalation_at INTEGER,        -- NULL: nothing left to escalate
  nobody_on_shift    INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX alerts_one_active ON alerts(dedup_key) WHERE status <> 'resolved';
CREATE INDEX alerts_by_site_status ON alerts(site_id, status);
CREATE INDEX alerts_by_resident ON alerts(resident_id, created_at);
CREATE INDEX alerts_by_created ON alerts(created_at);
CREATE INDEX alerts_active ON alerts(id) WHERE status <> 'resolved';
CREATE INDEX alerts_due ON alerts(next_escalation_at) WHERE next_escalation_at IS NOT NULL;

CREATE TABLE alert_timeline (
  id         INTEGER PRIMARY KEY,
  alert_id   INTEGER NOT NULL REFERENCES alerts(id),
  ts         INTEGER NOT NULL,
  actor      TEXT NOT NULL,          -- "user:ID", "device:ID" or "system"
  action     TEXT NOT NULL CHECK (action IN ('raised','folded','notified','escalated','acknowledged','dispatched','on_site','note','activity','resolved','cancel')),
  detail     TEXT
);
CREATE INDEX alert_timeline_by_alert ON alert_timeline(alert_id, id);
-- The timeline is a record: it only grows.
CREATE TRIGGER alert_timeline_no_update BEFORE UPDATE ON alert_timeline
BEGIN SELECT RAISE(ABORT, 'alert timeline is append-only'); END;
CREATE TRIGGER alert_timeline_no_delete BEFORE DELETE ON alert_timeline
BEGIN SELECT RAISE(ABORT, 'alert timeline is append-only'); END;

CREATE TABLE notifications (
  id              INTEGER PRIMARY KEY,
  alert_id        INTEGER NOT NULL REFERENCES alerts(id),
  staff_id        TEXT NOT NULL REFERENCES staff(id),
  level           INTEGER NOT NULL,
  nobody_on_shift INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER             -- NULL until handed to the broker
);
CREATE INDEX notifications_by_alert ON notifications(alert_id);
CREATE INDEX notifications_unsent ON notifications(id) WHERE sent_at IS NULL;

-- Every alert change, in order: the SSE stream resumes from here
-- (Last-Event-ID) and carenet/site/{id}/alerts publishes it.
CREATE TABLE alert_changes (
  id          INTEGER PRIMARY KEY,
  alert_id    INTEGER NOT NULL REFERENCES alerts(id),
  site_id     TEXT NOT NULL,
  resident_id TEXT,
  event       TEXT NOT NULL CHECK (event IN ('raised','updated','escalated','acknowledged','resolved')),
  ts          INTEGER NOT NULL
);

CREATE TABLE attendance (
  id             INTEGER PRIMARY KEY,
  resident_id    TEXT NOT NULL REFERENCES residents(id),
  site_id        TEXT NOT NULL REFERENCES sites(id),
  day            TEXT NOT NULL,      -- local date YYYY-MM-DD in `timezone`
  check_in_at    INTEGER NOT NULL,
  check_in_by    TEXT,
  check_out_at   INTEGER,
  check_out_by   TEXT
);
CREATE INDEX attendance_by_site_day ON attendance(site_id, day);
CREATE INDEX attendance_by_resident ON attendance(resident_id, day);

CREATE TABLE services (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  category     TEXT NOT NULL CHECK (category IN ('meal','cleaning','bathing','companionship','medical','escort','repair','other')),
  provider     TEXT NOT NULL CHECK (provider IN ('staff','volunteer','clinic','partner')),
  duration_min INTEGER NOT NULL CHECK (duration_min > 0),
  active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);

CREATE TABLE requests (
  id            TEXT PRIMARY KEY,
  resident_id   TEXT NOT NULL REFERENCES residents(id),
  service_id    TEXT NOT NULL REFERENCES services(id),
  status        TEXT NOT NULL CHECK (status IN ('requested','scheduled','in_progress','done','cancelled')),
  requested_by  TEXT,
  assignee_id   TEXT REFERENCES staff(id),
  window_start  INTEGER,
  window_end    INTEGER,
  started_at    INTEGER,
  completed_at  INTEGER,
  note          TEXT,
  rating        INTEGER CHECK (rating BETWEEN 1 AND 5),
  missed_alert_id INTEGER,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX requests_by_resident ON requests(resident_id);
CREATE INDEX requests_by_assignee ON requests(assignee_id, status);
CREATE INDEX requests_window_end ON requests(window_end) WHERE status = 'scheduled';

-- Deadlines of the time-window rules (inactivity, missed_checkin, ...):
-- one per resident and rule, so a restart picks them up again.
CREATE TABLE rule_timers (
  resident_id TEXT NOT NULL REFERENCES residents(id),
  rule        TEXT NOT NULL,
  due_at      INTEGER NOT NULL,
  PRIMARY KEY (resident_id, rule)
) WITHOUT ROWID;
CREATE INDEX rule_timers_due ON rule_timers(due_at);

CREATE TABLE audit (
  id          INTEGER PRIMARY KEY,
  ts          INTEGER NOT NULL,
  actor_id    TEXT,
  site_id     TEXT,
  action      TEXT NOT NULL,         -- create, update, delete, login, ...
  resource    TEXT NOT NULL,         -- "residents", "alerts", ...
  resource_id TEXT,
  before      TEXT,                  -- JSON, for updates and deletes
  after       TEXT                   -- JSON, for creates and updates
);
CREATE INDEX audit_by_site ON audit(site_id, id);
