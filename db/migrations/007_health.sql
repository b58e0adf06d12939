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
-- CHECK constraint, so staff is rebuilt. legacy_alter_table keeps the
-- foreign keys of api_tokens, staff_residents, shifts, ... naming
-- `staff` (not `staff_old`), and dropping staff_old then cascades into
-- nothing. (PostgreSQL: ALTER TABLE staff DROP CONSTRAINT staff_role_check,
-- ADD CONSTRAINT ... with the same list.)
PRAGMA legacy_alter_table=ON;
ALTER TABLE staff RENAME TO staff_old;
CREATE TABLE staff (
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
INSERT INTO staff (id, site_id, name, role, phone, username, password_hash, active, skills,
                   created_at, updated_at)
  SELECT id, site_id, name, role, phone, username, password_hash, active, skills, created_at,
         updated_at FROM staff_old;
DROP TABLE staff_old;
CREATE INDEX staff_by_site ON staff(site_id, role);
PRAGMA legacy_alter_table=OFF;
