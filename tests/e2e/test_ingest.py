"""Ingest (issue 3): native and Zigbee2MQTT events land as the same
types, alarms are acknowledged after they are stored, bad input is
quarantined without stopping the flow, silent devices go offline, and
nothing published while carenetd is down or in a burst is lost."""
import json
import sqlite3
import time

import pytest

from conftest import Site, wait_until


@pytest.fixture
def daemon_args():
    return {"offline_after": 2, "mqtt_max_payload": 2048}


def events(api, device_id):
    """The device's events, oldest first (the API lists newest first)."""
    return api.ok("GET", "/v1/events?device_id=%s&limit=500" % device_id)["items"][::-1]


def metric(api, name):
    text = api.s.get(api.base + "/metrics", timeout=5).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name):
            total += float(line.rsplit(" ", 1)[1])
    return total


NATIVE = [
    ("button", "press"), ("button", "long_press"), ("button", "cancel"), ("fall", True),
    ("motion", True), ("motion", False), ("door", "open"), ("door", "closed"), ("bed", True),
    ("water_leak", False), ("smoke", False), ("gas", False), ("checkin", "ok"),
    ("temperature", 21.5), ("battery", 88),
]

Z2M = [
    ({"occupancy": True, "battery": 91, "linkquality": 120}, "motion", True),
    ({"contact": False, "battery": 90}, "door", "open"),
    ({"contact": True}, "door", "closed"),
    ({"water_leak": False, "battery_low": False}, "water_leak", False),
    ({"smoke": False}, "smoke", False),
    ({"gas": False}, "gas", False),
    ({"fall_down_status": "fall"}, "fall", True),
]


def test_native_and_zigbee2mqtt_events_land_as_the_same_types(api, mq):
    site = Site(api)
    ann = site.resident("Ann")
    site.device(ann, "multi-1", "other")
    site.device(ann, "0x00158d0001a2b3c4", "motion", protocol="z2m", z2m_name="living/motion")
    dev = mq()
    for i, (t, v) in enumerate(NATIVE):
        dev.publish("carenet/dev/multi-1/event", {"type": t, "value": v, "seq": 100 + i,
                                                   "ts": "2026-11-27T08:00:00+08:00", "battery": 77})
    for payload, _, _ in Z2M:
        dev.publish("zigbee2mqtt/living/motion", payload)
    wait_until(lambda: len(events(api, "multi-1")) == len(NATIVE), 10, what="native events")
    # Alarm-looking messages take a fast lane, so the stored order may
    # differ from the publish order; what matters is that each landed once.
    key = lambda tv: json.dumps(tv)
    got = [(e["type"], e["value"]) for e in events(api, "multi-1")]
    assert sorted(got, key=key) == sorted(NATIVE, key=key)
    e0 = [e for e in events(api, "multi-1") if e["seq"] == 100][0]
    assert e0["ts"] == "2026-11-27T00:00:00.000Z" and e0["seq"] == 100 and e0["battery"] == 77
    assert e0["received_at"] and e0["resident_id"] == ann["id"]
    wait_until(lambda: len(events(api, "0x00158d0001a2b3c4")) == len(Z2M), 10, what="z2m events")
    got = [(e["type"], e["value"]) for e in events(api, "0x00158d0001a2b3c4")]
    assert sorted(got, key=key) == sorted([(t, v) for _, t, v in Z2M], key=key)
    d = api.ok("GET", "/v1/devices/0x00158d0001a2b3c4")
    assert d["status"] == "online" and d["battery"] == 90 and d["last_seen"]
    d = api.ok("GET", "/v1/devices/multi-1")
    assert d["battery"] == 77


def test_zigbee2mqtt_sos_button_raises_an_alert(api, mq):
    site = Site(api)
    bo = site.resident("Bo")
    site.device(bo, "0xa4c138aabbccddee", "sos_button", protocol="z2m", z2m_name="bo/sos")
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    mq().publish("zigbee2mqtt/bo/sos", {"action": "emergency", "battery": 100, "linkquality": 80})
    (_, page), = staff.wait_for(r".*")
    assert page["kind"] == "sos" and page["device_id"] == "0xa4c138aabbccddee"


