-- CareNet schema: regions above sites, visit evidence, prices, subsidies,
-- settlement closes and adjustments, role officer (issue 19, contract
-- section 8). The PostgreSQL version (pg/008_regions_settlement.sql) has
-- the same tables; it differs in the identity columns, BYTEA for photos,
-- and an ALTER of the role check where SQLite rebuilds staff.

-- Regions nest district > street > community; a region's parent is of the
-- level above (a district has none), so the tree cannot loop.
CREATE TABLE regions (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  level       TEXT NOT NULL CHECK (level IN ('district','street','community')),
  parent_id   TEXT REFERENCES regions(id),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX regions_by_parent ON regions(parent_id);

-- A site sits in a region (NULL: not placed yet).
ALTER TABLE sites ADD COLUMN region_id TEXT REFERENCES regions(id);
-- How far (m) from the resident a visit's start or end still counts as on site.
ALTER TABLE sites ADD COLUMN visit_radius_m INTEGER NOT NULL DEFAULT 300;

-- Where the resident lives, as {"lat": .., "lon": ..} (JSON as TEXT; NULL:
-- not registered, and no visit can then be found off site).
ALTER TABLE residents ADD COLUMN location TEXT;

-- Where a visit started and ended, as the carer's phone reported it. Kept
-- even when far away (off_site = 1): the visit is flagged, never refused.
CREATE TABLE visit_evidence (
  request_id   TEXT NOT NULL REFERENCES requests(id),
  step         TEXT NOT NULL CHECK (step IN ('start','complete')),
  lat          DOUBLE PRECISION NOT NULL,
  lon          DOUBLE PRECISION NOT NULL,
  accuracy_m   DOUBLE PRECISION,
  distance_m   DOUBLE PRECISION,
  off_site     INTEGER NOT NULL DEFAULT 0,
  recorded_at  INTEGER NOT NULL,
  PRIMARY KEY (request_id, step)
);

-- Photos of a visit, kept out of the main tables (bytes as BLOB; bytea in
-- PostgreSQL). n counts 1..5 within a request.
CREATE TABLE request_photos (
  request_id    TEXT NOT NULL REFERENCES requests(id),
  n             INTEGER NOT NULL CHECK (n BETWEEN 1 AND 5),
  content_type  TEXT NOT NULL CHECK (content_type IN ('image/jpeg','image/png')),
  size          INTEGER NOT NULL,
  data          BLOB NOT NULL,
  uploaded_by   TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (request_id, n)
);

-- The family's (or the resident's proxy's) word that a visit took place.
CREATE TABLE visit_confirmations (
  request_id    TEXT PRIMARY KEY REFERENCES requests(id),
  confirmed_by  TEXT NOT NULL,
  confirmed_at  INTEGER NOT NULL
);

-- What a service costs the payer: price_cents per visit, or per hour of
-- its nominal duration_min.
ALTER TABLE services ADD COLUMN price_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN unit TEXT NOT NULL DEFAULT 'visit' CHECK (unit IN ('visit','hour'));
-- A resident's subsidy, {"scheme": .., "monthly_cents": ..} (JSON as TEXT;
-- NULL: none, the family pays all).
ALTER TABLE residents ADD COLUMN subsidy TEXT;

-- Months closed for a site: their records are frozen, and the report as it
-- was closed (JSON) is what the month answers from then on.
CREATE TABLE settlement_closes (
  site_id    TEXT NOT NULL REFERENCES sites(id),
  month      TEXT NOT NULL,
  closed_by  TEXT NOT NULL,
  closed_at  INTEGER NOT NULL,
  report     TEXT NOT NULL,
  PRIMARY KEY (site_id, month)
);

-- What a done visit is billed at, copied from its service when it is
-- completed, so that a later price change leaves settled months alone.
ALTER TABLE requests ADD COLUMN billed_price_cents INTEGER;
ALTER TABLE requests ADD COLUMN billed_unit TEXT;
ALTER TABLE requests ADD COLUMN billed_duration_min INTEGER;

-- A correction to a month that is closed: never an edit of the closed
-- month, but a signed amount in the first open month after it, with who
-- and why. month is the month it is settled in; for_month the month it
-- corrects; request_id the visit it concerns (optional).
CREATE TABLE settlement_adjustments (
  id            INTEGER PRIMARY KEY,
  site_id       TEXT NOT NULL REFERENCES sites(id),
  resident_id   TEXT NOT NULL REFERENCES residents(id),
  month         TEXT NOT NULL,
  for_month     TEXT NOT NULL,
  request_id    TEXT REFERENCES requests(id),
  amount_cents  INTEGER NOT NULL,
  reason        TEXT NOT NULL,
  created_by    TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE INDEX settlement_adjustments_by_month ON settlement_adjustments(site_id, month);

-- An officer (civil-affairs staff) reads the sites of their region and below.
ALTER TABLE staff ADD COLUMN region_id TEXT REFERENCES regions(id);

-- Role `officer`. SQLite cannot alter a CHECK constraint. Rather than
-- rebuilding staff with a fixed column list (which would drop any column
-- another migration added to staff, such as 007's), the role column is
-- replaced in place: a new column with the wider check takes the values,
-- the old one (and the index over it) is dropped, the new one renamed.
-- Every other column, and every row and key, stays as it is. The default
-- is only there because SQLite adds a NOT NULL column with one; every
-- insert names the role.
ALTER TABLE staff ADD COLUMN role_v8 TEXT NOT NULL DEFAULT 'caregiver'
  CHECK (role_v8 IN ('admin','coordinator','caregiver','volunteer','family','clinician','officer'));
UPDATE staff SET role_v8 = role;
DROP INDEX staff_by_site;
ALTER TABLE staff DROP COLUMN role;
ALTER TABLE staff RENAME COLUMN role_v8 TO role;
CREATE INDEX staff_by_site ON staff(site_id, role);
CREATE INDEX sites_by_region ON sites(region_id);
