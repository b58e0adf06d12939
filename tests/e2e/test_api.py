"""The REST API (issue 5): input checks and error statuses, text that
round-trips, cursor pagination, who sees what per role, tokens and login
throttling, the SSE stream, discharge, the audit log, the served OpenAPI
document against the router, and no secrets in clear in the database.

Every test starts its own broker and daemon (conftest.py) and talks to them
over loopback as the staff apps do."""
import http.client
import json
import os
import re
import socket
import threading
import time

import pytest
import requests

from conftest import BOOTSTRAP, Site, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
ROUTES_C = os.path.join(HERE, "..", "..", "services", "api", "routes.c")


def err(r, status, *words):
    """Asserts an error answer: status, the contract's body, and that the
    message names each of `words` (the field, usually)."""
    assert r.status_code == status, "want %d, got %d %s" % (status, r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/json"), r.headers
    body = r.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    for w in words:
        assert w in body["error"]["message"], "%r does not name %r" % (body["error"]["message"], w)
    return body["error"]


def two_sites(api):
    """Site A (prefix a) and site B (prefix b), each with staff and two
    residents."""
    a = Site(api, prefix="a")
    b = Site(api, prefix="b", shifts=False)
    a.r1 = a.resident("Ann Li")
    a.r2 = a.resident("Bo Wang")
    b.r1 = b.resident("Cai Zhao")
    b.r2 = b.resident("Dan Sun")
    return a, b


def manual_alert(client, resident_id, note=None, status=(201, 200)):
    body = {"resident_id": resident_id}
    if note is not None:
        body["note"] = note
    return client.ok("POST", "/v1/alerts", body, status=status)


def walk(client, path, limit):
    """Follows next_cursor to the end; returns the pages' items."""
    pages = []
    sep = "&" if "?" in path else "?"
    url = "%s%slimit=%d" % (path, sep, limit)
    while True:
        page = client.ok("GET", url)
        assert set(page) == {"items", "next_cursor"}, page
        assert len(page["items"]) <= limit
        pages.append(page["items"])
        if page["next_cursor"] is None:
            return pages
        assert isinstance(page["next_cursor"], str) and page["next_cursor"]
        url = "%s%slimit=%d&cursor=%s" % (path, sep, limit, requests.utils.quote(page["next_cursor"]))


# ---- bodies, statuses, methods ---------------------------------------------------------------


def test_bad_bodies_answer_400_naming_the_field(api):
    site = api.ok("POST", "/v1/sites", {"id": "s1", "name": "One"})
    good = {"site_id": site["id"], "name": "Zhang Wei"}

    # Truncated JSON, not an object, duplicate keys.
    for raw in (b'{"site_id": "s1", "name": "Zh', b'[1, 2]', b'"text"', b'{"name": "a", "name": "b", "site_id": "s1"}',
                b'{"site_id": "s1", "name": "x",}', b'\xff\xfe{}'):
        r = api.post("/v1/residents", raw=raw, headers={"Content-Type": "application/json"})
        err(r, 400, "body")
    # Wrong types name the field.
    for field, value in (("name", 42), ("name", None), ("site_id", 7), ("birth_date", "1940-13-01"),
                         ("birth_date", "yesterday"), ("emergency_contacts", "mum"), ("monitoring", [1]),
                         ("status", "asleep"), ("presence", True), ("presence_until", "soon")):
        body = dict(good, **{field: value})
        err(api.post("/v1/residents", body), 400, field)
    err(api.post("/v1/residents", dict(good, monitoring={"active_from": "25:00"})), 400, "monitoring.active_from")
    err(api.post("/v1/residents", dict(good, monitoring={"inactivity_minutes": "ten"})), 400,
        "monitoring.inactivity_minutes")
    err(api.post("/v1/residents", dict(good, emergency_contacts=[{"name": "Mum"}])), 400,
        "emergency_contacts[0].phone")
    err(api.post("/v1/residents", dict(good, monitoring={"inactivity_minutes": -1})), 400,
        "monitoring.inactivity_minutes")
    err(api.post("/v1/residents", dict(good, needs=[{"category": "meal", "text": "x"}] * 51)), 400, "needs")
    # Missing fields, unknown fields.
    err(api.post("/v1/residents", {"site_id": site["id"]}), 400, "name")
    err(api.post("/v1/residents", {"name": "x"}), 400, "site_id")
    err(api.post("/v1/residents", dict(good, colour="red")), 400, "colour")
    err(api.post("/v1/residents", dict(good, created_at="2026-01-01T00:00:00Z")), 400, "created_at")
    err(api.post("/v1/residents"), 400)
    # Staff: unknown role, bad username, short password, bad site reference.
    staff = {"site_id": site["id"], "name": "Li", "role": "caregiver", "username": "li", "password": "long enough pw"}
    err(api.post("/v1/staff", dict(staff, role="janitor")), 400, "role")
    err(api.post("/v1/staff", dict(staff, role=["caregiver"])), 400, "role")
    err(api.post("/v1/staff", {k: v for k, v in staff.items() if k != "role"}), 400, "role")
    err(api.post("/v1/staff", dict(staff, username="has space")), 400, "username")
    err(api.post("/v1/staff", dict(staff, password="short")), 400, "password")
    err(api.post("/v1/staff", dict(staff, site_id="nowhere")), 400, "site_id")
    err(api.post("/v1/staff", dict(staff, skills=["juggling"])), 400, "skills")
    err(api.post("/v1/staff", dict(staff, resident_ids=["x"])), 400, "resident_ids")
    # Login body checks come before credentials.
    err(api.post("/v1/auth/login", {"username": "li"}), 400, "password")
    err(api.post("/v1/auth/login", {"username": "li", "password": 5}), 400, "password")
    # PATCH: unknown fields, id, bad values; empty PATCH body.
    res = api.ok("POST", "/v1/residents", good)
    err(api.patch("/v1/residents/" + res["id"], {"nickname": "x"}), 400, "nickname")
    err(api.patch("/v1/residents/" + res["id"], {"id": "other"}), 400, "id")
    err(api.patch("/v1/residents/" + res["id"], {"presence": "moon"}), 400, "presence")
    err(api.patch("/v1/residents/" + res["id"]), 400, "body")
    # Query parameters.
    err(api.get("/v1/residents?limit=0"), 400, "limit")
    err(api.get("/v1/residents?limit=501"), 400, "limit")
    err(api.get("/v1/residents?limit=ten"), 400, "limit")
    err(api.get("/v1/residents?cursor=garbage"), 400, "cursor")
    err(api.get("/v1/alerts?status=sleeping"), 400, "status")
    err(api.get("/v1/alerts?since=yesterday"), 400, "since")
    err(api.get("/v1/events?until=later"), 400, "until")
    # Nothing was created by any of it.
    assert [x["id"] for x in api.ok("GET", "/v1/residents")["items"]] == [res["id"]]
    assert [x["username"] for x in api.ok("GET", "/v1/staff")["items"]] == ["admin"]


def test_size_media_type_path_and_method_errors(api):
    site = api.ok("POST", "/v1/sites", {"id": "s1", "name": "One"})
    # Over 64 KiB: 413, announced or not.
    big = {"site_id": "s1", "name": "x", "address": "y" * (65536 + 10)}
    err(api.post("/v1/residents", big), 413)
    raw = json.dumps(big).encode()
    r = api.post("/v1/residents", raw=iter([raw[:30000], raw[30000:]]), headers={"Content-Type": "application/json"})
    err(r, 413)
    # Exactly at the limit is read (and then judged on its content).
    pad = 65536 - len(json.dumps({"site_id": "s1", "name": "x", "address": ""}).encode())
    at_limit = json.dumps({"site_id": "s1", "name": "x", "address": "y" * pad}).encode()
    assert len(at_limit) == 65536
    err(api.post("/v1/residents", raw=at_limit, headers={"Content-Type": "application/json"}), 400, "address")
    # Not JSON: 415; a charset parameter is fine.
    for ct in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx", None):
        h = {"Content-Type": ct} if ct else {}
        r = api.post("/v1/sites", raw=b'{"name": "Two"}', headers=h)
        err(r, 415)
    r = api.post("/v1/sites", raw=b'{"id": "s2", "name": "Two"}',
                 headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 201, r.text
    # Unknown ids: 404 on every resource.
    for path in ("/v1/sites/nope", "/v1/staff/nope", "/v1/residents/nope", "/v1/devices/nope", "/v1/alerts/999999",
                 "/v1/alerts/not-a-number"):
        err(api.get(path), 404)
    err(api.patch("/v1/residents/nope", {"name": "x"}), 404)
    err(api.delete("/v1/residents/nope"), 404)
    err(api.delete("/v1/shifts/nope"), 404)
    err(api.post("/v1/alerts/999999/ack"), 404)
    # Unknown paths 404; known paths with the wrong method 405 with Allow.
    err(api.get("/v1/nothing"), 404)
    err(api.get("/v1/residents/"), 404)
    for method, path, allow in (("DELETE", "/v1/sites/" + site["id"], {"GET", "PATCH"}),
                                ("PUT", "/v1/residents", {"GET", "POST"}),
                                ("PATCH", "/v1/alerts", {"GET", "POST"}),
                                ("GET", "/v1/auth/login", {"POST"}),
                                ("POST", "/v1/shifts/x", {"DELETE"}),
                                ("DELETE", "/v1/services/x", {"PATCH"})):
        r = api.request(method, path)
        err(r, 405)
        assert {m.strip() for m in r.headers["Allow"].split(",")} == allow, (path, r.headers.get("Allow"))
    # Duplicates: 409.
    staff = {"id": "u1", "site_id": "s1", "name": "Li", "role": "caregiver", "username": "li.wei",
             "password": "long enough pw"}
    api.ok("POST", "/v1/staff", staff)
    err(api.post("/v1/staff", dict(staff, id="u2")), 409, "username")
    err(api.post("/v1/staff", dict(staff, username="other")), 409, "id")
    api.ok("POST", "/v1/staff", dict(staff, id="u3", username="li.wei2"))
    err(api.patch("/v1/staff/u3", {"username": "li.wei"}), 409, "username")
    err(api.post("/v1/sites", {"id": "s1", "name": "Again"}), 409, "id")
    # No token, a bad token: 401 with WWW-Authenticate.
    from conftest import Api
    anon = Api(api.base)
    for r in (anon.get("/v1/me"), Api(api.base, "not-a-real-token-0123456789").get("/v1/residents"),
              anon.post("/v1/residents", {"site_id": "s1", "name": "x"})):
        err(r, 401)
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
    # The service paths need no token.
    assert anon.get("/healthz").status_code == 200
    assert anon.get("/metrics").status_code == 200


def test_quotes_sql_and_chinese_round_trip_unchanged(api):
    tricky = ["'; DROP TABLE residents; --", 'He said "hi" \\ and left', "张伟", "北京市朝阳区建国路 88 号 3 单元 502 室",
              "O'Brien", "Robert'); DELETE FROM staff WHERE ('1'='1", "emoji 👵🏻 and tab\there", "%_*?[]"]
    site = api.ok("POST", "/v1/sites", {"id": "s1", "name": tricky[0], "address": tricky[3], "phone": tricky[4]})
    assert (site["name"], site["address"], site["phone"]) == (tricky[0], tricky[3], tricky[4])
    made = []
    for i, text in enumerate(tricky):
        body = {"site_id": "s1", "name": text, "address": tricky[(i + 3) % len(tricky)], "care_level": text.encode()[:40].decode("utf-8", "ignore"),
                "emergency_contacts": [{"name": text, "phone": "+86 139", "relation": "女儿"}],
                "needs": [{"category": "meal", "text": text}]}
        r = api.ok("POST", "/v1/residents", body)
        for k, v in body.items():
            assert r[k] == v, (k, r[k], v)
        got = api.ok("GET", "/v1/residents/" + r["id"])
        for k, v in body.items():
            assert got[k] == v, (k, got[k], v)
        made.append((r["id"], body))
    # The same through PATCH, the list, and a filter that looks like SQL.
    rid = made[0][0]
    patched = api.ok("PATCH", "/v1/residents/" + rid, {"name": "张伟 'x' \"y\"", "address": tricky[1]})
    assert patched["name"] == "张伟 'x' \"y\"" and patched["address"] == tricky[1]
    listed = {x["id"]: x for x in walk(api, "/v1/residents", 3) for x in x}
    assert len(listed) == len(tricky)
    for rid2, body in made[1:]:
        assert listed[rid2]["name"] == body["name"] and listed[rid2]["needs"] == body["needs"]
    # Filters bind values: a quote in one matches nothing (or is refused).
    for q in ("status=" + requests.utils.quote("' OR '1'='1"), "site_id=" + requests.utils.quote("s1' OR '1'='1"),
              "presence=" + requests.utils.quote('home" --')):
        r = api.get("/v1/residents?" + q)
        assert r.status_code in (200, 400), (q, r.status_code)
        if r.status_code == 200:
            assert r.json()["items"] == [], q
    # Staff names and a manual alert's note too.
    staff = api.ok("POST", "/v1/staff", {"site_id": "s1", "name": "李娜 'DROP'", "role": "caregiver",
                                         "username": "li.na", "password": "密码 is long enough"})
    assert api.ok("GET", "/v1/staff/" + staff["id"])["name"] == "李娜 'DROP'"
    login = requests.post(api.base + "/v1/auth/login", json={"username": "li.na", "password": "密码 is long enough"})
    assert login.status_code == 200, login.text
    alert = manual_alert(api, made[2][0], note=tricky[5] + " 摔倒了")
    got = api.ok("GET", "/v1/alerts/%s" % alert["id"])
    assert got["detail"] == tricky[5] + " 摔倒了"
    assert any(l["detail"] == tricky[5] + " 摔倒了" for l in got["timeline"])
    # And the tables are all still there.
    assert len(api.ok("GET", "/v1/residents?limit=500")["items"]) == len(tricky)
    assert len(api.ok("GET", "/v1/staff")["items"]) == 2


def test_cursor_pagination_walks_every_row_exactly_once(api):
    api.ok("POST", "/v1/sites", {"id": "s1", "name": "One"})
    ids = [api.ok("POST", "/v1/residents", {"site_id": "s1", "name": "R%02d" % i})["id"] for i in range(23)]
    for limit in (1, 5, 23, 50):
        pages = walk(api, "/v1/residents", limit)
        seen = [x["id"] for p in pages for x in p]
        assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)), limit
    # A full last page may carry a cursor; the page after it is empty.
    assert len(walk(api, "/v1/residents", 23)) in (1, 2)

    # Rows inserted while a client pages: each old row once, no duplicates,
    # and the new rows (keys only grow) at the end.
    url, seen, added = "/v1/residents?limit=4", [], []
    while url:
        page = api.ok("GET", url)
        seen += [x["id"] for x in page["items"]]
        if len(added) < 6:
            added.append(api.ok("POST", "/v1/residents", {"site_id": "s1", "name": "New%d" % len(added)})["id"])
        url = page["next_cursor"] and "/v1/residents?limit=4&cursor=" + requests.utils.quote(page["next_cursor"])
    assert len(seen) == len(set(seen))
    assert set(ids) <= set(seen)
    assert set(seen) == set(ids) | set(added)

    # Filters hold across pages.
    for rid in ids[:7]:
        api.ok("PATCH", "/v1/residents/" + rid, {"presence": "away"})
    away = [x for p in walk(api, "/v1/residents?presence=away", 2) for x in p]
    assert sorted(x["id"] for x in away) == sorted(ids[:7])

    # Newest-first lists (the audit log, alerts) too, while rows are added.
    audit = [x["id"] for p in walk(api, "/v1/audit?resource=residents", 7) for x in p]
    assert len(audit) == len(set(audit)) == 23 + 6 + 7
    url, seen, n = "/v1/audit?resource=residents&limit=5", [], 0
    while url:
        page = api.ok("GET", url)
        seen += [x["id"] for x in page["items"]]
        api.ok("PATCH", "/v1/residents/" + ids[n % 23], {"phone": str(n)})
        n += 1
        url = page["next_cursor"] and "/v1/audit?resource=residents&limit=5&cursor=" + \
            requests.utils.quote(page["next_cursor"])
    assert len(seen) == len(set(seen))
    assert set(audit) <= set(seen)
    # A cursor from one list is opaque: garbage is 400, not a crash.
    for bad in ("", "c", "c-1", "c99999999999999999999999", "%00", "c1%00"):
        r = api.get("/v1/residents?cursor=" + bad)
        assert r.status_code in (200, 400), (bad, r.status_code)