def test_bad_input_is_quarantined_counted_and_the_flow_goes_on(api, mq, daemon):
    site = Site(api)
    cy = site.resident("Cy")
    site.device(cy, "good-1", "motion")
    dev = mq()
    bad = [
        ("carenet/dev/good-1/event", b'{"type": "motion", "value": tr'),          # truncated
        ("carenet/dev/good-1/event", b"x" * 4000),                               # over the cap
        ("carenet/dev/good-1/event", b"[" * 500 + b"]" * 500),                   # deep
        ("carenet/dev/good-1/event", b'{"type": "motion", "value": "yes"}'),     # wrong type
        ("carenet/dev/good-1/event", b'{"type": 7, "value": true}'),             # wrong type
        ("carenet/dev/good-1/event", b"\xff\xfe\x00garbage"),                     # bytes
        ("carenet/dev/nobody-9/event", b'{"type": "motion", "value": true}'),    # unknown device
        ("carenet/dev/../event", b'{"type": "motion", "value": true}'),          # traversal
    ]
    for i, (topic, payload) in enumerate(bad):
        dev.publish(topic, payload)
        dev.publish("carenet/dev/good-1/event", {"type": "motion", "value": True, "seq": i})
    wait_until(lambda: len(events(api, "good-1")) == len(bad), 10, what="good events")
    wait_until(lambda: metric(api, "carenet_events_rejected_total") >= len(bad), 5, what="rejects counted")
    assert metric(api, 'carenet_events_rejected_total{reason="unknown_device"}') == 1
    assert metric(api, 'carenet_events_rejected_total{reason="too_large"}') == 1
    assert metric(api, 'carenet_events_rejected_total{reason="too_deep"}') == 1
    db = sqlite3.connect(daemon.db_path)
    rows = db.execute("SELECT topic, reason, length(payload), count FROM quarantine_topics").fetchall()
    db.close()
    # One row per topic, with the count and the last bytes; the unknown
    # device is counted and dropped, not stored.
    stored = [(t, p) for t, p in bad if "nobody-9" not in t]
    assert len(rows) == len({t for t, _ in stored})
    assert sum(r[3] for r in rows) == len(stored)
    topics = [r[0].decode() if isinstance(r[0], bytes) else r[0] for r in rows]
    assert not any("nobody-9" in t for t in topics)
    assert max(r[2] for r in rows) <= 2048  # stored up to the cap
    # Logged once per device and minute, not once per message.
    assert daemon.read_log().count("quarantined a message on carenet/dev/good-1/event") == 1
    assert api.ok("GET", "/healthz")["status"] == "ok"


def test_silent_device_goes_offline_and_availability_offline_at_once(api, mq):
    site = Site(api)
    dee = site.resident("Dee")
    site.device(dee, "hb-1", "motion", heartbeat_s=5)
    site.device(dee, "0x1111", "door", protocol="z2m", z2m_name="dee/door")
    dev = mq()
    dev.publish("carenet/dev/hb-1/heartbeat", {})
    dev.publish("zigbee2mqtt/dee/door", {"contact": True})
    wait_until(lambda: api.ok("GET", "/v1/devices/hb-1")["status"] == "online", 5)
    dev.publish("zigbee2mqtt/dee/door/availability", {"state": "offline"})
    wait_until(lambda: api.ok("GET", "/v1/devices/0x1111")["status"] == "offline", 3,
               what="availability offline")
    # offline_after 2 x heartbeat 5 s: offline after ~10 s of silence.
    t0 = time.monotonic()
    wait_until(lambda: api.ok("GET", "/v1/devices/hb-1")["status"] == "offline", 20, interval=0.5)
    assert time.monotonic() - t0 >= 8
    kinds = {a["device_id"] for a in api.ok("GET", "/v1/alerts?kind=device_offline&status=active")["items"]}
    assert kinds == {"hb-1", "0x1111"}
    dev.publish("carenet/dev/hb-1/heartbeat", {"battery": 60})
    wait_until(lambda: api.ok("GET", "/v1/devices/hb-1")["status"] == "online", 5)


def test_events_published_while_down_are_stored_after_restart(api, mq, daemon):
    site = Site(api)
    eve = site.resident("Eve")
    site.device(eve, "down-1", "motion")
    daemon.stop()
    dev = mq()
    for i in range(50):
        dev.publish("carenet/dev/down-1/event", {"type": "motion", "value": i % 2 == 0, "seq": i})
    daemon.start()
    wait_until(lambda: len(events(api, "down-1")) == 50, 15, what="50 events after restart")
    assert [e["seq"] for e in events(api, "down-1")] == list(range(50))


def test_burst_of_5000_events_from_100_devices_is_stored_in_full(api, mq, daemon):
    site = Site(api)
    fay = site.resident("Fay")
    for i in range(100):
        site.device(fay, "burst-%d" % i, "motion")
    dev = mq()
    dev.c.max_inflight_messages_set(50)
    infos = []
    for n in range(5000):
        infos.append(dev.c.publish("carenet/dev/burst-%d/event" % (n % 100),
                                   json.dumps({"type": "motion", "value": True, "seq": n}), qos=1))
    for info in infos:
        info.wait_for_publish(60)
    db = sqlite3.connect(daemon.db_path)
    count = lambda: db.execute("SELECT count(*) FROM events").fetchone()[0]
    wait_until(lambda: count() == 5000, 60, interval=0.2, what="5000 events stored")
    assert db.execute("SELECT count(DISTINCT device_key) FROM events").fetchone()[0] == 100
    db.close()


def test_a_reused_seq_with_a_different_event_is_stored_not_dropped(api, mq, daemon):
    site = Site(api)
    gil = site.resident("Gil")
    site.device(gil, "reset-1", "sos_button")
    dev = mq()
    dev.subscribe("carenet/dev/reset-1/ack")
    dev.publish("carenet/dev/reset-1/event", {"type": "button", "value": "cancel", "seq": 1})
    dev.wait_for(r".*", lambda p: p["seq"] == 1)
    # The pendant's counter restarted (new battery): seq 1 again, a real press.
    dev.publish("carenet/dev/reset-1/event", {"type": "button", "value": "press", "seq": 1})
    acks = dev.wait_for(r".*", lambda p: p["seq"] == 1, count=2)
    assert acks[1][1]["event_id"] != acks[0][1]["event_id"] and acks[1][1]["alert_id"]
    assert [e["value"] for e in events(api, "reset-1")] == ["cancel", "press"]
    assert "reused seq 1" in daemon.read_log()
