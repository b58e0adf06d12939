"""Alerts and dispatch (issue 4): an SOS press reaches the caregiver on
shift, repeats fold, nobody acking escalates, acking stops it."""
import json
import time

import pytest

from conftest import Site, wait_until

ESCALATE = {"escalate_p1_s": 3, "escalate_p2_s": 4, "escalate_p3_s": 5}


@pytest.fixture
def daemon_args():
    return dict(ESCALATE)


def press(dev, device_id, seq, value="press"):
    dev.publish("carenet/dev/%s/event" % device_id, {"type": "button", "value": value, "seq": seq})


def test_sos_press_pages_primary_and_is_acknowledged_to_the_device(api, mq):
    site = Site(api)
    ann = site.resident("Ann Li", address="2 Garden Road", phone="+86 10 5555 0101")
    site.device(ann, "pendant-1", "sos_button")
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    dev = mq()
    dev.subscribe("carenet/dev/pendant-1/#")

    press(dev, "pendant-1", 41)
    (_, ack), = dev.wait_for(r"carenet/dev/pendant-1/ack", lambda p: p["seq"] == 41)
    assert ack["event_id"] and ack["alert_id"]
    (topic, page), = staff.wait_for(r"carenet/staff/[^/]+/notify")
    assert topic == "carenet/staff/%s/notify" % site.primary["id"]
    assert page["kind"] == "sos" and page["priority"] == 1 and page["level"] == 0
    assert page["resident"] == {"name": "Ann Li", "address": "2 Garden Road", "phone": "+86 10 5555 0101"}
    assert page["id"] == ack["alert_id"]

    # A repeat with the same seq is the same event: acked again, stored once.
    press(dev, "pendant-1", 41)
    dev.wait_for(r"carenet/dev/pendant-1/ack", lambda p: p["seq"] == 41, count=2)
    events = api.ok("GET", "/v1/events?device_id=pendant-1")["items"]
    assert len(events) == 1

    # A second press folds into the open alert and pages nobody.
    press(dev, "pendant-1", 42)
    dev.wait_for(r"carenet/dev/pendant-1/ack", lambda p: p["seq"] == 42)
    alert = api.ok("GET", "/v1/alerts/%s" % ack["alert_id"])
    assert alert["count"] == 2
    assert [l["action"] for l in alert["timeline"]].count("folded") == 1
    time.sleep(0.5)
    assert len(staff.matching(r"carenet/staff/[^/]+/notify")) == 1

    # The caregiver acknowledges: recorded, escalation stops, device told.
    ann_api = site.login(site.primary)
    acked = ann_api.ok("POST", "/v1/alerts/%s/ack" % ack["alert_id"])
    assert acked["status"] == "acknowledged" and acked["acked_by"] == site.primary["id"]
    (_, cmd), = dev.wait_for(r"carenet/dev/pendant-1/cmd")
    assert cmd == {"cmd": "help_coming", "alert_id": ack["alert_id"]}
    time.sleep(ESCALATE["escalate_p1_s"] + 1)
    assert len(staff.matching(r"carenet/staff/[^/]+/notify")) == 1

    # Dispatch, arrive, resolve; then ack is a conflict.
    a = ann_api.ok("POST", "/v1/alerts/%s/dispatch" % ack["alert_id"], {"staff_id": site.backup["id"]})
    assert a["status"] == "dispatched" and a["responder_id"] == site.backup["id"]
    a = ann_api.ok("POST", "/v1/alerts/%s/arrive" % ack["alert_id"])
    assert a["status"] == "on_site"
    r = ann_api.post("/v1/alerts/%s/resolve" % ack["alert_id"], {"outcome": "nonsense"})
    assert r.status_code == 400 and "outcome" in r.json()["error"]["message"]
    a = ann_api.ok("POST", "/v1/alerts/%s/resolve" % ack["alert_id"], {"outcome": "genuine", "note": "helped up"})
    assert a["status"] == "resolved" and a["outcome"] == "genuine"
    assert ann_api.post("/v1/alerts/%s/ack" % ack["alert_id"]).status_code == 409
    actions = [l["action"] for l in a["timeline"]]
    for want in ("raised", "notified", "folded", "acknowledged", "dispatched", "on_site", "resolved"):
        assert want in actions

    # A press after resolve opens a new alert.
    press(dev, "pendant-1", 43)
    (_, ack2), = dev.wait_for(r"carenet/dev/pendant-1/ack", lambda p: p["seq"] == 43)
    assert ack2["alert_id"] != ack["alert_id"]


