"""Events partitioned by month on PostgreSQL (issue 17): reads span the
partitions, a repeat is found in another month's partition, and retention
drops a whole old partition (no DELETE) while the newer events stay.
PostgreSQL only: SQLite keeps one table and its DELETE retention
(test_faults.py, test_ingest.py cover that path)."""
import time

import pytest

from conftest import ENGINE, Site, wait_until

pytestmark = pytest.mark.skipif(ENGINE != "pg", reason="partitions are PostgreSQL's")

DAY_MS = 86400 * 1000


@pytest.fixture
def daemon_args():
    return {"event_retention_days": 30}


def partitions(daemon):
    return sorted(r[0] for r in daemon.query(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'events'::regclass"))


def partition_of(daemon, event_id):
    return daemon.query("SELECT tableoid::regclass::text FROM events WHERE id = %d" % event_id)[0][0]


def test_events_span_monthly_partitions_and_retention_drops_the_old_month(api, mq, daemon):
    site = Site(api)
    r = site.resident("Lan Zhou")
    site.device(r, "part-motion", "motion")
    site.device(r, "part-pendant", "sos_button")
    key = daemon.query("SELECT key FROM devices WHERE id = 'part-motion'")[0][0]
    pkey = daemon.query("SELECT key FROM devices WHERE id = 'part-pendant'")[0][0]

    # The daemon made this month's partition and the next two ready.
    now_ms = int(time.time() * 1000)
    this_month = daemon.query("SELECT 'events_' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMM')")[0][0]
    assert this_month in partitions(daemon)
    assert "events_default" in partitions(daemon)
    # Ids stay unique across partitions: the key of the partitioned table is (id).
    assert daemon.query("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                        " WHERE conrelid = 'events'::regclass AND contype = 'p'") == [("PRIMARY KEY (id)",)]

    # A district that has run for months: events received 80 days ago sit
    # in their month's partition (ids are receive time x 1000, so they go
    # in by SQL: the daemon stamps what it ingests with its own clock).
    old_at = now_ms - 80 * DAY_MS
    # Enrolled since then (events list only the current enrolment's).
    daemon.query("UPDATE devices SET created_at = %d WHERE key IN (%d, %d) RETURNING key"
                 % (now_ms - 90 * DAY_MS, key, pkey))
    old_part = daemon.query("SELECT carenet_events_partition(to_timestamp(%d / 1000.0))" % old_at)[0][0]
    assert old_part and old_part != this_month
    daemon.query("INSERT INTO events(id, device_key, type, value, seq, received_at) VALUES"
                 " (%d, %d, 'motion', 'true', NULL, %d), (%d, %d, 'motion', 'false', NULL, %d),"
                 " (%d, %d, 'button', '\"press\"', 41, %d) RETURNING id"
                 % (old_at * 1000, key, old_at, old_at * 1000 + 1, key, old_at + 1,
                    old_at * 1000 + 2, pkey, old_at + 2))
    assert partition_of(daemon, old_at * 1000) == old_part

    # New events through MQTT land in this month's partition.
    c = mq()
    c.subscribe("carenet/dev/part-pendant/ack")
    for i in range(3):
        c.publish("carenet/dev/part-motion/event", {"type": "motion", "value": i % 2 == 0, "seq": 100 + i})
    # The pendant reuses seq 41, stored 80 days ago in the old partition:
    # found there (not a repeat: too long ago), so it is stored as a new
    # event without the seq rather than missed or refused.
    c.publish("carenet/dev/part-pendant/event", {"type": "button", "value": "press", "seq": 41})
    (_, ack), = c.wait_for(r"carenet/dev/part-pendant/ack", lambda p: p.get("seq") == 41, timeout=15)
    assert int(ack["event_id"]) > old_at * 1000 + 2
    assert partition_of(daemon, int(ack["event_id"])) == this_month
    assert daemon.query("SELECT seq IS NULL FROM events WHERE id = %d" % int(ack["event_id"])) == [("t",)]

    def listed(**q):
        qs = "&".join("%s=%s" % kv for kv in q.items())
        return api.ok("GET", "/v1/events?limit=500&" + qs)["items"]

    wait_until(lambda: len(listed(device_id="part-motion")) == 5, 15, what="motion events listed")
    # One API read spans both months, newest first.
    both = listed(resident_id=r["id"])
    assert len(both) == 7
    months = [e["received_at"][:7] for e in both]
    assert len(set(months)) == 2 and months == sorted(months, reverse=True), months
    assert {e["type"] for e in both} == {"motion", "button"}

    # Retention (30 days here) runs on the leader a minute after start,
    # then hourly: the old month goes as a whole partition.
    wait_until(lambda: old_part not in partitions(daemon), 150, interval=1, what="old partition dropped")
    assert daemon.query("SELECT to_regclass('%s') IS NULL" % old_part) == [("t",)]
    assert this_month in partitions(daemon)
    left = listed(resident_id=r["id"])
    assert len(left) == 4 and {e["received_at"][:7] for e in left} == {months[0]}
    assert daemon.query("SELECT count(*) FROM events WHERE received_at < %d" % (now_ms - 30 * DAY_MS)) == [(0,)]
    # The daemon goes on storing into the kept partition.
    c.publish("carenet/dev/part-motion/event", {"type": "motion", "value": True, "seq": 200})
    wait_until(lambda: len(listed(device_id="part-motion")) == 4, 15, what="event after retention stored")
