-- Every site an audited action touches (issue 12): a resident moved from
-- one site to another, a family account linked to residents of two sites.
-- audit.site_id stays the acting site; audit_sites lists them all, and the
-- audit log of a site shows every row that touched it.
CREATE TABLE audit_sites (
  audit_id    INTEGER NOT NULL REFERENCES audit(id),
  site_id     TEXT NOT NULL,
  PRIMARY KEY (audit_id, site_id)
);
CREATE INDEX audit_sites_by_site ON audit_sites(site_id, audit_id);
INSERT INTO audit_sites(audit_id, site_id) SELECT id, site_id FROM audit WHERE site_id IS NOT NULL;