def test_events_and_alerts_page_once_each(api, mq):
    site = Site(api)
    r1 = site.resident("Ann Li")
    site.device(r1, "ann-pir", "motion")
    dev = mq()

    def motion(n):
        for _ in range(n):
            dev.publish("carenet/dev/ann-pir/event", {"type": "motion", "value": True})

    motion(12)
    wait_until(lambda: len(api.ok("GET", "/v1/events?limit=500")["items"]) == 12, 10, what="12 events")
    url, seen = "/v1/events?device_id=ann-pir&limit=5", []
    while url:
        page = api.ok("GET", url)
        seen += page["items"]
        motion(2)  # more arrive while the client pages
        time.sleep(0.2)
        url = page["next_cursor"] and "/v1/events?device_id=ann-pir&limit=5&cursor=" + \
            requests.utils.quote(page["next_cursor"])
    ids = [e["id"] for e in seen]
    assert len(ids) == len(set(ids)) and len(ids) >= 12

    residents = [site.resident("R%d" % i) for i in range(7)]
    for r in residents:
        manual_alert(api, r["id"])
    url, seen, extra = "/v1/alerts?limit=3", [], iter(residents)
    while url:
        page = api.ok("GET", url)
        seen += [a["id"] for a in page["items"]]
        r = next(extra, None)
        if r:
            manual_alert(api, r1["id"], status=(200, 201))
        url = page["next_cursor"] and "/v1/alerts?limit=3&cursor=" + requests.utils.quote(page["next_cursor"])
    assert len(seen) == len(set(seen)) and len(seen) >= 7
    created = [api.ok("GET", "/v1/alerts/" + i)["created_at"] for i in seen]
    assert created == sorted(created, reverse=True)


