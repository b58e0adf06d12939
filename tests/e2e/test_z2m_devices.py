"""Real devices, read right (issue 11): Zigbee2MQTT payloads as the
converters publish them, alarm-panel restore semantics (an unchanged
republished state is a sign of life, never a new alarm or new activity),
call buttons that raise one alert per press, carbon monoxide, discharged
and paused residents, and Zigbee devices nobody enrolled."""
import datetime as dt
import sqlite3
import time
import zoneinfo

import pytest

from conftest import Site, wait_until

_OFFSET_H = 12 - dt.datetime.now(dt.timezone.utc).hour  # local hour ~ 12
ZONE = "Etc/GMT%+d" % -_OFFSET_H if _OFFSET_H else "Etc/GMT"


@pytest.fixture
def daemon_args():
    return {"timezone": ZONE}


def metric(api, name):
    text = api.s.get(api.base + "/metrics", timeout=5).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name):
            total += float(line.rsplit(" ", 1)[1])
    return total


def alerts(api, resident, kind=None):
    q = "/v1/alerts?resident_id=%s&limit=500" % resident["id"]
    if kind:
        q += "&kind=" + kind
    return api.ok("GET", q)["items"]


def events(api, device_id):
    return api.ok("GET", "/v1/events?device_id=%s&limit=500" % device_id)["items"][::-1]


def resolve(api, alert):
    api.ok("POST", "/v1/alerts/%s/ack" % alert["id"])
    api.ok("POST", "/v1/alerts/%s/resolve" % alert["id"], {"outcome": "genuine"})


def test_republish_after_a_resolved_leak_raises_nothing_restore_then_alarm_raises_anew(api, mq):
    site = Site(api)
    ann = site.resident("Ann")
    site.device(ann, "0x00158d0002a1b2c3", "water_leak", protocol="z2m", z2m_name="ann/kitchen-leak")
    dev = mq()
    topic = "zigbee2mqtt/ann/kitchen-leak"
    leak = {"battery": 100, "device_temperature": 30, "linkquality": 120, "power_outage_count": 2,
            "voltage": 3005, "water_leak": True}
    dev.publish(topic, leak)
    wait_until(lambda: len(alerts(api, ann, "water_leak")) == 1, 10, what="the leak alert")
    first = alerts(api, ann, "water_leak")[0]
    resolve(api, first)
    # Zigbee2MQTT republishes the cached state with the next report (a
    # link-quality change) and at its own restart: nothing new.
    before = metric(api, 'carenet_events_ignored_total{reason="unchanged"}')
    for lq in (118, 117, 116):
        dev.publish(topic, dict(leak, linkquality=lq))
    wait_until(lambda: metric(api, 'carenet_events_ignored_total{reason="unchanged"}') >= before + 3, 10,
               what="three republishes counted as unchanged")
    assert [a["id"] for a in alerts(api, ann, "water_leak")] == [first["id"]]
    assert alerts(api, ann, "water_leak")[0]["status"] == "resolved"
    assert api.ok("GET", "/v1/devices/0x00158d0002a1b2c3")["status"] == "online"
    # The restore, then the alarm anew: a new alert.
    dev.publish(topic, dict(leak, water_leak=False))
    wait_until(lambda: [e["value"] for e in events(api, "0x00158d0002a1b2c3")] == [True, False], 10,
               what="the restore stored")
    dev.publish(topic, dict(leak, water_leak=True))
    wait_until(lambda: len(alerts(api, ann, "water_leak")) == 2, 10, what="a new leak alert")
    fresh = [a for a in alerts(api, ann, "water_leak") if a["id"] != first["id"]][0]
    assert fresh["status"] == "open" and fresh["priority"] == 2


