"""An officer (issue 19, contract section 8): civil-affairs staff with a
region and no site, who signs in and reads, and only reads, the sites of
their region and below: reports and settlement rolled up along the
regions, resident names and the services they received; nothing of
health, devices, events or alerts, and nothing of another region."""
import csv
import io
import time

from conftest import Site


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def month():
    return time.strftime("%Y-%m", time.gmtime())


def tree(api):
    """Longwen district > Riverside street > Garden and Lake communities;
    Hillside district > Hill street > Top community."""
    for body in ({"id": "d1", "name": "Longwen", "level": "district"},
                 {"id": "st1", "name": "Riverside", "level": "street", "parent_id": "d1"},
                 {"id": "c1", "name": "Garden", "level": "community", "parent_id": "st1"},
                 {"id": "c2", "name": "Lake", "level": "community", "parent_id": "st1"},
                 {"id": "d2", "name": "Hillside", "level": "district"},
                 {"id": "st2", "name": "Hill", "level": "street", "parent_id": "d2"},
                 {"id": "c3", "name": "Top", "level": "community", "parent_id": "st2"}):
        api.ok("POST", "/v1/regions", body)


def site_with_visit(api, prefix, region, service, cents):
    site = Site(api, shifts=False, prefix=prefix)
    api.ok("PATCH", "/v1/sites/" + site.id, {"region_id": region})
    res = site.resident("Ann " + prefix, subsidy={"scheme": "district", "monthly_cents": cents})
    coord, carer = site.login(site.coordinator), site.login(site.primary)
    req = coord.ok("POST", "/v1/requests", {"resident_id": res["id"], "service_id": service["id"]}, status=201)
    now = time.time()
    coord.ok("POST", "/v1/requests/%s/assign" % req["id"],
             {"staff_id": site.primary["id"], "window_start": iso(now - 60), "window_end": iso(now + 3600)})
    carer.ok("POST", "/v1/requests/%s/start" % req["id"], {"location": {"lat": 22.5, "lon": 114.0}})
    carer.ok("POST", "/v1/requests/%s/complete" % req["id"])
    return site, res, req


def officer(api, region, name="olga"):
    return api.ok("POST", "/v1/staff", {"id": "off-" + name, "name": name.title(), "role": "officer",
                                        "region_id": region, "username": "off-" + name,
                                        "password": "correct horse battery"})


def test_officer_accounts_are_checked(api):
    tree(api)
    site = Site(api, shifts=False)
    base = {"name": "Olga", "role": "officer", "username": "olga", "password": "correct horse battery"}
    for extra, field in (({}, "region_id"), ({"region_id": "nope"}, "region_id"),
                         ({"region_id": "st1", "site_id": site.id}, "site_id")):
        r = api.post("/v1/staff", dict(base, **extra))
        assert r.status_code == 400 and field in r.text, (extra, r.text)
    r = api.post("/v1/staff", {"site_id": site.id, "name": "Cat", "role": "caregiver", "username": "cat",
                               "region_id": "st1", "password": "correct horse battery"})
    assert r.status_code == 400 and "region_id" in r.text
    # A coordinator creates no officer.
    coord = site.login(site.coordinator)
    assert coord.post("/v1/staff", dict(base, region_id="st1")).status_code == 403
    o = officer(api, "st1")
    assert o["role"] == "officer" and o["region_id"] == "st1" and o["site_id"] is None
    assert api.ok("GET", "/v1/staff/" + o["id"])["region_id"] == "st1"


