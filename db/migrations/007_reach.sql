-- CareNet schema, version 7 (issue 14): reaching a person on the channel
-- they carry, and answering from the message. Additive only.

-- The language of the site's messages and ack pages' default.
ALTER TABLE sites ADD COLUMN locale TEXT NOT NULL DEFAULT 'zh-CN';
-- Key safe, door code: shown only on a staff member's ack page while the
-- alert is active.
ALTER TABLE residents ADD COLUMN access_notes TEXT;
ALTER TABLE staff ADD COLUMN email TEXT;
-- JSON array of {channel_id, address, priorities, delay_s}.
ALTER TABLE staff ADD COLUMN contacts TEXT NOT NULL DEFAULT '[]';
-- A resident's contact who took an alert over the ack link:
-- JSON {name, relation, phone}.
ALTER TABLE alerts ADD COLUMN acked_by_contact TEXT;

CREATE TABLE channels (
  id           TEXT PRIMARY KEY,
  site_id      TEXT REFERENCES sites(id),   -- NULL: every site (admin's)
  kind         TEXT NOT NULL CHECK (kind IN ('webhook','wecom','dingtalk','feishu','email','sms','voice')),
  name         TEXT NOT NULL,
  url          TEXT,
  secret       TEXT,                         -- never shown by the API
  rate_per_min INTEGER CHECK (rate_per_min IS NULL OR rate_per_min > 0), -- NULL: the kind's default
  enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0,1)),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX channels_by_site ON channels(site_id);

-- One message to one person (or group robot) on one channel. The row is
-- written in the transaction that pages; the notifier thread sends it.
CREATE TABLE deliveries (
  id           INTEGER PRIMARY KEY,
  alert_id     INTEGER NOT NULL REFERENCES alerts(id),
  channel_id   TEXT NOT NULL REFERENCES channels(id),
  kind         TEXT NOT NULL,
  staff_id     TEXT,                         -- the paged staff member, or
  contact      TEXT,                         -- the resident's contact: JSON {name, relation, phone}
  to_addr      TEXT,                         -- phone, e-mail; '' for robots and webhooks
  level        INTEGER NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('queued','sent','retrying','failed','merged')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT,
  due_at       INTEGER NOT NULL,             -- next attempt not before
  created_at   INTEGER NOT NULL,
  sent_at      INTEGER,
  failed_at    INTEGER,
  merged_into  INTEGER,                      -- the delivery that carried it
  token_hash   BLOB                          -- its ack link
);
CREATE INDEX deliveries_by_alert ON deliveries(alert_id, id);
CREATE INDEX deliveries_pending ON deliveries(due_at) WHERE status IN ('queued','retrying');

-- One-time ack links: only the SHA-256 of the 128-bit secret is stored.
CREATE TABLE ack_tokens (
  token_hash  BLOB PRIMARY KEY,
  alert_id    INTEGER NOT NULL REFERENCES alerts(id),
  staff_id    TEXT,
  contact     TEXT,                          -- JSON {name, relation, phone}
  lang        TEXT NOT NULL DEFAULT 'zh-CN',
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER
) WITHOUT ROWID;
CREATE INDEX ack_tokens_by_alert ON ack_tokens(alert_id);