def test_events_are_listed_newest_first(api, mq):
    site = Site(api, shifts=False)
    r1 = site.resident("Ann Li")
    site.device(r1, "ann-pir", "motion")
    dev = mq()
    for _ in range(4):
        dev.publish("carenet/dev/ann-pir/event", {"type": "motion", "value": True})
        time.sleep(0.01)
    items = wait_until(lambda: (lambda i: len(i) == 4 and i)(api.ok("GET", "/v1/events")["items"]), 10,
                       what="4 events")
    # openapi.yaml listEvents: "Raw device events, newest first by received_at".
    times = [e["received_at"] for e in items]
    assert times == sorted(times, reverse=True), "events not newest first: %r" % times


# ---- who sees what --------------------------------------------------------------------------


def test_caregiver_sees_and_acts_on_her_site_only(api):
    a, b = two_sites(api)
    a.device(a.r1, "a-pendant", "sos_button")
    b.device(b.r1, "b-pendant", "sos_button")
    alert_a = manual_alert(api, a.r1["id"])
    alert_b = manual_alert(api, b.r1["id"])
    ann = a.login(a.primary)

    assert {x["id"] for x in ann.ok("GET", "/v1/residents")["items"]} == {a.r1["id"], a.r2["id"]}
    assert ann.ok("GET", "/v1/residents/" + a.r1["id"])["address"]  # the whole record
    err(ann.get("/v1/residents/" + b.r1["id"]), 404)
    err(ann.get("/v1/residents/no-such"), 404)
    err(ann.patch("/v1/residents/" + b.r1["id"], {"presence": "away"}), 404)
    # Presence is hers to change; the rest of the record is the office's.
    assert ann.ok("PATCH", "/v1/residents/" + a.r1["id"], {"presence": "away"})["presence"] == "away"
    err(ann.patch("/v1/residents/" + a.r1["id"], {"name": "Renamed"}), 403, "name")
    # Devices, sites, events, alerts: hers only.
    assert [d["id"] for d in ann.ok("GET", "/v1/devices")["items"]] == ["a-pendant"]
    err(ann.get("/v1/devices/b-pendant"), 404)
    assert [s["id"] for s in ann.ok("GET", "/v1/sites")["items"]] == [a.id]
    err(ann.get("/v1/sites/" + b.id), 404)
    assert ann.ok("GET", "/v1/alerts")["items"] and \
        {x["site_id"] for x in ann.ok("GET", "/v1/alerts")["items"]} == {a.id}
    assert ann.ok("GET", "/v1/alerts?site_id=" + b.id)["items"] == []
    err(ann.get("/v1/alerts/%s" % alert_b["id"]), 404)
    err(ann.post("/v1/alerts/%s/ack" % alert_b["id"]), 404)
    err(ann.post("/v1/alerts/%s/notes" % alert_b["id"], {"text": "x"}), 404)
    acked = ann.ok("POST", "/v1/alerts/%s/ack" % alert_a["id"])
    assert acked["status"] == "acknowledged" and acked["acked_by"] == a.primary["id"]
    # A manual alert for another site's resident names the field.
    err(ann.post("/v1/alerts", {"resident_id": b.r2["id"]}), 400, "resident_id")
    assert manual_alert(ann, a.r2["id"])["site_id"] == a.id
    # On call: her site; another is 404.
    oncall = ann.ok("GET", "/v1/oncall")
    assert oncall["site_id"] == a.id and [s["id"] for s in oncall["primary"]] == [a.primary["id"]]
    err(ann.get("/v1/oncall?site_id=" + b.id), 404)
    # Her own shifts only; she cannot delete them.
    shifts = ann.ok("GET", "/v1/shifts")["items"]
    assert [s["staff_id"] for s in shifts] == [a.primary["id"]]
    err(ann.delete("/v1/shifts/" + shifts[0]["id"]), 403)
    # What caregivers never do: 403.
    err(ann.post("/v1/staff", {"site_id": a.id, "name": "X", "role": "caregiver", "username": "x",
                               "password": "long enough pw"}), 403)
    err(ann.delete("/v1/residents/" + a.r2["id"]), 403)
    err(ann.delete("/v1/residents/" + b.r2["id"]), 404)
    err(ann.post("/v1/residents", {"site_id": a.id, "name": "New"}), 403)
    err(ann.post("/v1/devices", {"id": "x-1", "resident_id": a.r1["id"], "kind": "motion"}), 403)
    err(ann.patch("/v1/devices/a-pendant", {"room": "hall"}), 403)
    err(ann.patch("/v1/sites/" + a.id, {"name": "Mine now"}), 403)
    err(ann.patch("/v1/sites/" + b.id, {"name": "Mine now"}), 404)
    err(ann.get("/v1/staff"), 403)
    err(ann.get("/v1/staff/" + a.backup["id"]), 403)
    err(ann.get("/v1/audit"), 403)
    assert ann.ok("GET", "/v1/staff/" + a.primary["id"])["id"] == a.primary["id"]
    assert ann.ok("GET", "/v1/me")["id"] == a.primary["id"]
    # Her own name, phone and password; not her role.
    assert ann.ok("PATCH", "/v1/staff/" + a.primary["id"], {"phone": "+86 1"})["phone"] == "+86 1"
    err(ann.patch("/v1/staff/" + a.primary["id"], {"role": "coordinator"}), 403, "role")
    # Nothing of site B changed.
    assert api.ok("GET", "/v1/alerts/%s" % alert_b["id"])["status"] == "open"


