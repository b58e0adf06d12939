"""Health readings and daily activity (issue 18, contract section 7):
readings by MQTT and REST, physiological bounds, vital_sign alerts at P2
and P1 folding per resident and measure, thresholds per site and
resident, the clinician's and the family's scope, and the daily activity
summary of a replayed CASAS morning."""
import datetime as dt
import json
import os
import subprocess
import time

import pytest

from conftest import CARENET_SIM, DATA_DIR, Site, wait_until

MORNING = os.path.join(DATA_DIR, "casas/tm000.20160207_AM_InactivitySeq.txt")


@pytest.fixture
def daemon_args():
    return {"timezone": "UTC", "escalate_p1_s": 30, "escalate_p2_s": 60}


def metric(api, name):
    text = api.s.get(api.base + "/metrics", timeout=5).text
    return sum(float(l.rsplit(" ", 1)[1]) for l in text.splitlines() if l.startswith(name))


def vital_alerts(api, resident_id):
    items = api.ok("GET", "/v1/alerts?kind=vital_sign&status=active&resident_id=%s" % resident_id)["items"]
    return {a["id"]: a for a in items}


def reading(dev, device_id, seq, type_, value):
    dev.publish("carenet/dev/%s/event" % device_id, {"type": type_, "value": value, "seq": seq})


def test_readings_by_mqtt_raise_fold_and_escalate_per_measure(api, mq):
    site = Site(api)
    ann = site.resident("Ann Health")
    site.device(ann, "cuff-1", "other", room="bedroom")
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    dev = mq()

    # Normal: stored, no alert.
    reading(dev, "cuff-1", 1, "blood_pressure", {"systolic": 128, "diastolic": 82, "pulse": 70})
    wait_until(lambda: len(api.ok("GET", "/v1/residents/%s/measurements" % ann["id"])["items"]) == 1, 10,
               what="the first reading stored")
    m = api.ok("GET", "/v1/residents/%s/measurements" % ann["id"])["items"][0]
    assert m["type"] == "blood_pressure" and m["source"] == "device" and m["device_id"] == "cuff-1"
    assert m["value"] == {"systolic": 128, "diastolic": 82, "pulse": 70}
    assert vital_alerts(api, ann["id"]) == {}

    # High systolic: P2, detail names the reading and the bound, paged.
    reading(dev, "cuff-1", 2, "blood_pressure", {"systolic": 165, "diastolic": 95})
    wait_until(lambda: len(vital_alerts(api, ann["id"])) == 1, 10, what="a vital_sign alert")
    (a,) = vital_alerts(api, ann["id"]).values()
    assert a["priority"] == 2 and a["kind"] == "vital_sign"
    full = api.ok("GET", "/v1/alerts/%s" % a["id"])
    assert full["timeline"][0]["detail"] == "systolic 165 mmHg at or above high 160"
    staff.wait_for(r"carenet/staff/[^/]+/notify", lambda p: p["id"] == a["id"])

    # A repeat folds; then a critical reading raises the same alert to P1
    # and pages again at once.
    reading(dev, "cuff-1", 3, "blood_pressure", {"systolic": 170, "diastolic": 96})
    wait_until(lambda: api.ok("GET", "/v1/alerts/%s" % a["id"])["count"] == 2, 10, what="the fold")
    reading(dev, "cuff-1", 4, "blood_pressure", {"systolic": 186, "diastolic": 99})
    wait_until(lambda: api.ok("GET", "/v1/alerts/%s" % a["id"])["priority"] == 1, 10, what="P1")
    full = api.ok("GET", "/v1/alerts/%s" % a["id"])
    assert full["count"] == 3
    details = [l["detail"] for l in full["timeline"]]
    assert "repeat #3: systolic 186 mmHg at or above critical 180" in details
    assert "priority 2 -> 1" in details
    staff.wait_for(r"carenet/staff/[^/]+/notify", lambda p: p["id"] == a["id"] and p["priority"] == 1)
    assert len(vital_alerts(api, ann["id"])) == 1  # one per measure

    # Another measure is another alert: SpO2 87 is P1 at once.
    site.device(ann, "oxi-1", "other")
    reading(dev, "oxi-1", 1, "spo2", 87)
    wait_until(lambda: len(vital_alerts(api, ann["id"])) == 2, 10, what="the spo2 alert")
    spo2 = [x for x in vital_alerts(api, ann["id"]).values() if x["id"] != a["id"]][0]
    assert spo2["priority"] == 1

    # An impossible reading is quarantined: no measurement, no alert.
    before = metric(api, 'carenet_events_rejected_total{reason="bad_value"}')
    n = len(api.ok("GET", "/v1/residents/%s/measurements" % ann["id"])["items"])
    reading(dev, "cuff-1", 5, "blood_pressure", {"systolic": 900, "diastolic": 80})
    wait_until(lambda: metric(api, 'carenet_events_rejected_total{reason="bad_value"}') == before + 1, 10,
               what="the bad reading counted")
    assert len(api.ok("GET", "/v1/residents/%s/measurements" % ann["id"])["items"]) == n
    assert len(vital_alerts(api, ann["id"])) == 2


