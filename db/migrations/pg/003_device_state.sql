-- Issue 11, PostgreSQL: as db/migrations/003_device_state.sql.
CREATE TABLE device_state (
  device_key BIGINT NOT NULL,
  attr       TEXT NOT NULL,
  value      BIGINT NOT NULL,
  changed_at BIGINT NOT NULL,
  PRIMARY KEY (device_key, attr)
);

CREATE TABLE quarantine_topics (
  topic      BYTEA PRIMARY KEY,     -- as received: may be any bytes
  count      BIGINT NOT NULL DEFAULT 1,
  reason     TEXT NOT NULL,
  payload    BYTEA,
  first_at   BIGINT NOT NULL,
  last_at    BIGINT NOT NULL
);
CREATE INDEX quarantine_topics_last_at ON quarantine_topics(last_at);
