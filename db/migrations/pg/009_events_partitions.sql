-- CareNet schema, issue 17, PostgreSQL: events partitioned by time.
-- (SQLite: nothing, see db/migrations/009_events_partitions.sql.) Nothing
-- here depends on this file's number.
--
-- Event ids are time-ordered (received_at in ms x 1000 plus a counter,
-- db_events_next_id), so a range of ids is a range of receive times and
-- the table is partitioned BY RANGE (id): one partition a month (UTC),
-- events_YYYYMM, holding ids [month start ms x 1000, next month x 1000).
-- The primary key stays (id) alone, unique across all partitions. An
-- event's received_at is at most id / 1000, so a partition whose upper
-- bound lies before the retention cutoff holds only events older than it
-- and is dropped whole (carenet_events_maintain), never DELETEd row by row.
--
-- A device's (device_key, seq) cannot be a unique index of the
-- partitioned table (it lacks the partition key); each partition has its
-- own unique index on it, and the writer looks an event up over all
-- partitions before it stores one that may repeat (db/db_events.c).
--
-- events_default takes any id outside the monthly partitions (a clock far
-- off, or a month not created yet), so no insert ever fails for want of a
-- partition; its rows are pruned by DELETE and it is normally empty.
-- Nothing references events by foreign key.
--
-- Renumbering: nothing here depends on this file's number, but it rebuilds
-- `events` with the columns of 001 listed below; a migration landing
-- before it that adds a column or index to events must add it here too.

ALTER TABLE events RENAME TO events_unpartitioned;
ALTER INDEX events_pkey RENAME TO events_unpartitioned_pkey;
ALTER INDEX events_device_seq RENAME TO events_unpartitioned_device_seq;
ALTER INDEX events_by_device RENAME TO events_unpartitioned_by_device;

CREATE TABLE events (
  id          BIGINT NOT NULL,      -- chosen by the writer (db_events_next_id)
  device_key  BIGINT NOT NULL,
  type        TEXT NOT NULL,
  value       TEXT,
  seq         BIGINT,
  ts          BIGINT,
  received_at BIGINT NOT NULL,
  battery     BIGINT,
  alert_id    BIGINT,
  raw         BYTEA,
  PRIMARY KEY (id)
) PARTITION BY RANGE (id);
CREATE INDEX events_by_device ON events(device_key, id);

CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE UNIQUE INDEX events_default_device_seq ON events_default(device_key, seq)
  WHERE seq IS NOT NULL;

-- The partition of the UTC month containing `at`, created when missing;
-- returns its name, or NULL when it cannot be created. Rows of that month
-- already in the default partition move into the new one first.
CREATE FUNCTION carenet_events_partition(at timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  lo timestamptz := date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  lo_id bigint := (extract(epoch FROM lo) * 1000000)::bigint;
  hi_id bigint := (extract(epoch FROM lo + interval '1 month') * 1000000)::bigint;
  part text := 'events_' || to_char(lo AT TIME ZONE 'UTC', 'YYYYMM');
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN part;
  END IF;
  BEGIN
    EXECUTE format('CREATE TABLE %I (LIKE events INCLUDING DEFAULTS)', part);
    EXECUTE format('WITH moved AS (DELETE FROM events_default WHERE id >= %s AND id < %s'
                   ' RETURNING *) INSERT INTO %I SELECT * FROM moved', lo_id, hi_id, part);
    EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',
                   part, lo_id, hi_id);
    EXECUTE format('CREATE UNIQUE INDEX %I ON %I (device_key, seq) WHERE seq IS NOT NULL',
                   part || '_device_seq', part);
  EXCEPTION WHEN others THEN
    RETURN NULL;
  END;
  RETURN part;
END $$;

-- Retention and partitions ahead: creates the partitions of the month of
-- `now_ms` and of the `ahead` months after it, drops every monthly
-- partition that ends at or before `before_ms` (NULL: none), deletes the
-- default partition's rows received before it. Returns how many events
-- went (the dropped partitions' row estimates plus the rows deleted).
CREATE FUNCTION carenet_events_maintain(now_ms bigint, before_ms bigint, ahead integer)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  p record;
  gone bigint := 0;
  n bigint;
BEGIN
  FOR i IN 0..greatest(ahead, 0) LOOP
    PERFORM carenet_events_partition(to_timestamp(now_ms / 1000.0) + i * interval '1 month');
  END LOOP;
  IF before_ms IS NULL THEN
    RETURN 0;
  END IF;
  FOR p IN
    SELECT c.relname AS name, greatest(c.reltuples, 0)::bigint AS estimate,
           (to_date(substr(c.relname, 8), 'YYYYMM') + interval '1 month') AT TIME ZONE 'UTC'
             AS ends
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'events'::regclass AND c.relname ~ '^events_[0-9]{6}$'
  LOOP
    IF extract(epoch FROM p.ends) * 1000 <= before_ms THEN
      EXECUTE format('DROP TABLE %I', p.name);
      gone := gone + p.estimate;
    END IF;
  END LOOP;
  DELETE FROM events_default WHERE received_at < before_ms;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN gone + n;
END $$;

-- The months that existing events and the next two months need (at most
-- two years back: anything older lands in the default partition).
SELECT carenet_events_partition(m)
  FROM generate_series(
         greatest(coalesce((SELECT to_timestamp(min(id) / 1000000.0) FROM events_unpartitioned), now()),
                  now() - interval '24 months'),
         now() + interval '2 months', interval '1 month') AS m;
SELECT carenet_events_partition(now() + interval '2 months');

INSERT INTO events(id, device_key, type, value, seq, ts, received_at, battery, alert_id, raw)
  SELECT id, device_key, type, value, seq, ts, received_at, battery, alert_id, raw
    FROM events_unpartitioned;
DROP TABLE events_unpartitioned;