def test_officer_sees_only_their_region_and_no_health(api):
    tree(api)
    meal = api.ok("POST", "/v1/services", {"name": "Lunch", "category": "meal", "provider": "staff",
                                           "duration_min": 30, "price_cents": 1500})
    a, ra, qa = site_with_visit(api, "a", "c1", meal, 1000)
    b, rb, qb = site_with_visit(api, "b", "c2", meal, 0)
    c, rc, qc = site_with_visit(api, "c", "c3", meal, 0)
    olga = officer(api, "st1")
    off = api.as_user(olga["username"], "correct horse battery")
    me = off.ok("GET", "/v1/me")
    assert me["role"] == "officer" and me["region_id"] == "st1"

    # Sites, residents and requests of their region and below; another
    # region's are not found.
    assert sorted(s["id"] for s in off.ok("GET", "/v1/sites")["items"]) == [a.id, b.id]
    assert off.get("/v1/sites/" + c.id).status_code == 404
    assert off.ok("GET", "/v1/sites/" + a.id)["region_id"] == "c1"
    residents = off.ok("GET", "/v1/residents")["items"]
    assert sorted(r["id"] for r in residents) == sorted([ra["id"], rb["id"]])
    # Names and the subsidy, nothing of the care record or the home.
    for r in residents:
        assert set(r) <= {"id", "site_id", "name", "status", "subsidy"}, r
    assert off.get("/v1/residents/" + rc["id"]).status_code == 404
    got = off.ok("GET", "/v1/residents/" + ra["id"])
    assert got["name"] == ra["name"] and "address" not in got and "phone" not in got
    reqs = off.ok("GET", "/v1/requests")["items"]
    assert sorted(q["id"] for q in reqs) == sorted([qa["id"], qb["id"]])
    assert all("address" not in q["resident"] and "missed_alert_id" not in q for q in reqs)
    assert off.get("/v1/requests/" + qc["id"]).status_code == 404
    seen = off.ok("GET", "/v1/requests/" + qa["id"])
    assert seen["status"] == "done" and seen["evidence"]["off_site"] is False
    # The visit's evidence without coordinates (they would show the home).
    assert "lat" not in seen["evidence"]["start"] and seen["evidence"]["start"]["off_site"] is False
    regions = sorted(x["id"] for x in off.ok("GET", "/v1/regions")["items"])
    assert regions == ["c1", "c2", "st1"]

    # Nothing of health, devices, events, alerts, attendance, audit.
    for path in ("/v1/alerts", "/v1/events", "/v1/devices", "/v1/residents/%s/measurements" % ra["id"],
                 "/v1/residents/%s/activity" % ra["id"], "/v1/audit", "/v1/attendance?site_id=" + a.id,
                 "/v1/shifts"):
        assert off.get(path).status_code in (403, 404), path
    assert off.get("/v1/alerts").status_code == 403
    # Read-only.
    assert off.post("/v1/residents", {"site_id": a.id, "name": "X"}).status_code in (403, 404)
    assert off.patch("/v1/sites/" + a.id, {"name": "X"}).status_code == 403
    assert off.patch("/v1/residents/" + ra["id"], {"name": "X"}).status_code == 403
    assert off.post("/v1/requests/%s/confirm" % qa["id"]).status_code == 403
    assert off.post("/v1/settlements/%s/close" % month(), {"site_id": a.id}).status_code == 403
    assert off.post("/v1/regions", {"name": "x", "level": "district"}).status_code == 403

    # The settlement rolls up along the regions: their street by default.
    rep = off.ok("GET", "/v1/reports/settlement?month=%s" % month())
    assert rep["region_id"] == "st1" and [s["site_id"] for s in rep["sites"]] == sorted([a.id, b.id])
    t = rep["totals"]
    assert t["sites"] == 2 and t["residents"] == 2 and t["visits_done"] == 2
    assert (t["amount_cents"], t["subsidy_cents"], t["family_cents"]) == (3000, 1000, 2000)
    for k in ("visits_done", "amount_cents", "subsidy_cents", "family_cents"):
        assert t[k] == sum(s["totals"][k] for s in rep["sites"]), k
    one = off.ok("GET", "/v1/reports/settlement?month=%s&region_id=c1" % month())
    assert [s["site_id"] for s in one["sites"]] == [a.id] and one["totals"]["amount_cents"] == 1500
    site_rep = off.ok("GET", "/v1/reports/settlement?month=%s&site_id=%s" % (month(), b.id))
    assert site_rep["site_id"] == b.id and site_rep["totals"]["family_cents"] == 1500
    # Above or beside their region: not found.
    for q in ("region_id=d1", "region_id=c3", "region_id=nope", "site_id=" + c.id):
        assert off.get("/v1/reports/settlement?month=%s&%s" % (month(), q)).status_code == 404, q
    assert off.get("/v1/reports/settlement?month=%s&region_id=c1&site_id=%s" % (month(), a.id)).status_code == 400
    # The admin rolls up the district: both sites; the other district apart.
    d1 = api.ok("GET", "/v1/reports/settlement?month=%s&region_id=d1" % month())
    assert d1["totals"]["sites"] == 2 and d1["totals"]["amount_cents"] == 3000
    assert api.ok("GET", "/v1/reports/settlement?month=%s&region_id=d2" % month())["totals"]["amount_cents"] == 1500
    # A coordinator reads their site, not a region.
    assert a.login(a.coordinator).get("/v1/reports/settlement?month=%s&region_id=c1" % month()).status_code == 403

    # The region's CSV: each site's rows and TOTAL, then the region's TOTAL.
    r = off.get("/v1/reports/settlement?month=%s" % month(), headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    head, rows = rows[0], rows[1:]
    amount = head.index("amount_cents")
    site_totals = [x for x in rows if x[3] == "TOTAL"]
    assert len(site_totals) == 2 and rows[-1][2] == "TOTAL" and rows[-1][1] == "st1"
    assert int(rows[-1][amount]) == sum(int(x[amount]) for x in site_totals) == 3000

    # The response report rolls up too, without naming alerts or residents.
    # (Visits count by the end of their window, an hour from now.)
    to = "to=" + iso(time.time() + 7200)
    resp = off.ok("GET", "/v1/reports/response?" + to)
    assert resp["region_id"] == "st1" and resp["site_id"] is None
    assert resp["visits"]["done"] == 2
    assert off.ok("GET", "/v1/reports/response?%s&site_id=%s" % (to, a.id))["visits"]["done"] == 1
    assert off.get("/v1/reports/response?site_id=" + c.id).status_code == 404
    assert off.get("/v1/reports/response?region_id=d2").status_code == 404
    assert api.ok("GET", "/v1/reports/response?%s&region_id=d1" % to)["visits"]["done"] == 2
    assert api.ok("GET", "/v1/reports/response?" + to)["visits"]["done"] == 3
    assert a.login(a.coordinator).get("/v1/reports/response?region_id=c1").status_code == 403
