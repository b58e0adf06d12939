-- Issue 11: alarm-panel semantics and a bounded quarantine.
-- The last value of each state-kept Zigbee2MQTT attribute per device: an
-- unchanged value is a sign of life, not a new alarm or new activity.
CREATE TABLE device_state (
  device_key INTEGER NOT NULL,
  attr       TEXT NOT NULL,
  value      INTEGER NOT NULL,
  changed_at INTEGER NOT NULL,
  PRIMARY KEY (device_key, attr)
);

-- One row per topic: how many messages were refused there, the last
-- bytes and reason; rows not hit for a while are pruned. The old
-- one-row-per-message table stays for its history and is no longer
-- written.
CREATE TABLE quarantine_topics (
  topic      BLOB PRIMARY KEY,
  count      INTEGER NOT NULL DEFAULT 1,
  reason     TEXT NOT NULL,
  payload    BLOB,
  first_at   INTEGER NOT NULL,
  last_at    INTEGER NOT NULL
);
CREATE INDEX quarantine_topics_last_at ON quarantine_topics(last_at);
