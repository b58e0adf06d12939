-- CareNet schema: regions above sites (issue 19, contract section 8).
-- Additive only. Standard SQL that PostgreSQL shares (TEXT, INTEGER,
-- CHECK, REFERENCES), so the port is mechanical.

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

-- Months closed for a site: their records are frozen.
CREATE TABLE settlement_closes (
  site_id    TEXT NOT NULL REFERENCES sites(id),
  month      TEXT NOT NULL,
  closed_by  TEXT NOT NULL,
  closed_at  INTEGER NOT NULL,
  PRIMARY KEY (site_id, month)
);

-- What a done visit is billed at, copied from its service when it is
-- completed, so that a later price change leaves settled months alone.
ALTER TABLE requests ADD COLUMN billed_price_cents INTEGER;
ALTER TABLE requests ADD COLUMN billed_unit TEXT;
ALTER TABLE requests ADD COLUMN billed_duration_min INTEGER;
