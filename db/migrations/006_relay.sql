-- CareNet schema, version 9 (issue 17): what a standby node hands to the
-- leader. A standby serves the API but stays off the broker; the messages
-- its writes owe (an ack's help_coming, a manual alert's pages) wait here
-- until the leader publishes and deletes them. topic '' asks the leader's
-- scheduler to look at its deadlines again.
CREATE TABLE relay (
  id              INTEGER PRIMARY KEY,
  topic           TEXT NOT NULL,
  payload         TEXT NOT NULL,
  notification_id INTEGER,           -- the page's row, marked sent when published
  created_at      INTEGER NOT NULL
);
