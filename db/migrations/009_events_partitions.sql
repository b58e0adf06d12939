-- CareNet schema, issue 17 (events partitioned by time), SQLite: nothing.
-- On PostgreSQL this migration partitions the events table by month
-- (db/migrations/pg/009_events_partitions.sql) so that retention drops
-- whole months. SQLite keeps one events table and its retention DELETE in
-- small steps (db_events_prune): a single file has no partitions to drop.
-- Versions are positional, so this file exists to keep the two engines'
-- numbers equal; it changes nothing.
SELECT 1;