def test_a_call_button_raises_sos_once_per_press_whatever_its_action_words(api, mq):
    site = Site(api)
    bo = site.resident("Bo")
    cy = site.resident("Cy")
    site.device(bo, "0x0017880104aabbcc", "sos_button", protocol="z2m", z2m_name="bo/call")
    site.device(cy, "0x0017880104ddeeff", "other", protocol="z2m", z2m_name="cy/remote")
    dev = mq()
    # A press and its release are one press: one event, one alert.
    dev.publish("zigbee2mqtt/bo/call", {"action": "on_press", "battery": 100})
    dev.publish("zigbee2mqtt/bo/call", {"action": "on_press_release", "battery": 100})
    dev.publish("zigbee2mqtt/bo/call", {"action": "", "battery": 100})
    wait_until(lambda: len(alerts(api, bo, "sos")) == 1, 10, what="the sos alert")
    wait_until(lambda: len([e for e in events(api, "0x0017880104aabbcc") if e["type"] == "button"]) == 1, 5)
    assert alerts(api, bo, "sos")[0]["count"] == 1
    resolve(api, alerts(api, bo, "sos")[0])
    # A release with no press before it is the press; endpoint and phase
    # words, and an action word no table knows, all count on a call button.
    for word in ("1_short_release", "1_double_press", "single_left", "arm_day_zones"):
        n = len(alerts(api, bo, "sos"))
        dev.publish("zigbee2mqtt/bo/call", {"action": word})
        wait_until(lambda: len(alerts(api, bo, "sos")) == n + 1, 10, what="sos from %s" % word)
        resolve(api, alerts(api, bo, "sos")[0])
    # An IAS panic button says sos: true; its republish is no new press.
    dev.publish("zigbee2mqtt/bo/call", {"sos": True, "battery_low": False})
    wait_until(lambda: len([a for a in alerts(api, bo, "sos") if a["status"] == "open"]) == 1, 10,
               what="sos from sos: true")
    open_sos = [a for a in alerts(api, bo, "sos") if a["status"] == "open"][0]
    resolve(api, open_sos)
    before = metric(api, 'carenet_events_ignored_total{reason="unchanged"}')
    dev.publish("zigbee2mqtt/bo/call", {"sos": True, "battery_low": False, "linkquality": 40})
    wait_until(lambda: metric(api, 'carenet_events_ignored_total{reason="unchanged"}') > before, 10)
    assert not [a for a in alerts(api, bo, "sos") if a["status"] != "resolved"]
    # A remote that is not a call button: an unknown word is no call.
    dev.publish("zigbee2mqtt/cy/remote", {"action": "brightness_move_up", "battery": 87})
    dev.publish("zigbee2mqtt/cy/remote", {"action": "single", "battery": 87})
    wait_until(lambda: len(alerts(api, cy, "sos")) == 1, 10, what="the remote's single press")
    assert [e["type"] for e in events(api, "0x0017880104ddeeff")] == ["button"]


def test_carbon_monoxide_fall_status_and_booleans_as_numbers_or_on(api, mq):
    site = Site(api)
    di = site.resident("Di")
    site.device(di, "0x00124b0021c0ffee", "carbon_monoxide", protocol="z2m", z2m_name="di/co")
    site.device(di, "0xa4c138f00d", "fall_detector", protocol="z2m", z2m_name="di/radar")
    site.device(di, "0xa4c1385eed", "smoke", protocol="z2m", z2m_name="di/smoke")
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    dev = mq()
    dev.publish("zigbee2mqtt/di/co", {"carbon_monoxide": True, "battery_low": False, "tamper": False})
    (_, page), = staff.wait_for(r".*", lambda p: p["kind"] == "carbon_monoxide")
    assert page["priority"] == 1 and page["resident_id"] == di["id"]
    dev.publish("zigbee2mqtt/di/radar", {"fall_status": "fall_alarm", "presence": True})
    staff.wait_for(r".*", lambda p: p["kind"] == "fall")
    dev.publish("zigbee2mqtt/di/smoke", {"smoke": "ON", "battery_state": "low"})
    (_, smoke), = staff.wait_for(r".*", lambda p: p["kind"] == "smoke")
    assert smoke["priority"] == 1
    wait_until(lambda: len(alerts(api, di, "low_battery")) == 1, 10, what="battery_state low")
    kinds = api.s.get(api.base + "/metrics", timeout=5).text
    assert 'carenet_alerts_raised_total{kind="carbon_monoxide"} 1' in kinds


def test_inactivity_fires_while_a_pir_keeps_republishing_its_cached_occupancy(api, mq):
    site = Site(api)
    now = dt.datetime.now(zoneinfo.ZoneInfo(ZONE))
    around = {"active_from": (now - dt.timedelta(hours=2)).strftime("%H:%M"),
              "active_to": (now + dt.timedelta(hours=2)).strftime("%H:%M")}
    eve = site.resident("Eve", monitoring=dict(around, inactivity_minutes=1))
    site.device(eve, "0x00158d00045a1b2c", "motion", protocol="z2m", z2m_name="eve/hall-pir")
    dev = mq()
    topic = "zigbee2mqtt/eve/hall-pir"
    dev.publish(topic, {"occupancy": True, "battery": 100, "illuminance": 30})
    wait_until(lambda: len(events(api, "0x00158d00045a1b2c")) == 1, 10, what="the first motion")
    # The cached occupancy: true comes back with every report: it is a
    # sign of life, and the minute of inactivity still runs out. Bounded:
    # at most 40 republishes, one every 2 s.
    deadline = time.time() + 90
    sent = 0
    while time.time() < deadline and sent < 40 and not alerts(api, eve, "inactivity"):
        dev.publish(topic, {"occupancy": True, "battery": 100, "illuminance": 30 + sent})
        sent += 1
        pace = time.monotonic() + 2
        while time.monotonic() < pace and not alerts(api, eve, "inactivity"):
            time.sleep(0.2)
    got = alerts(api, eve, "inactivity")
    assert len(got) == 1, "no inactivity alert after %d republishes" % sent
    assert sent >= 10
    assert len(events(api, "0x00158d00045a1b2c")) == 1
    assert api.ok("GET", "/v1/devices/0x00158d00045a1b2c")["status"] == "online"
    # A real change (motion stops, then starts) is activity again.
    dev.publish(topic, {"occupancy": False, "battery": 100})
    dev.publish(topic, {"occupancy": True, "battery": 100})
    wait_until(lambda: "activity" in [l["action"] for l in
                                      api.ok("GET", "/v1/alerts/%s" % got[0]["id"])["timeline"]],
               10, what="the change as activity on the alert")


