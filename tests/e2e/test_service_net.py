"""The service net (issue 6): day-care attendance and presence, the
time-window rules on exact deadlines (inactivity, night exit, missed
check-in, missed visit), service requests from order to visit, and the
response report.

The daemon runs in a fixed-offset zone chosen so that local time is about
noon during the test: the daily windows set below (an hour or two around
now) then never wrap past midnight and the local day does not change
under the test.
"""
import csv
import datetime as dt
import io
import time
import zoneinfo

import pytest

from conftest import Site, wait_until

_OFFSET_H = 12 - dt.datetime.now(dt.timezone.utc).hour  # local hour ~ 12
ZONE = "Etc/GMT%+d" % -_OFFSET_H if _OFFSET_H else "Etc/GMT"
TZ = zoneinfo.ZoneInfo(ZONE)


@pytest.fixture
def daemon_args():
    return {"timezone": ZONE}


def local_now():
    return dt.datetime.now(TZ)


def hhmm(t):
    return t.strftime("%H:%M")


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def epoch(rfc3339):
    if rfc3339 is None:
        return None
    return dt.datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


def event(dev, device_id, type_, value, **extra):
    body = {"type": type_, "value": value}
    body.update(extra)
    dev.publish("carenet/dev/%s/event" % device_id, body)


def alerts_of(api, **filters):
    q = "&".join("%s=%s" % kv for kv in sorted(filters.items()))
    return api.ok("GET", "/v1/alerts?limit=500&" + q)["items"]


def test_attendance_sets_presence_and_lists_the_day(api):
    site = Site(api, shifts=False)
    ann = site.resident("Ann Li")
    bo = site.resident("Bo Wang")
    carer = site.login(site.primary)

    r = carer.ok("POST", "/v1/attendance", {"resident_id": ann["id"], "action": "check_in"})
    assert r["id"] == ann["id"] and r["presence"] == "daycare"
    assert carer.post("/v1/attendance", {"resident_id": ann["id"], "action": "check_in"}).status_code == 409
    assert carer.post("/v1/attendance", {"resident_id": bo["id"], "action": "check_out"}).status_code == 409

    today = local_now().strftime("%Y-%m-%d")
    day = carer.ok("GET", "/v1/attendance")["items"]  # the caregiver's own site, today
    assert [(e["resident_id"], e["date"], e["check_out_at"]) for e in day] == [(ann["id"], today, None)]
    assert abs(epoch(day[0]["check_in_at"]) - time.time()) < 30
    assert api.ok("GET", "/v1/attendance?site_id=%s&date=%s" % (site.id, today))["items"] == day
    assert api.ok("GET", "/v1/attendance?site_id=%s&date=2020-01-01" % site.id)["items"] == []

    r = carer.ok("POST", "/v1/attendance", {"resident_id": ann["id"], "action": "check_out"})
    assert r["presence"] == "home"
    (entry,) = carer.ok("GET", "/v1/attendance?date=" + today)["items"]
    assert entry["check_out_at"] is not None
    assert api.ok("GET", "/v1/residents/" + ann["id"])["presence"] == "home"

    # Bad input names the field; roles outside day care are refused.
    for body, field in (({"resident_id": ann["id"], "action": "nap"}, "action"),
                        ({"resident_id": "nobody", "action": "check_in"}, "resident_id"),
                        ({"action": "check_in"}, "resident_id")):
        r = carer.post("/v1/attendance", body)
        assert r.status_code == 400 and field in r.json()["error"]["message"], r.text
    r = api.get("/v1/attendance")
    assert r.status_code == 400 and "site_id" in r.json()["error"]["message"]
    r = carer.get("/v1/attendance?date=2026-02-30")
    assert r.status_code == 400 and "date" in r.json()["error"]["message"]
    assert carer.get("/v1/attendance?site_id=elsewhere").status_code == 404
    volunteer = site.login(site.volunteer)
    assert volunteer.post("/v1/attendance", {"resident_id": ann["id"], "action": "check_in"}).status_code == 403
    assert volunteer.get("/v1/attendance").status_code == 403

    # Away until a moment from now: back home when it passes (a rule timer).
    until = time.time() + 2
    r = api.ok("PATCH", "/v1/residents/" + bo["id"], {"presence": "away", "presence_until": iso(until)})
    assert r["presence"] == "away"
    wait_until(lambda: api.ok("GET", "/v1/residents/" + bo["id"])["presence"] == "home", 15,
               what="presence back home after presence_until")
    assert api.ok("GET", "/v1/residents/" + bo["id"])["presence_until"] is None
    audit = api.ok("GET", "/v1/audit?resource=residents&limit=500")["items"]
    assert any(a["resource_id"] == bo["id"] and a["actor_id"] is None for a in audit)
    assert any(a["resource"] == "attendance" and a["action"] == "check_in"
               for a in api.ok("GET", "/v1/audit?resource=attendance")["items"])


