-- Issue 12, PostgreSQL: as db/migrations/004_audit_sites.sql.
CREATE TABLE audit_sites (
  audit_id    BIGINT NOT NULL REFERENCES audit(id),
  site_id     TEXT NOT NULL,
  PRIMARY KEY (audit_id, site_id)
);
CREATE INDEX audit_sites_by_site ON audit_sites(site_id, audit_id);
INSERT INTO audit_sites(audit_id, site_id) SELECT id, site_id FROM audit WHERE site_id IS NOT NULL;