def test_coordinator_manages_her_site_only(api):
    a, b = two_sites(api)
    co = a.login(a.coordinator)
    # Staff: caregivers, volunteers, family of her site; not admins, coordinators or other sites.
    body = {"site_id": a.id, "name": "New", "role": "caregiver", "username": "a-new", "password": "long enough pw"}
    new = co.ok("POST", "/v1/staff", body)
    assert new["site_id"] == a.id
    err(co.post("/v1/staff", dict(body, username="a-new2", role="coordinator")), 403)
    err(co.post("/v1/staff", dict(body, username="a-new3", role="admin", site_id=None)), 403)
    err(co.post("/v1/staff", dict(body, username="a-new4", site_id=b.id)), 403)
    fam = co.ok("POST", "/v1/staff", {"site_id": a.id, "name": "Daughter", "role": "family", "username": "a-fam",
                                      "password": "long enough pw", "resident_ids": [a.r1["id"]]})
    assert fam["resident_ids"] == [a.r1["id"]]
    err(co.post("/v1/staff", {"site_id": a.id, "name": "Son", "role": "family", "username": "a-fam2",
                              "password": "long enough pw", "resident_ids": [b.r1["id"]]}), 400, "resident_ids")
    err(co.patch("/v1/staff/" + new["id"], {"site_id": b.id}), 403)
    err(co.patch("/v1/staff/" + new["id"], {"role": "coordinator"}), 403)
    err(co.get("/v1/staff/" + b.primary["id"]), 404)
    err(co.patch("/v1/staff/" + b.primary["id"], {"name": "x"}), 404)
    err(co.delete("/v1/staff/" + b.primary["id"]), 404)
    assert {s["site_id"] for s in co.ok("GET", "/v1/staff")["items"]} == {a.id}
    # Residents: at her site (another site_id names the field), not moved away.
    r = co.ok("POST", "/v1/residents", {"site_id": a.id, "name": "Eve"})
    err(co.post("/v1/residents", {"site_id": b.id, "name": "Eve"}), 400, "site_id")
    err(co.patch("/v1/residents/" + r["id"], {"site_id": b.id}), 403)
    err(co.get("/v1/residents/" + b.r1["id"]), 404)
    # Devices for her residents only.
    d = co.ok("POST", "/v1/devices", {"id": "a-motion", "resident_id": r["id"], "kind": "motion"})
    assert d["site_id"] == a.id and d["heartbeat_s"] == 3600
    err(co.post("/v1/devices", {"id": "b-motion", "resident_id": b.r1["id"], "kind": "motion"}), 400, "resident_id")
    err(co.post("/v1/devices", {"id": "x-motion", "kind": "motion"}), 400, "resident_id")
    err(co.patch("/v1/devices/a-motion", {"resident_id": b.r1["id"]}), 400, "resident_id")
    assert co.ok("PATCH", "/v1/devices/a-motion", {"room": "hall"})["room"] == "hall"
    # Shifts at her site.
    now = time.time()
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    shift = {"staff_id": new["id"], "site_id": a.id, "starts_at": iso(now), "ends_at": iso(now + 3600), "tier": "backup"}
    s = co.ok("POST", "/v1/shifts", shift)
    err(co.post("/v1/shifts", dict(shift, site_id=b.id, staff_id=b.primary["id"])), 403)
    err(co.post("/v1/shifts", dict(shift, starts_at=iso(now + 1800), ends_at=iso(now + 7200))), 409)
    co.ok("DELETE", "/v1/shifts/" + s["id"], status=204)
    # Her own record: name, phone, password; not her role, site or skills.
    me = a.coordinator["id"]
    assert co.ok("PATCH", "/v1/staff/" + me, {"name": "Coordinator Li"})["name"] == "Coordinator Li"
    err(co.patch("/v1/staff/" + me, {"role": "admin"}), 403, "role")
    err(co.patch("/v1/staff/" + me, {"site_id": b.id}), 403)
    err(co.patch("/v1/staff/" + me, {"skills": ["meal"]}), 403, "skills")
    # Her site: read, edit; another: 404; no new sites.
    assert co.ok("PATCH", "/v1/sites/" + a.id, {"phone": "+86 2"})["phone"] == "+86 2"
    err(co.patch("/v1/sites/" + b.id, {"phone": "+86 2"}), 404)
    err(co.post("/v1/sites", {"name": "Mine"}), 403)


