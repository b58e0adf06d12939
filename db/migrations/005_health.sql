-- CareNet schema, version 7 (issue 18): health readings, thresholds and
-- daily activity summaries. Standard types only (INTEGER, BIGINT, TEXT),
-- JSON kept as TEXT, so that the PostgreSQL version is the same text.

-- One reading, from a device over MQTT (event_id set) or entered by staff.
CREATE TABLE measurements (
  id          INTEGER PRIMARY KEY,
  resident_id TEXT NOT NULL REFERENCES residents(id),
  type        TEXT NOT NULL,
  value       TEXT NOT NULL,           -- canonical JSON of the value
  taken_at    BIGINT NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('device','staff')),
  device_id   TEXT,
  taken_by    TEXT,
  event_id    BIGINT,
  created_at  BIGINT NOT NULL
);
CREATE INDEX measurements_by_resident ON measurements(resident_id, taken_at);

-- Threshold documents: scope 'site' (site defaults) or 'resident' (the
-- clinic's overrides), merged over the built-in defaults bound by bound.
CREATE TABLE thresholds (
  scope       TEXT NOT NULL CHECK (scope IN ('site','resident')),
  owner_id    TEXT NOT NULL,
  doc         TEXT NOT NULL,
  updated_at  BIGINT NOT NULL,
  updated_by  TEXT,
  PRIMARY KEY (scope, owner_id)
);

-- One row per resident and local day (day = days since 1970-01-01),
-- kept for activity_retention_days after the raw events are pruned.
CREATE TABLE activity_days (
  resident_id   TEXT NOT NULL,
  day           INTEGER NOT NULL,
  events        INTEGER NOT NULL DEFAULT 0,
  first_at      BIGINT,
  last_at       BIGINT,
  hours_mask    INTEGER NOT NULL DEFAULT 0,
  night_events  INTEGER NOT NULL DEFAULT 0,
  away_events   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (resident_id, day)
);
CREATE TABLE activity_rooms (
  resident_id TEXT NOT NULL,
  day         INTEGER NOT NULL,
  room        TEXT NOT NULL,
  events      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (resident_id, day, room)
);

-- Role `clinician` (the partner clinic's staff). SQLite cannot alter a
-- CHECK constraint, so staff is rebuilt (SQLite's "other schema changes"
-- recipe, inside the migration's transaction): foreign keys are checked
-- at commit, when staff is whole again, and the one ON DELETE CASCADE
-- child (staff_residents) is kept aside while the old table is dropped.
-- PostgreSQL: ALTER TABLE staff DROP CONSTRAINT staff_role_check, ADD
-- CONSTRAINT staff_role_check CHECK (role IN (... 'clinician')).
PRAGMA defer_foreign_keys=ON;
CREATE TEMP TABLE staff_residents_keep AS SELECT staff_id, resident_id FROM staff_residents;
CREATE TABLE staff_new (
  id            TEXT PRIMARY KEY,
  site_id       TEXT REFERENCES sites(id),
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin','coordinator','caregiver','volunteer','family','clinician')),
  phone         TEXT,
  username      TEXT NOT NULL UNIQUE,
  password_hash TEXT,
  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
  skills        TEXT NOT NULL DEFAULT '[]',
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
INSERT INTO staff_new (id, site_id, name, role, phone, username, password_hash, active, skills,
                       created_at, updated_at)
  SELECT id, site_id, name, role, phone, username, password_hash, active, skills, created_at,
         updated_at FROM staff;
DROP TABLE staff;
ALTER TABLE staff_new RENAME TO staff;
CREATE INDEX staff_by_site ON staff(site_id, role);
INSERT INTO staff_residents (staff_id, resident_id)
  SELECT staff_id, resident_id FROM staff_residents_keep
  WHERE NOT EXISTS (SELECT 1 FROM staff_residents s WHERE s.staff_id = staff_residents_keep.staff_id
                    AND s.resident_id = staff_residents_keep.resident_id);
DROP TABLE staff_residents_keep;

-- The wellbeing rule's verdict per resident and finished local day, so a
-- day is judged once (a day without enough baseline is not recorded and
-- is judged again as summaries arrive).
CREATE TABLE wellbeing_checks (
  resident_id TEXT NOT NULL,
  day         INTEGER NOT NULL,
  verdict     TEXT NOT NULL,
  checked_at  BIGINT NOT NULL,
  PRIMARY KEY (resident_id, day)
);