def test_discharged_residents_raise_nothing_paused_ones_keep_the_alarms(api, mq):
    site = Site(api)
    fay = site.resident("Fay")
    gus = site.resident("Gus")
    hal = site.resident("Hal")
    site.device(fay, "pend-fay", "sos_button")
    site.device(gus, "pend-gus", "sos_button")
    site.device(hal, "pend-hal", "sos_button")
    site.device(hal, "0xaa01", "water_leak", protocol="z2m", z2m_name="hal/leak")
    site.device(hal, "0xaa02", "carbon_monoxide", protocol="z2m", z2m_name="hal/co")
    site.device(hal, "0xaa03", "door", protocol="z2m", z2m_name="hal/door", exit_door=True)
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    api.ok("PATCH", "/v1/residents/" + fay["id"], {"status": "discharged"})
    api.ok("DELETE", "/v1/residents/" + gus["id"], status=(200, 204))
    api.ok("PATCH", "/v1/residents/" + hal["id"], {"status": "paused"})
    dev = mq()
    dev.subscribe("carenet/dev/#")
    for d in ("pend-fay", "pend-gus", "pend-hal"):
        dev.publish("carenet/dev/%s/event" % d, {"type": "button", "value": "press", "seq": 7})
    dev.publish("carenet/dev/pend-fay/heartbeat", {"battery": 3})
    dev.publish("zigbee2mqtt/hal/leak", {"water_leak": True})
    dev.publish("zigbee2mqtt/hal/co", {"carbon_monoxide": 1})
    # Every alarm is still acknowledged to its device (it stops repeating).
    dev.wait_for(r"carenet/dev/pend-(fay|gus|hal)/ack", count=3)
    staff.wait_for(r".*", lambda p: p["resident_id"] == hal["id"], count=3)
    got = {(p["resident_id"], p["kind"]) for _, p in staff.matching(r".*")}
    assert got == {(hal["id"], "sos"), (hal["id"], "water_leak"), (hal["id"], "carbon_monoxide")}
    assert alerts(api, fay) == [] and alerts(api, gus) == []
    # The events are on record all the same.
    assert [e["type"] for e in events(api, "pend-fay")] == ["button"]
    assert [e["type"] for e in events(api, "pend-gus")] == ["button"]


def test_zigbee_devices_nobody_enrolled_are_counted_and_quarantine_stays_one_row_per_topic(api, mq, daemon):
    site = Site(api)
    ida = site.resident("Ida")
    site.device(ida, "good-z", "motion")
    dev = mq()
    for i in range(30):
        dev.publish("zigbee2mqtt/living/lamp", {"state": "ON", "brightness": i, "linkquality": 90})
        dev.publish("zigbee2mqtt/living/plug/availability", {"state": "online"})
    for i in range(20):
        dev.publish("carenet/dev/good-z/event", b'{"type": "motion", "value": tr')
    dev.publish("carenet/dev/good-z/event", b'{"type": "motion", "value": "sometimes"}')
    dev.publish("carenet/dev/good-z/event", {"type": "motion", "value": True, "seq": 1})
    wait_until(lambda: len(events(api, "good-z")) == 1, 10, what="the good event")
    wait_until(lambda: metric(api, 'carenet_events_ignored_total{reason="not_enrolled"}') == 60, 10,
               what="not-enrolled messages counted")
    assert metric(api, 'carenet_events_rejected_total{reason="unknown_device"}') == 0
    wait_until(lambda: metric(api, "carenet_events_rejected_total") == 21, 10)
    db = sqlite3.connect(daemon.db_path)
    rows = db.execute("SELECT topic, count, reason, payload FROM quarantine_topics").fetchall()
    db.close()
    assert len(rows) == 1
    topic, count, reason, payload = rows[0]
    assert bytes(topic) == b"carenet/dev/good-z/event" and count == 21
    assert reason == "bad_type" and bytes(payload) == b'{"type": "motion", "value": "sometimes"}'