def test_volunteer_sees_no_alerts_and_no_resident_records(api):
    a, b = two_sites(api)
    a.device(a.r1, "a-pendant", "sos_button")
    alert = manual_alert(api, a.r1["id"])
    val = a.login(a.volunteer)
    for path in ("/v1/alerts", "/v1/alerts/%s" % alert["id"], "/v1/alerts/999999", "/v1/alerts/stream",
                 "/v1/residents", "/v1/residents/" + a.r1["id"], "/v1/residents/nope", "/v1/devices",
                 "/v1/devices/a-pendant", "/v1/events", "/v1/shifts", "/v1/oncall", "/v1/sites", "/v1/staff",
                 "/v1/audit"):
        err(val.get(path), 403)
    err(val.post("/v1/alerts", {"resident_id": a.r1["id"]}), 403)
    err(val.post("/v1/alerts/%s/ack" % alert["id"]), 403)
    err(val.patch("/v1/residents/" + a.r1["id"], {"presence": "away"}), 403)
    # What a volunteer does see: herself and the catalogue.
    assert val.ok("GET", "/v1/me")["role"] == "volunteer"
    assert val.ok("GET", "/v1/services")["items"] == []
    # Nothing leaked into the 403s.
    body = val.get("/v1/residents/" + a.r1["id"]).text
    assert "Ann" not in body and a.r1["address"] not in body


def test_family_member_sees_exactly_their_relatives(api):
    a, b = two_sites(api)
    fam = api.ok("POST", "/v1/staff", {"id": "fam-1", "name": "Lin Li", "role": "family", "username": "lin.li",
                                       "password": "long enough pw", "resident_ids": [a.r1["id"], b.r2["id"]]})
    assert fam["site_id"] is None and sorted(fam["resident_ids"]) == sorted([a.r1["id"], b.r2["id"]])
    other_alert = manual_alert(api, a.r2["id"])
    lin = a.api.as_user("lin.li", "long enough pw")

    items = lin.ok("GET", "/v1/residents")["items"]
    assert sorted(x["id"] for x in items) == sorted([a.r1["id"], b.r2["id"]])
    for x in items:
        # Status and presence, not the care record.
        assert set(x) <= {"id", "site_id", "name", "status", "presence", "presence_until"}, x
        assert {"id", "name", "status", "presence"} <= set(x)
    one = lin.ok("GET", "/v1/residents/" + a.r1["id"])
    assert "address" not in one and "emergency_contacts" not in one and "phone" not in one
    for rid in (a.r2["id"], b.r1["id"], "no-such"):
        err(lin.get("/v1/residents/" + rid), 404)
        err(lin.patch("/v1/residents/" + rid, {"presence": "away"}), 404)
    err(lin.patch("/v1/residents/" + a.r1["id"], {"presence": "away"}), 403)
    err(lin.delete("/v1/residents/" + a.r1["id"]), 403)
    # A manual alert for a relative: raised; for anyone else: 400 naming the field.
    mine = manual_alert(lin, a.r1["id"], note="她不接电话")
    assert mine["kind"] == "manual" and mine["resident_id"] == a.r1["id"] and mine["site_id"] == a.id
    err(lin.post("/v1/alerts", {"resident_id": a.r2["id"]}), 400, "resident_id")
    err(lin.post("/v1/alerts", {"resident_id": "no-such"}), 400, "resident_id")
    # Their relatives' alerts only; read, not handled.
    listed = lin.ok("GET", "/v1/alerts")["items"]
    assert [x["id"] for x in listed] == [mine["id"]]
    assert lin.ok("GET", "/v1/alerts/%s" % mine["id"])["timeline"]
    err(lin.get("/v1/alerts/%s" % other_alert["id"]), 404)
    err(lin.post("/v1/alerts/%s/ack" % mine["id"]), 403)
    err(lin.post("/v1/alerts/%s/ack" % other_alert["id"]), 404)
    # Nothing else of the sites.
    for path in ("/v1/devices", "/v1/events", "/v1/shifts", "/v1/sites", "/v1/staff", "/v1/audit", "/v1/oncall"):
        err(lin.get(path), 403)
    err(lin.get("/v1/staff/" + a.primary["id"]), 403)
    assert lin.ok("GET", "/v1/me")["resident_ids"] == fam["resident_ids"]
    # Coordinators see the family member through their residents; each
    # site's coordinator, as the relatives live at both.
    for site in (a, b):
        co = site.login(site.coordinator)
        assert co.ok("GET", "/v1/staff/fam-1")["id"] == "fam-1"
        assert "fam-1" in [x["id"] for x in co.ok("GET", "/v1/staff")["items"]]
    # The caregiver of the site sees the family's alert.
    assert a.login(a.primary).ok("GET", "/v1/alerts/%s" % mine["id"])["id"] == mine["id"]


# ---- tokens, logins ------------------------------------------------------------------------


def test_logout_revokes_the_token(api):
    site = Site(api, shifts=False)
    ann = site.login(site.primary)
    other = site.login(site.primary)
    assert ann.ok("GET", "/v1/me")["id"] == site.primary["id"]
    r = ann.post("/v1/auth/logout")
    assert r.status_code == 204, r.text
    for rr in (ann.get("/v1/me"), ann.get("/v1/residents"), ann.post("/v1/auth/logout")):
        err(rr, 401)
        assert rr.headers["WWW-Authenticate"].startswith("Bearer")
    # Only that token: another session of hers goes on.
    assert other.ok("GET", "/v1/me")["id"] == site.primary["id"]
    # Logout takes no body, or an empty object.
    err(other.post("/v1/auth/logout", {"all": True}), 400, "all")
    assert other.post("/v1/auth/logout", {}).status_code == 204
    err(other.get("/v1/me"), 401)


def test_deactivated_staff_cannot_log_in_and_their_tokens_stop(api):
    site = Site(api, shifts=False)
    ann, bob = site.login(site.primary), site.login(site.backup)
    co = site.login(site.coordinator)
    r = co.delete("/v1/staff/" + site.primary["id"])
    assert r.status_code == 204, r.text
    err(ann.get("/v1/me"), 401)
    r = requests.post(api.base + "/v1/auth/login", json={"username": site.primary["username"], "password": site.password})
    err(r, 401)
    assert co.ok("GET", "/v1/staff/" + site.primary["id"])["active"] is False
    assert co.delete("/v1/staff/" + site.primary["id"]).status_code == 204  # again: still 204
    # PATCH active: false does the same.
    assert co.ok("PATCH", "/v1/staff/" + site.backup["id"], {"active": False})["active"] is False
    err(bob.get("/v1/me"), 401)
    err(requests.post(api.base + "/v1/auth/login", json={"username": site.backup["username"],
                                                        "password": site.password}), 401)
    # Reactivated: logs in again; the old token stays dead.
    co.ok("PATCH", "/v1/staff/" + site.backup["id"], {"active": True})
    assert site.login(site.backup).ok("GET", "/v1/me")["active"] is True
    err(bob.get("/v1/me"), 401)
    # Nobody deactivates themselves; the last admin stays.
    err(co.delete("/v1/staff/" + site.coordinator["id"]), 409)
    err(api.delete("/v1/staff/admin"), 409)


def _login_from(base, source_ip, username, password):
    """POST /v1/auth/login from a chosen loopback source address."""
    host, port = base.split("//")[1].split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source_ip, 0))
    try:
        c.request("POST", "/v1/auth/login", json.dumps({"username": username, "password": password}),
                  {"Content-Type": "application/json"})
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