def test_time_rules_fire_on_their_deadlines_and_the_report_counts_them(api, mq):
    site = Site(api)
    t0 = time.time()
    now = local_now()
    around = {"active_from": hhmm(now - dt.timedelta(hours=2)), "active_to": hhmm(now + dt.timedelta(hours=2))}
    night = {"night_from": hhmm(now - dt.timedelta(hours=1)), "night_to": hhmm(now + dt.timedelta(hours=1))}
    # A check-in deadline on a whole minute at least 25 s away.
    deadline = (now + dt.timedelta(seconds=85)).replace(second=0, microsecond=0)
    if (deadline - now).total_seconds() < 25:
        deadline += dt.timedelta(minutes=1)
    off = {"inactivity_minutes": 0}

    quiet = site.resident("Quinn", monitoring=dict(around, inactivity_minutes=1))
    dee = site.resident("Dee", monitoring=dict(around, inactivity_minutes=1, **night))
    nia = site.resident("Nia", monitoring=dict(off, **night))
    mo = site.resident("Mo", monitoring=dict(off, checkin_by=hhmm(deadline)))
    cal = site.resident("Cal", monitoring=dict(off, checkin_by=hhmm(deadline)))
    sam = site.resident("Sam", monitoring=off)
    site.device(quiet, "motion-q", "motion")
    site.device(dee, "motion-d", "motion")
    site.device(dee, "door-d", "door", exit_door=True)
    site.device(nia, "door-n", "door", exit_door=True)
    site.device(nia, "door-i", "door", exit_door=False)
    site.device(cal, "checkin-c", "checkin")
    site.device(sam, "pendant-s", "sos_button")
    site.device(sam, "motion-s", "motion")

    watch = mq()
    watch.subscribe("carenet/site/%s/alerts" % site.id)
    dev = mq()
    carer = site.login(site.primary)

    raised = lambda kind: (lambda p: p["event"] == "raised" and p["alert"]["kind"] == kind)

    # Dee goes to day care; her home sensors and exit door stay quiet rules.
    carer.ok("POST", "/v1/attendance", {"resident_id": dee["id"], "action": "check_in"})
    t_last = time.time()
    event(dev, "motion-q", "motion", True)
    event(dev, "motion-d", "motion", True)
    event(dev, "door-d", "door", "open")
    # Night exit: the exit door raises at home; an inner door does not.
    event(dev, "door-i", "door", "open")
    event(dev, "door-n", "door", "open")
    (_, ne), = watch.wait_for(r".*", raised("night_exit"))
    assert ne["alert"]["resident_id"] == nia["id"] and ne["alert"]["priority"] == 2
    # Cal checks in before the deadline; Mo does not.
    event(dev, "checkin-c", "checkin", "ok")
    # An SOS answered at once, then found to be a false alarm.
    event(dev, "pendant-s", "button", "press", seq=1)
    (_, sos), = watch.wait_for(r".*", raised("sos"))
    carer.ok("POST", "/v1/alerts/%s/ack" % sos["alert"]["id"])
    carer.ok("POST", "/v1/alerts/%s/resolve" % sos["alert"]["id"], {"outcome": "false_alarm"})
    # A priority-4 alert counts in the report, not in the paging figures.
    dev.publish("carenet/dev/motion-s/heartbeat", {"battery": 5})

    # Inactivity after one quiet minute at home, never before it (the
    # wait is a bounded poll, not a timing assertion).
    (_, ina), = watch.wait_for(r".*", raised("inactivity"), timeout=120)
    took = time.time() - t_last
    assert took >= 55, took
    assert ina["alert"]["resident_id"] == quiet["id"] and ina["alert"]["priority"] == 2
    carer.ok("POST", "/v1/alerts/%s/ack" % ina["alert"]["id"])
    # Activity afterwards goes on the alert's timeline.
    event(dev, "motion-q", "motion", True)
    wait_until(lambda: "activity" in [l["action"] for l in
                                      api.ok("GET", "/v1/alerts/%s" % ina["alert"]["id"])["timeline"]],
               10, what="activity on the inactivity alert's timeline")

    # Missed check-in at the deadline for Mo only.
    wait_s = deadline.timestamp() - time.time()
    (_, mc), = watch.wait_for(r".*", raised("missed_checkin"), timeout=max(wait_s, 0) + 15)
    assert mc["alert"]["resident_id"] == mo["id"]
    assert epoch(mc["alert"]["created_at"]) >= deadline.timestamp() - 1
    carer.ok("POST", "/v1/alerts/%s/ack" % mc["alert"]["id"])
    time.sleep(3)

    # One inactivity alert, none at day care, nothing from inner or day-care doors.
    assert [a["resident_id"] for a in alerts_of(api, kind="inactivity")] == [quiet["id"]]
    assert [a["resident_id"] for a in alerts_of(api, kind="night_exit")] == [nia["id"]]
    assert [a["resident_id"] for a in alerts_of(api, kind="missed_checkin")] == [mo["id"]]
    assert alerts_of(api, resident_id=dee["id"]) == []
    assert alerts_of(api, resident_id=cal["id"]) == []

    # The report counts every alert of the period and gives the shares.
    before = time.time()
    rep = api.ok("GET", "/v1/reports/response?site_id=%s&from=%s" % (site.id, iso(t0 - 60)))
    after = time.time()
    every = alerts_of(api, site_id=site.id)
    assert rep["site_id"] == site.id and rep["alerts"] == len(every) == 5
    kinds = {}
    for a in every:
        kinds[a["kind"]] = kinds.get(a["kind"], 0) + 1
    assert rep["by_kind"] == kinds
    assert rep["by_outcome"] == {"false_alarm": 1} and rep["false_alarm_pct"] == 100

    def share(limit_s, at):
        within = decided = 0
        for a in every:
            if a["priority"] > 3:
                continue
            answered = epoch(a["acked_at"])
            age = (answered if answered else at) - epoch(a["created_at"])
            if answered is not None and age <= limit_s:
                within += 1
            if answered is not None or age > limit_s:
                decided += 1
        return round(100.0 * within / decided, 2) if decided else None

    for field, limit_s in (("within_60s_pct", 60), ("within_180s_pct", 180)):
        assert rep["ack"][field] in (share(limit_s, before), share(limit_s, after)), (field, rep)
    # night_exit is unanswered for more than 60 s: 3 of 4 paged alerts in time.
    assert rep["ack"]["within_60s_pct"] == 75.0
    assert rep["ack"]["median_s"] is not None and rep["ack"]["median_s"] < 30
    assert rep["exceptions"] == []
    assert rep["visits"] == {"done": 0, "missed": 0, "mean_rating": None}

    r = api.get("/v1/reports/response?format=csv&site_id=%s&from=%s" % (site.id, iso(t0 - 60)))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = dict(csv.reader(io.StringIO(r.text)))
    assert rows["metric"] == "value" and rows["alerts"] == "5"
    assert rows["by_kind.inactivity"] == "1" and float(rows["ack.within_60s_pct"]) == 75.0
    assert "ack.within_180s_pct" in rows and rows["visits.mean_rating"] == ""

    # Reports are for coordinators and admins; periods are checked.
    assert carer.get("/v1/reports/response").status_code == 403
    coord = site.login(site.coordinator)
    assert coord.ok("GET", "/v1/reports/response")["alerts"] == 5
    assert coord.get("/v1/reports/response?site_id=elsewhere").status_code == 404
    r = api.get("/v1/reports/response?from=%s&to=%s" % (iso(t0), iso(t0 - 10)))
    assert r.status_code == 400 and "from" in r.json()["error"]["message"]
    r = api.get("/v1/reports/response?from=yesterday")
    assert r.status_code == 400 and "from" in r.json()["error"]["message"]