def test_readings_by_rest_and_thresholds(api):
    site = Site(api)
    bo = site.resident("Bo Health")
    carer = site.login(site.primary)
    path = "/v1/residents/%s/measurements" % bo["id"]

    r = carer.post(path, {"type": "blood_pressure", "value": {"systolic": 900, "diastolic": 80}})
    assert r.status_code == 400 and "value.systolic" in r.json()["error"]["message"]
    r = carer.post(path, {"type": "glucose", "value": {"mmol_l": 5.0, "context": "lunch"}})
    assert r.status_code == 400 and "value.context" in r.json()["error"]["message"]
    r = carer.post(path, {"type": "pressure", "value": 1})
    assert r.status_code == 400 and "type" in r.json()["error"]["message"]
    r = carer.post(path, {"type": "spo2", "value": 97, "note": "x"})
    assert r.status_code == 400 and "note" in r.json()["error"]["message"]
    assert api.ok("GET", path)["items"] == []

    m = carer.ok("POST", path, {"type": "glucose", "value": {"mmol_l": 2.8, "context": "fasting"},
                                "taken_at": "2026-01-05T07:30:00Z"})
    assert m["source"] == "staff" and m["taken_by"] == site.primary["id"] and m["alert_id"]
    assert m["taken_at"] == "2026-01-05T07:30:00.000Z"
    alert = api.ok("GET", "/v1/alerts/%s" % m["alert_id"])
    assert alert["kind"] == "vital_sign" and alert["priority"] == 1
    assert alert["timeline"][0]["detail"] == "glucose 2.8 mmol/L below critical 3"
    ok = carer.ok("POST", path, {"type": "body_temperature", "value": 36.8})
    assert ok["alert_id"] is None
    assert [x["type"] for x in api.ok("GET", path + "?type=glucose")["items"]] == ["glucose"]
    assert len(api.ok("GET", path + "?until=2026-02-01T00:00:00Z")["items"]) == 1

    # Site defaults and the clinic's per-resident override, merged.
    t = api.ok("GET", "/v1/sites/%s/thresholds" % site.id)
    assert t["effective"]["systolic"] == {"low": 90, "high": 160, "critical_low": None, "critical": 180}
    api.ok("PUT", "/v1/sites/%s/thresholds" % site.id, {"heart_rate": {"high": 110}})
    r = api.request("PUT", "/v1/residents/%s/thresholds" % bo["id"], {"heart_rate": {"low": 130}})
    assert r.status_code == 400 and "heart_rate.high" in r.json()["error"]["message"]
    t = api.ok("PUT", "/v1/residents/%s/thresholds" % bo["id"], {"heart_rate": {"low": 45, "critical": 140}})
    assert t["overrides"] == {"heart_rate": {"critical": 140, "low": 45}}
    assert t["effective"]["heart_rate"] == {"low": 45, "high": 110, "critical_low": 40, "critical": 140}
    assert carer.ok("POST", path, {"type": "heart_rate", "value": 48})["alert_id"] is None
    hr = carer.ok("POST", path, {"type": "heart_rate", "value": 112})
    assert api.ok("GET", "/v1/alerts/%s" % hr["alert_id"])["priority"] == 2
    # A caregiver reads thresholds but does not set them.
    assert carer.get("/v1/residents/%s/thresholds" % bo["id"]).status_code == 200
    assert carer.request("PUT", "/v1/residents/%s/thresholds" % bo["id"], {}).status_code == 403