def test_eleventh_bad_password_in_a_minute_is_429(api):
    site = Site(api, shifts=False)
    user = site.primary["username"]
    for i in range(10):
        status, _, _ = _login_from(api.base, "127.0.0.1", user, "wrong password %d" % i)
        assert status == 401, (i, status)
    status, headers, body = _login_from(api.base, "127.0.0.1", user, "wrong password 10")
    assert status == 429, body
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert json.loads(body)["error"]["code"] == "too_many_requests"
    # Throttled per (username, address) and per address, never per name
    # alone (issue 12): the real user from elsewhere still gets in.
    status, headers, _ = _login_from(api.base, "127.0.0.2", user, site.password)
    assert status == 200
    # Another user from elsewhere is fine ...
    status, _, _ = _login_from(api.base, "127.0.0.2", site.backup["username"], site.password)
    assert status == 200
    # ... but not from the address that failed ten times.
    status, headers, _ = _login_from(api.base, "127.0.0.1", site.backup["username"], site.password)
    assert status == 429 and int(headers["Retry-After"]) >= 1
    # Tokens already issued keep working.
    assert api.ok("GET", "/v1/me")["id"] == "admin"


def test_failed_logins_from_one_address_are_throttled_across_usernames(api):
    for i in range(10):
        status, _, _ = _login_from(api.base, "127.0.0.3", "nobody-%d" % i, "whatever it is")
        assert status == 401
    status, headers, _ = _login_from(api.base, "127.0.0.3", "nobody-else", "whatever it is")
    assert status == 429 and int(headers["Retry-After"]) >= 1
    status, _, _ = _login_from(api.base, "127.0.0.4", "nobody-else", "whatever it is")
    assert status == 401


# ---- the SSE stream -----------------------------------------------------------------------