def test_service_requests_from_order_to_visit(api, mq):
    site = Site(api)
    ann = site.resident("Ann Li", address="2 Garden Road", needs=[{"category": "meal", "text": "diabetic"}])
    bo = site.resident("Bo Wang")
    fay = site.staff("fay", "family", resident_ids=[ann["id"]])
    api.ok("PATCH", "/v1/staff/" + site.volunteer["id"], {"skills": ["meal"]})
    meal = api.ok("POST", "/v1/services", {"name": "Hot lunch", "category": "meal", "provider": "volunteer",
                                           "duration_min": 45})
    bath = api.ok("POST", "/v1/services", {"name": "Bathing", "category": "bathing", "provider": "staff",
                                           "duration_min": 60})
    family, coord, vol = site.login(fay), site.login(site.coordinator), site.login(site.volunteer)
    carer = site.login(site.primary)

    # A family member orders a meal for their relative, not for others.
    req = family.ok("POST", "/v1/requests", {"resident_id": ann["id"], "service_id": meal["id"],
                                             "note": "No sugar, please."}, status=201)
    assert req["status"] == "requested" and req["requested_by"] == fay["id"]
    assert req["resident"] == {"id": ann["id"], "name": "Ann Li", "address": "2 Garden Road"}
    r = family.post("/v1/requests", {"resident_id": bo["id"], "service_id": meal["id"]})
    assert r.status_code == 400 and "resident_id" in r.json()["error"]["message"]
    r = family.post("/v1/requests", {"resident_id": ann["id"], "service_id": "nope"})
    assert r.status_code == 400 and "service_id" in r.json()["error"]["message"]
    assert vol.post("/v1/requests", {"resident_id": ann["id"], "service_id": meal["id"]}).status_code == 403

    # The volunteer sees the open meal, with the resident's name and address only.
    bath_req = coord.ok("POST", "/v1/requests", {"resident_id": bo["id"], "service_id": bath["id"]}, status=201)
    (seen,) = vol.ok("GET", "/v1/requests")["items"]
    assert seen["id"] == req["id"] and set(seen["resident"]) == {"id", "name", "address"}
    assert "missed_alert_id" not in seen
    assert vol.get("/v1/requests/" + bath_req["id"]).status_code == 404

    # Candidates: the meal-skilled volunteer first; coordinators only.
    cands = coord.ok("GET", "/v1/requests/%s/candidates" % req["id"])["items"]
    assert cands[0]["staff"]["id"] == site.volunteer["id"] and cands[0]["skill_match"] is True
    assert {c["staff"]["role"] for c in cands} <= {"caregiver", "volunteer"}
    assert all(c["load"] == 0 for c in cands)
    assert carer.get("/v1/requests/%s/candidates" % req["id"]).status_code == 403

    # The coordinator schedules it to the volunteer.
    start, end = time.time() - 60, time.time() + 3600
    r = coord.post("/v1/requests/%s/assign" % req["id"], {"staff_id": site.volunteer["id"],
                                                         "window_start": iso(end), "window_end": iso(start)})
    assert r.status_code == 400 and "window_end" in r.json()["error"]["message"]
    r = coord.post("/v1/requests/%s/assign" % req["id"], {"staff_id": fay["id"],
                                                         "window_start": iso(start), "window_end": iso(end)})
    assert r.status_code == 400 and "staff_id" in r.json()["error"]["message"]
    sched = coord.ok("POST", "/v1/requests/%s/assign" % req["id"],
                     {"staff_id": site.volunteer["id"], "window_start": iso(start), "window_end": iso(end)})
    assert sched["status"] == "scheduled" and sched["assignee_id"] == site.volunteer["id"]
    assert family.post("/v1/requests/%s/start" % req["id"]).status_code == 403

    # The volunteer sees it, starts it and completes it with a rating.
    assert vol.ok("GET", "/v1/requests/" + req["id"])["status"] == "scheduled"
    assert vol.post("/v1/requests/%s/complete" % req["id"], {"rating": 5}).status_code == 409
    assert vol.ok("POST", "/v1/requests/%s/start" % req["id"])["status"] == "in_progress"
    r = vol.post("/v1/requests/%s/complete" % req["id"], {"rating": 6})
    assert r.status_code == 400 and "rating" in r.json()["error"]["message"]
    done = vol.ok("POST", "/v1/requests/%s/complete" % req["id"], {"note": "Ate it all.", "rating": 5})
    assert done["status"] == "done" and done["rating"] == 5 and done["note"] == "Ate it all."
    assert done["started_at"] and done["completed_at"]
    # Done is done.
    assert vol.post("/v1/requests/%s/start" % req["id"]).status_code == 409
    assert coord.post("/v1/requests/%s/cancel" % req["id"]).status_code == 409
    assert family.ok("GET", "/v1/requests/" + req["id"])["rating"] == 5
    actions = [a["action"] for a in api.ok("GET", "/v1/audit?resource=requests&limit=500")["items"]
               if a["resource_id"] == req["id"]]
    assert actions[::-1] == ["create", "assign", "start", "complete"]  # newest first

    # A cancelled order stays cancelled.
    extra = family.ok("POST", "/v1/requests", {"resident_id": ann["id"], "service_id": meal["id"]}, status=201)
    assert coord.ok("POST", "/v1/requests/%s/cancel" % extra["id"])["status"] == "cancelled"
    assert coord.post("/v1/requests/%s/cancel" % extra["id"]).status_code == 409

    # A visit whose window ends unstarted raises missed_visit.
    watch = mq()
    watch.subscribe("carenet/site/%s/alerts" % site.id)
    coord.ok("POST", "/v1/requests/%s/assign" % bath_req["id"],
             {"staff_id": site.primary["id"], "window_start": iso(time.time() - 600),
              "window_end": iso(time.time() + 2)})
    (_, mv), = watch.wait_for(r".*", lambda p: p["event"] == "raised" and p["alert"]["kind"] == "missed_visit",
                              timeout=15)
    assert mv["alert"]["resident_id"] == bo["id"] and mv["alert"]["priority"] == 2
    assert bath_req["id"] in api.ok("GET", "/v1/alerts/%s" % mv["alert"]["id"])["timeline"][0]["detail"]
    assert coord.ok("GET", "/v1/requests/" + bath_req["id"])["missed_alert_id"] == mv["alert"]["id"]

    # The report counts the visits whose window ended in the period.
    rep = coord.ok("GET", "/v1/reports/response?from=%s&to=%s" % (iso(time.time() - 7200), iso(time.time() + 7200)))
    assert rep["visits"] == {"done": 1, "missed": 1, "mean_rating": 5}