def test_unacknowledged_alert_escalates_by_level_never_to_volunteers(api, mq):
    site = Site(api)
    bo = site.resident("Bo Wang")
    site.device(bo, "fall-1", "fall_detector")
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    dev = mq()
    dev.publish("carenet/dev/fall-1/event", {"type": "fall", "value": True, "seq": 1})
    staff.wait_for(r".*", lambda p: p["level"] == 0)
    lvl1 = staff.wait_for(r".*", lambda p: p["level"] == 1, timeout=ESCALATE["escalate_p1_s"] + 5, count=2)
    assert {t.split("/")[2] for t, _ in lvl1} == {site.primary["id"], site.backup["id"]}
    lvl2 = staff.wait_for(r".*", lambda p: p["level"] == 2, timeout=ESCALATE["escalate_p1_s"] + 5, count=4)
    assert {t.split("/")[2] for t, _ in lvl2} == {site.primary["id"], site.backup["id"],
                                                  site.supervisor["id"], site.coordinator["id"]}
    assert not staff.matching(r"carenet/staff/%s/notify" % site.volunteer["id"])
    alerts = api.ok("GET", "/v1/alerts?status=active")["items"]
    assert alerts[0]["kind"] == "fall" and alerts[0]["level"] >= 2


def test_nobody_on_shift_pages_the_coordinator_at_once(api, mq):
    site = Site(api, shifts=False)
    cy = site.resident("Cy Zhao")
    site.device(cy, "leak-1", "water_leak")
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    mq().publish("carenet/dev/leak-1/event", {"type": "water_leak", "value": True, "seq": 7})
    (topic, page), = staff.wait_for(r".*")
    assert topic == "carenet/staff/%s/notify" % site.coordinator["id"]
    assert page["kind"] == "water_leak" and page["priority"] == 2 and page["nobody_on_shift"] is True


def test_escalation_due_while_stopped_fires_right_after_start(api, mq, daemon):
    site = Site(api)
    dee = site.resident("Dee")
    site.device(dee, "pendant-2", "sos_button")
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    mq().publish("carenet/dev/pendant-2/event", {"type": "button", "value": "press", "seq": 1})
    staff.wait_for(r".*", lambda p: p["level"] == 0)
    daemon.stop()
    time.sleep(ESCALATE["escalate_p1_s"] + 1)
    staff.clear()
    daemon.start()
    # Bounded poll: the overdue step is paged at start, long before the
    # next one would be due.
    staff.wait_for(r".*", lambda p: p["level"] == 1, timeout=15, count=2)


def test_technical_alerts_low_battery_and_offline_clear_themselves(api, mq):
    site = Site(api)
    eve = site.resident("Eve")
    site.device(eve, "motion-1", "motion", heartbeat_s=60)
    dev = mq()
    dev.publish("carenet/dev/motion-1/heartbeat", {"battery": 9})
    wait_until(lambda: api.ok("GET", "/v1/alerts?kind=low_battery&status=active")["items"], 5)
    a = api.ok("GET", "/v1/alerts?kind=low_battery&status=active")["items"][0]
    assert a["priority"] == 4 and a["notified"] == []
    dev.publish("carenet/dev/motion-1/status", "offline")
    wait_until(lambda: api.ok("GET", "/v1/alerts?kind=device_offline&status=active")["items"], 5)
    off = api.ok("GET", "/v1/alerts?kind=device_offline&status=active")["items"][0]
    assert off["priority"] == 3
    assert api.ok("GET", "/v1/devices/motion-1")["status"] == "offline"
    dev.publish("carenet/dev/motion-1/heartbeat", {"battery": 80})
    wait_until(lambda: not api.ok("GET", "/v1/alerts?status=active")["items"], 5)
    dev_state = api.ok("GET", "/v1/devices/motion-1")
    assert dev_state["status"] == "online" and dev_state["battery"] == 80