class Sse:
    """Reads GET /v1/alerts/stream in a thread; records messages and
    comments with the monotonic time they arrived."""

    def __init__(self, client, last_event_id=None, query=""):
        h = client.headers({"Accept": "text/event-stream"})
        if last_event_id is not None:
            h["Last-Event-ID"] = str(last_event_id)
        self.resp = requests.get(client.base + "/v1/alerts/stream" + query, headers=h, stream=True, timeout=(5, 40))
        self.status = self.resp.status_code
        self.events, self.comments, self.fields = [], [], []
        self.cond = threading.Condition()
        self.connected = False
        if self.status == 200:
            self.t = threading.Thread(target=self._run, daemon=True)
            self.t.start()
            wait_until(lambda: self.connected, 5, what="stream connected")

    def _run(self):
        cur = {}
        try:
            for raw in self.resp.iter_lines(chunk_size=1, decode_unicode=False):
                line = raw.decode("utf-8")
                now = time.monotonic()
                with self.cond:
                    self.connected = True
                    if line == "":
                        if cur:
                            cur["at"] = now
                            self.events.append(cur)
                            cur = {}
                    elif line.startswith(":"):
                        self.comments.append((now, line))
                    else:
                        k, _, v = line.partition(":")
                        v = v[1:] if v.startswith(" ") else v
                        self.fields.append(k)
                        if k == "data":
                            cur["data"] = json.loads(v)
                        else:
                            cur[k] = v
                    self.cond.notify_all()
        except Exception:  # closed under us
            pass

    def wait_for(self, pred, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for e in self.events:
                    if "data" in e and pred(e):
                        return e
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no matching SSE message within %.1fs; got %r" % (timeout, self.events))
                self.cond.wait(left)

    def alert_ids(self):
        with self.cond:
            return [e["data"]["alert"]["id"] for e in self.events if "data" in e]

    def close(self):
        # Closing the response would wait for the reader thread's blocked
        # read (until the next keepalive): shut the socket down under it.
        try:
            self.resp.raw._fp.fp.raw._sock.shutdown(socket.SHUT_RDWR)
        except (AttributeError, OSError):
            pass
        self.resp.close()


def test_alert_stream_delivers_within_a_second_resumes_and_filters_by_site(api):
    a, b = two_sites(api)
    bsite_cg = b.login(b.primary)
    co_a = Sse(a.login(a.coordinator))
    cg_b = Sse(bsite_cg)
    admin = Sse(api)
    streams = [co_a, cg_b, admin]
    try:
        assert co_a.resp.headers["Content-Type"].startswith("text/event-stream")
        t0 = time.monotonic()
        alert = manual_alert(api, a.r1["id"], note="fell in the kitchen")
        e = co_a.wait_for(lambda e: e["data"]["alert"]["id"] == alert["id"], 1.0)
        assert e["at"] - t0 < 1.0
        assert e["event"] == "raised" and e["data"]["event"] == "raised"
        assert re.fullmatch(r"[0-9]+", e["id"]), e
        assert e["data"]["alert"]["site_id"] == a.id and "timeline" not in e["data"]["alert"]
        first_id = int(e["id"])
        admin.wait_for(lambda e: e["data"]["alert"]["id"] == alert["id"], 1.0)
        # A change of the alert follows, with a higher id.
        a.login(a.primary).ok("POST", "/v1/alerts/%s/ack" % alert["id"])
        e2 = co_a.wait_for(lambda e: e["data"]["event"] == "acknowledged", 1.0)
        assert int(e2["id"]) > first_id and e2["data"]["alert"]["status"] == "acknowledged"
        # Site B's caregiver sees site B's alerts and none of site A's.
        alert_b = manual_alert(api, b.r1["id"])
        cg_b.wait_for(lambda e: e["data"]["alert"]["id"] == alert_b["id"], 1.0)
        time.sleep(0.3)
        assert alert["id"] not in cg_b.alert_ids()
        assert alert_b["id"] not in co_a.alert_ids()
        alert2 = manual_alert(api, a.r2["id"])
        co_a.wait_for(lambda e: e["data"]["alert"]["id"] == alert2["id"], 1.0)

        # Last-Event-ID resumes after the given id: the ack, alert B (not
        # visible here) and alert2, but not the first raise.
        resumed = Sse(a.login(a.coordinator), last_event_id=first_id)
        streams.append(resumed)
        resumed.wait_for(lambda e: e["data"]["alert"]["id"] == alert2["id"], 1.0)
        ids = [int(e["id"]) for e in resumed.events if "id" in e]
        assert ids == sorted(ids) and min(ids) > first_id
        assert [(x["event"], x["data"]["alert"]["id"]) for x in resumed.events if "data" in x] == \
            [("acknowledged", alert["id"]), ("raised", alert2["id"])]
        # ... and then goes on live.
        alert3 = manual_alert(api, a.r1["id"], note="again", status=(200, 201))
        resumed.wait_for(lambda e: e["data"]["alert"]["id"] == alert3["id"] and
                         e["event"] in ("raised", "updated"), 1.0)
        for bad in ("abc", "-1", "1.5"):
            r = requests.get(api.base + "/v1/alerts/stream", headers={"Authorization": "Bearer " + BOOTSTRAP,
                                                                      "Last-Event-ID": bad}, timeout=5)
            err(r, 400, "Last-Event-ID")

        # A quiet stream gets a keepalive comment every 15 s.
        quiet_since = time.monotonic()
        wait_until(lambda: any(t > quiet_since for t, _ in cg_b.comments), 17, interval=0.2, what="keepalive")
        assert any(c.startswith(":") for _, c in cg_b.comments)
        assert [c for _, c in cg_b.comments][-1] == ": keepalive"
    finally:
        for s in streams:
            s.close()


def test_stream_ends_when_the_token_is_revoked(api):
    site = Site(api, shifts=False)
    r1 = site.resident("Ann Li")
    co = site.login(site.coordinator)
    s = Sse(co)
    try:
        co.post("/v1/auth/logout")
        manual_alert(api, r1["id"])
        # The stream may carry this change or not, but it must end.
        wait_until(lambda: not s.t.is_alive(), 20, what="stream closed after logout")
    finally:
        s.close()


# ---- residents: discharge, not delete ------------------------------------------------------


def test_residents_with_history_are_discharged_without_are_deleted(api):
    site = Site(api)
    ann = site.resident("Ann Li")
    bo = site.resident("Bo Wang")
    site.device(bo, "bo-bed", "bed")
    co = site.login(site.coordinator)

    alert = manual_alert(api, ann["id"])
    # An active alert: resolve it first.
    err(co.delete("/v1/residents/" + ann["id"]), 409)
    cg = site.login(site.primary)
    cg.ok("POST", "/v1/alerts/%s/ack" % alert["id"])
    cg.ok("POST", "/v1/alerts/%s/resolve" % alert["id"], {"outcome": "test"})
    r = co.delete("/v1/residents/" + ann["id"])
    assert r.status_code == 200, r.text
    assert r.json()["id"] == ann["id"] and r.json()["status"] == "discharged"
    assert co.ok("GET", "/v1/residents/" + ann["id"])["status"] == "discharged"
    assert co.ok("GET", "/v1/alerts/%s" % alert["id"])["resident_id"] == ann["id"]
    assert co.delete("/v1/residents/" + ann["id"]).status_code == 204  # again

    # No history (a device, but no events or alerts): deleted.
    r = co.delete("/v1/residents/" + bo["id"])
    assert r.status_code == 204 and not r.content
    err(co.get("/v1/residents/" + bo["id"]), 404)
    assert api.ok("GET", "/v1/devices/bo-bed")["resident_id"] is None  # unassigned: admins only
    assert co.delete("/v1/residents/" + bo["id"]).status_code == 404


def test_devices_of_a_deleted_resident_are_unassigned_for_ingest(api, mq, daemon):
    site = Site(api)
    bo = site.resident("Bo Wang")
    site.device(bo, "bo-btn", "sos_button")
    assert api.delete("/v1/residents/" + bo["id"]).status_code == 204
    dev = mq()
    dev.subscribe("carenet/dev/bo-btn/#")
    dev.publish("carenet/dev/bo-btn/event", {"type": "button", "value": "press", "seq": 1})
    (_, ack), = dev.wait_for(r"carenet/dev/bo-btn/ack")
    # Stored and acknowledged, but nobody to raise an alert for.
    assert ack["seq"] == 1 and ack["alert_id"] is None
    assert api.ok("GET", "/v1/alerts")["items"] == []
    assert "raising sos failed" not in daemon.read_log()


def test_manual_alert_for_a_discharged_resident_is_409(api):
    site = Site(api)
    ann = site.resident("Ann Li", status="discharged")
    err(api.post("/v1/alerts", {"resident_id": ann["id"]}), 409)
    assert api.ok("GET", "/v1/alerts?resident_id=" + ann["id"])["items"] == []


# ---- audit --------------------------------------------------------------------------------


def test_every_change_writes_an_audit_row(api):
    a, b = two_sites(api)
    co_a = a.login(a.coordinator)
    before_n = len(walk_all(api, "/v1/audit"))
    # Each change below adds exactly one row, with who, what and which.
    changes = []
    res = co_a.ok("POST", "/v1/residents", {"site_id": a.id, "name": "Eve", "phone": "1"})
    changes.append(("create", "residents", res["id"], a.coordinator["id"]))
    co_a.ok("PATCH", "/v1/residents/" + res["id"], {"phone": "2", "monitoring": {"inactivity_minutes": 90}})
    changes.append(("update", "residents", res["id"], a.coordinator["id"]))
    d = co_a.ok("POST", "/v1/devices", {"id": "a-door", "resident_id": res["id"], "kind": "door"})
    changes.append(("create", "devices", d["id"], a.coordinator["id"]))
    co_a.ok("DELETE", "/v1/devices/a-door", status=204)
    changes.append(("delete", "devices", d["id"], a.coordinator["id"]))
    co_a.ok("PATCH", "/v1/sites/" + a.id, {"phone": "+86 3"})
    changes.append(("update", "sites", a.id, a.coordinator["id"]))
    st = co_a.ok("POST", "/v1/staff", {"site_id": a.id, "name": "Vic", "role": "volunteer", "username": "a-vic",
                                       "password": "a secret password"})
    changes.append(("create", "staff", st["id"], a.coordinator["id"]))
    co_a.ok("PATCH", "/v1/staff/" + st["id"], {"password": "another secret password"})
    changes.append(("update", "staff", st["id"], a.coordinator["id"]))
    co_a.ok("DELETE", "/v1/staff/" + st["id"], status=204)
    changes.append(("delete", "staff", st["id"], a.coordinator["id"]))
    svc = api.ok("POST", "/v1/services", {"name": "Lunch", "category": "meal", "provider": "partner",
                                          "duration_min": 20})
    changes.append(("create", "services", svc["id"], "admin"))
    co_a.ok("DELETE", "/v1/residents/" + res["id"], status=204)
    changes.append(("delete", "residents", res["id"], a.coordinator["id"]))
    rows = walk_all(api, "/v1/audit")
    new = rows[:len(rows) - before_n]
    got = [(x["action"], x["resource"], x["resource_id"], x["actor_id"]) for x in reversed(new)
           if x["resource"] != "auth"]
    assert got == changes
    for x in new:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", x["ts"]), x
    # Creates carry after, deletes before, PATCH rows both.
    by = {(x["action"], x["resource"], x["resource_id"]): x for x in new}
    up = by[("update", "residents", res["id"])]
    assert up["before"]["phone"] == "1" and up["after"]["phone"] == "2"
    assert up["before"]["monitoring"]["inactivity_minutes"] == 240
    assert up["after"]["monitoring"]["inactivity_minutes"] == 90
    assert by[("create", "residents", res["id"])]["before"] is None
    assert by[("create", "residents", res["id"])]["after"]["name"] == "Eve"
    assert by[("delete", "devices", "a-door")]["before"]["id"] == "a-door"
    assert by[("delete", "devices", "a-door")]["after"] is None
    site_up = by[("update", "sites", a.id)]
    assert site_up["before"]["phone"] != "+86 3" and site_up["after"]["phone"] == "+86 3"
    assert site_up["site_id"] == a.id
    # Passwords never appear, not even hashed.
    text = json.dumps(new)
    assert "secret password" not in text and "argon2" not in text and "password" not in text
    # Logins are recorded too.
    assert any(x["action"] == "login" and x["actor_id"] == a.coordinator["id"] for x in rows)

    # A coordinator sees her site's rows only; another site's filter is empty.
    b.login(b.coordinator).ok("PATCH", "/v1/sites/" + b.id, {"phone": "+86 4"})
    mine = walk_all(co_a, "/v1/audit")
    assert mine and {x["site_id"] for x in mine} == {a.id}
    assert ("update", "sites", a.id) in {(x["action"], x["resource"], x["resource_id"]) for x in mine}
    assert co_a.ok("GET", "/v1/audit?site_id=" + b.id)["items"] == []
    assert {x["site_id"] for x in walk_all(api, "/v1/audit?site_id=" + b.id)} == {b.id}
    assert [x["resource"] for x in co_a.ok("GET", "/v1/audit?resource=devices")["items"]] == ["devices"] * 2


def test_alert_steps_write_audit_rows(api):
    site = Site(api)
    r1 = site.resident("Ann Li")
    cg = site.login(site.primary)
    alert = manual_alert(cg, r1["id"], note="phoned in")
    cg.ok("POST", "/v1/alerts/%s/ack" % alert["id"])
    cg.ok("POST", "/v1/alerts/%s/notes" % alert["id"], {"text": "on my way"})
    cg.ok("POST", "/v1/alerts/%s/resolve" % alert["id"], {"outcome": "genuine"})
    rows = [x for x in walk_all(api, "/v1/audit?resource=alerts")]
    got = sorted((x["action"], x["actor_id"]) for x in rows if x["resource_id"] == str(alert["id"]))
    want = sorted([("create", site.primary["id"]), ("ack", site.primary["id"]), ("note", site.primary["id"]),
                   ("resolve", site.primary["id"])])
    assert got == want, "audit rows for alert %s: %r" % (alert["id"], rows)
    assert {x["site_id"] for x in rows} == {site.id}


def walk_all(client, path):
    return [x for p in walk(client, path, 500) for x in p]


# ---- the spec against the router ----------------------------------------------------------


def router_routes():
    src = open(ROUTES_C, encoding="utf-8").read()
    return {(m, p) for m, p in re.findall(r'\b(?:RES|R)\(\s*"([A-Z]+)"\s*,\s*"([^"]+)"', src)}


def spec_routes(api):
    r = api.get("/v1/openapi.json")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json"), r.text[:200]
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    out = set()
    for path, item in doc["paths"].items():
        for m in item:
            if m in ("get", "put", "post", "patch", "delete", "head", "options", "trace"):
                out.add((m.upper(), path))
    return doc, out


def test_served_openapi_document_lists_every_router_route(api):
    from conftest import Api
    err(Api(api.base).get("/v1/openapi.json"), 401)
    yaml = api.get("/v1/openapi.yaml")
    assert yaml.status_code == 200 and "openapi: 3.1.0" in yaml.text
    doc, spec = spec_routes(api)
    router = router_routes()
    assert len(router) >= 40, "could not read the route table from %s" % ROUTES_C
    missing = sorted(router - spec)
    assert not missing, "routes in services/api/routes.c that proto/openapi.yaml does not document:\n  " + \
        "\n  ".join("%s %s" % x for x in missing)
    # Every operation says who may call it.
    for path, item in doc["paths"].items():
        for m, op in item.items():
            if isinstance(op, dict) and "responses" in op:
                assert "operationId" in op, (m, path)


def test_every_spec_operation_is_in_the_router(api):
    _, spec = spec_routes(api)
    router = router_routes()
    missing = sorted(spec - router)
    # The service-net routes (attendance, requests, reports) are being
    # added to the router; this fails, listing them, until they are in.
    assert not missing, "operations in proto/openapi.yaml that services/api/routes.c does not route " \
        "(%d):\n  %s" % (len(missing), "\n  ".join("%s %s" % x for x in missing))


# ---- secrets at rest ----------------------------------------------------------------------


def test_no_password_or_token_in_clear_in_the_database(api, daemon):
    site = Site(api, shifts=False)
    passwords = [site.password, "fam pass 张 7788"]
    api.ok("POST", "/v1/staff", {"name": "Fam", "role": "family", "username": "fam", "password": passwords[1]})
    tokens = []
    for user, pw in ((site.primary["username"], site.password), (site.coordinator["username"], site.password),
                     ("fam", passwords[1])):
        r = requests.post(api.base + "/v1/auth/login", json={"username": user, "password": pw}, timeout=10)
        assert r.status_code == 200, r.text
        tok = r.json()["token"]
        assert len(tok) >= 32
        tokens.append(tok)
    # A password change by its owner, a logout.
    ann = site.login(site.primary)
    passwords.append("a brand new password")
    ann.ok("PATCH", "/v1/staff/" + site.primary["id"], {"password": passwords[-1]})
    tokens.append(ann.token)
    requests.post(api.base + "/v1/auth/logout", headers={"Authorization": "Bearer " + tokens[0]}, timeout=10)
    secrets = passwords + tokens + [BOOTSTRAP]
    # Everything SQLite holds, the WAL included, and the daemon's log.
    blobs = {}
    for suffix in ("", "-wal", "-journal"):
        path = daemon.db_path + suffix
        if os.path.exists(path):
            with open(path, "rb") as f:
                blobs[path] = f.read()
    assert blobs[daemon.db_path]
    blobs["log"] = daemon.read_log().encode("utf-8")
    for name, data in blobs.items():
        for s in secrets:
            for form in {s.encode("utf-8"), s.encode("utf-16-le")}:
                assert form not in data, "%r found in %s" % (s, name)
    # The hashes are there instead (Argon2id strings).
    joined = b"".join(v for k, v in blobs.items() if k != "log")
    assert b"$argon2id$" in joined


def test_moving_a_resident_moves_the_alerts_of_their_devices(api, mq):
    a = Site(api, prefix="a")
    b = Site(api, prefix="b")
    ann = a.resident("Ann Li")
    a.device(ann, "ann-btn", "sos_button")
    api.ok("PATCH", "/v1/residents/" + ann["id"], {"site_id": b.id})
    assert api.ok("GET", "/v1/devices/ann-btn")["site_id"] == b.id
    dev = mq()
    dev.subscribe("carenet/dev/ann-btn/#")
    dev.publish("carenet/dev/ann-btn/event", {"type": "button", "value": "press", "seq": 1})
    (_, ack), = dev.wait_for(r"carenet/dev/ann-btn/ack")
    alert = api.ok("GET", "/v1/alerts/%s" % ack["alert_id"])
    assert alert["site_id"] == b.id and alert["resident_id"] == ann["id"]
    assert alert["notified"] == [b.primary["id"]]


def test_device_ids_that_are_broker_users_are_refused(api):
    site = Site(api)
    r = site.resident("Jo")
    for bad in ("staff-t-ann", "carenetd"):
        resp = api.post("/v1/devices", {"id": bad, "resident_id": r["id"], "kind": "sos_button"})
        assert resp.status_code == 400 and "id" in resp.json()["error"]["message"]