def test_clinician_family_and_volunteer_scope(api, mq):
    site = Site(api)
    cy = site.resident("Cy Health")
    other = site.resident("Di Health")
    doc = site.staff("doc", "clinician")
    now = time.time()
    site.shift(doc, "primary", now - 3600, now + 8 * 3600)  # the clinic's duty at the site
    fam = site.staff("fam", "family", site_id=None, resident_ids=[cy["id"]])
    clinic = site.login(doc)
    family = site.login(fam)
    volunteer = site.login(site.volunteer)
    path = "/v1/residents/%s/measurements" % cy["id"]
    pages = mq()
    pages.subscribe("carenet/staff/+/notify")

    # A P2 reading goes up the site's ladder; the clinician on duty is not
    # paged for it (nor for any other kind), only for a P1 reading.
    m = clinic.ok("POST", path, {"type": "spo2", "value": 90})
    assert m["taken_by"] == doc["id"] and m["alert_id"]
    pages.wait_for(r"carenet/staff/%s/notify" % site.primary["id"], lambda p: p["id"] == m["alert_id"])
    hr = api.ok("POST", "/v1/residents/%s/measurements" % other["id"], {"type": "heart_rate", "value": 160})
    (topic, page), = pages.wait_for(r"carenet/staff/%s/notify" % doc["id"])
    assert page["id"] == hr["alert_id"] and page["priority"] == 1 and page["kind"] == "vital_sign"
    assert not pages.matching(r"carenet/staff/%s/notify" % doc["id"], lambda p: p["id"] == m["alert_id"])
    assert clinic.ok("GET", path)["items"][0]["id"] == m["id"]
    clinic.ok("PUT", "/v1/residents/%s/thresholds" % cy["id"], {"spo2": {"low": 90}})
    assert clinic.ok("GET", "/v1/residents/%s" % cy["id"])["name"] == "Cy Health"
    # Health alerts only: a manual alert of the same resident is not theirs.
    manual = api.ok("POST", "/v1/alerts", {"resident_id": cy["id"], "priority": 2})
    kinds = {a["kind"] for a in clinic.ok("GET", "/v1/alerts")["items"]}
    assert kinds == {"vital_sign"}
    assert clinic.get("/v1/alerts/%s" % manual["id"]).status_code == 404
    assert clinic.get("/v1/alerts/%s" % m["alert_id"]).status_code == 200
    # Not service orders, attendance, audit, devices or events.
    for p in ("/v1/requests", "/v1/attendance?site_id=%s" % site.id, "/v1/audit", "/v1/devices", "/v1/events"):
        assert clinic.get(p).status_code in (403, 404), p

    # Family: their relative's readings, read only; nobody else's.
    assert [x["id"] for x in family.ok("GET", path)["items"]] == [m["id"]]
    assert family.post(path, {"type": "spo2", "value": 97}).status_code == 403
    assert family.get("/v1/residents/%s/measurements" % other["id"]).status_code == 404
    assert family.get("/v1/residents/%s/thresholds" % cy["id"]).status_code == 403
    # Volunteers never.
    assert volunteer.get(path).status_code == 403
    assert volunteer.get("/v1/residents/%s/activity" % cy["id"]).status_code == 403


def parse_trace(path):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3 and parts[0]:
                rows.append((dt.datetime.strptime(parts[0], "%Y-%m-%d %H:%M:%S.%f"), parts[1], parts[2]))
    return rows


ROOMS = ("Bedroom", "Bathroom", "Kitchen", "LivingRoom", "Hallway", "MainEntryway")


def room_of(sensor):
    return [r for r in ROOMS if sensor.startswith(r)][0].lower()


@pytest.mark.skipif(not os.path.exists(MORNING), reason="CASAS trace not present")
def test_activity_summary_of_a_replayed_casas_morning(api, broker):
    site = Site(api)
    ed = site.resident("Ed Casas")
    rows = parse_trace(MORNING)
    sensors = sorted({s for _, s, _ in rows})
    for s in sensors:
        site.device(ed, "am-" + s.lower(), "motion", room=room_of(s))
    # The trace's own times (a morning of 7 February 2016): a replay moved
    # to now would run up to an hour ahead of the clock, and device times
    # that far ahead are taken as the receive time.
    r = subprocess.run([CARENET_SIM, "replay", MORNING, "--port", str(broker.port), "--prefix", "am",
                        "--as-fast", "--keep-time"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    summary = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")][-1]
    assert summary["published"] == len(rows)

    # The expected summary from the trace itself: the replay keeps the
    # trace's spacing from its first event's time (US/Pacific wall clock
    # read as instants); motion ON is activity
    # (OFF is not); the daemon runs in UTC with the default night window.
    first = dt.datetime.strptime(summary["first"], "%Y-%m-%dT%H:%M:%S.%fZ")
    expect = {}
    for t, sensor, value in rows:
        if value != "ON":
            continue
        at = first + (t - rows[0][0])
        d = expect.setdefault(at.date().isoformat(), {"events": 0, "night": 0, "hours": set(), "rooms": {}})
        d["events"] += 1
        d["night"] += 1 if (at.hour >= 23 or at.hour < 6) else 0
        d["hours"].add(at.hour)
        d["rooms"][room_of(sensor)] = d["rooms"].get(room_of(sensor), 0) + 1
    days = sorted(expect)
    path = "/v1/residents/%s/activity?from=%s&to=%s" % (ed["id"], days[0], days[-1])
    total = sum(d["events"] for d in expect.values())
    wait_until(lambda: sum(i["events"] for i in api.ok("GET", path)["items"]) == total, 30, interval=0.5,
               what="the replayed morning summarised")
    items = {i["date"]: i for i in api.ok("GET", path)["items"]}
    assert sorted(items) == days
    for day, e in expect.items():
        got = items[day]
        assert got["events"] == e["events"]
        assert got["night_events"] == e["night"]
        assert got["active_hours"] == len(e["hours"])
        assert got["by_room"] == e["rooms"]
        assert got["out_of_home_minutes"] == 0
        assert got["first_activity"] and got["last_activity"] and got["first_activity"] <= got["last_activity"]
    # A day with no events is a day of zeros, not a gap in the answer.
    empty = api.ok("GET", "/v1/residents/%s/activity?from=2020-01-01&to=2020-01-02" % ed["id"])["items"]
    assert [i["date"] for i in empty] == ["2020-01-01", "2020-01-02"]
    assert all(i["events"] == 0 and i["first_activity"] is None and i["by_room"] == {} for i in empty)
    bad = api.get("/v1/residents/%s/activity?from=2020-02-30" % ed["id"])
    assert bad.status_code == 400 and "from" in bad.json()["error"]["message"]


WEEK = os.path.join(DATA_DIR, "casas/tm000.multiday_absence.txt")


@pytest.mark.skipif(not os.path.exists(WEEK), reason="CASAS trace not present")
def test_evaluate_shows_wellbeing_on_the_casas_week(tmp_path):
    settings = '{"inactivity_minutes": 240, "active_from": "07:00", "active_to": "22:00"}'

    def evaluate(*extra):
        r = subprocess.run([CARENET_SIM, "evaluate", WEEK, "--resident-settings", settings,
                            "--wellbeing-min-days", "3"] + list(extra), capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        return [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]

    # Nobody told the rule about the absence (14 July 12:23 to 16 July
    # 18:54): the empty 15 July is far under the resident's own days.
    out = evaluate()
    days = {l["day"]: l for l in out if "day" in l}
    wb = [l for l in out if l.get("kind") == "wellbeing"]
    assert any(w["detail"].startswith("2016-07-15: %d activity events, under 0.5 x the median" %
                                      days["2016-07-15"]["activity"]) for w in wb), wb
    assert sum(d["events"] for d in days.values()) == 21968
    # Told, the days away are neither judged nor part of a baseline.
    away = tmp_path / "away.txt"
    away.write_text("2016-07-14 12:23 2016-07-16 18:54 away\n")
    out = evaluate("--presence", str(away))
    days = {l["day"]: l for l in out if "day" in l}
    assert [d for d, l in sorted(days.items()) if l["away"]] == ["2016-07-14", "2016-07-15", "2016-07-16"]
    wb = [l for l in out if l.get("kind") == "wellbeing"]
    assert not any(w["detail"][:10] in ("2016-07-14", "2016-07-15", "2016-07-16") for w in wb), wb
