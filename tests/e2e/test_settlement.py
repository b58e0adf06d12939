"""The monthly settlement (issue 19, contract section 8): prices per visit
or per hour, the subsidy capped by the monthly allowance, the family's
share, totals per site that reconcile to the cent, JSON and CSV (UTF-8 with
BOM, CRLF, no cell that a spreadsheet runs as a formula), the freeze after
a month is closed (the report never changes, its records are 409), and
corrections as adjustment lines in the next open month.

Visits are done now and then moved into last month by SQL on the daemon's
database (either engine): only a month that has ended can be closed."""
import calendar
import csv
import io
import sqlite3
import time

from conftest import ENGINE, Site, pg_cluster

JPEG = b"\xff\xd8\xff\xe0" + b"j" * 100


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def execute(daemon, sql):
    """A write on the daemon's database, committed."""
    if ENGINE == "pg":
        pg_cluster().psql(sql, db=daemon.db_name)
        return
    db = sqlite3.connect(daemon.db_path, timeout=30)
    try:
        db.execute(sql)
        db.commit()
    finally:
        db.close()


def last_month():
    """(YYYY-MM, epoch ms of its 15th at 12:00 UTC): inside that month in
    any timezone."""
    t = time.gmtime()
    y, m = (t.tm_year, t.tm_mon - 1) if t.tm_mon > 1 else (t.tm_year - 1, 12)
    return "%04d-%02d" % (y, m), calendar.timegm((y, m, 15, 12, 0, 0)) * 1000


def this_month():
    return time.strftime("%Y-%m", time.gmtime())


def backdate(daemon, request_ids, to_ms):
    """Moves done visits into another month, keeping their durations."""
    ids = ",".join("'%s'" % i for i in request_ids)
    execute(daemon, "UPDATE requests SET started_at = started_at - (completed_at - %d),"
                    " completed_at = %d WHERE id IN (%s)" % (to_ms, to_ms, ids))


def do_visit(site, coord, carer, resident, service):
    req = coord.ok("POST", "/v1/requests", {"resident_id": resident["id"], "service_id": service["id"]},
                   status=201)
    now = time.time()
    coord.ok("POST", "/v1/requests/%s/assign" % req["id"],
             {"staff_id": site.primary["id"], "window_start": iso(now - 60), "window_end": iso(now + 3600)})
    carer.ok("POST", "/v1/requests/%s/start" % req["id"])
    return carer.ok("POST", "/v1/requests/%s/complete" % req["id"])


def services(api):
    bath = api.ok("POST", "/v1/services", {"name": "Bathing", "category": "bathing", "provider": "staff",
                                           "duration_min": 45, "price_cents": 4000, "unit": "hour"})
    meal = api.ok("POST", "/v1/services", {"name": "Lunch", "category": "meal", "provider": "staff",
                                           "duration_min": 30, "price_cents": 1500})
    return bath, meal


def csv_rows(resp):
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    body = resp.content
    assert body.startswith(b"\xef\xbb\xbf")
    # Every line ends in CRLF, none in a bare LF.
    assert body.endswith(b"\r\n") and body.count(b"\n") == body.count(b"\r\n")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    return rows[0], rows[1:]


SUMS = ["visits_done", "nominal_minutes", "actual_minutes", "short_visits", "visits_cents",
        "adjustments_cents", "amount_cents", "subsidy_cents", "family_cents"]


def test_settlement_totals_json_csv_and_freeze(api, daemon):
    site = Site(api, shifts=False)
    ann = site.resident("Ann Li", subsidy={"scheme": "district-2026", "monthly_cents": 4000})
    odd = site.resident("=1+1", id="t-odd")
    fay = site.staff("fay", "family", resident_ids=[ann["id"]])
    bath, meal = services(api)
    assert meal["unit"] == "visit" and bath["unit"] == "hour" and bath["price_cents"] == 4000
    coord, carer = site.login(site.coordinator), site.login(site.primary)
    done = [do_visit(site, coord, carer, ann, bath), do_visit(site, coord, carer, ann, bath),
            do_visit(site, coord, carer, ann, meal), do_visit(site, coord, carer, odd, meal)]
    month, mid = last_month()
    backdate(daemon, [d["id"] for d in done], mid)

    # A later price change leaves the done visits at the price they were done at.
    api.ok("PATCH", "/v1/services/" + bath["id"], {"price_cents": 99999})

    rep = coord.ok("GET", "/v1/reports/settlement?month=%s" % month)
    assert rep["month"] == month and rep["site_id"] == site.id and rep["closed"] is False
    by = {x["resident_id"]: x for x in rep["residents"]}
    a = by[ann["id"]]
    # 2 x (4000 an hour x 45 min = 3000) + 1500 = 7500; the allowance pays 4000.
    assert a["visits_done"] == 3 and a["nominal_minutes"] == 120
    assert a["visits_cents"] == 7500 and a["adjustments_cents"] == 0
    assert a["amount_cents"] == 7500 and a["subsidy_cents"] == 4000 and a["family_cents"] == 3500
    assert a["scheme"] == "district-2026" and a["allowance_cents"] == 4000
    # Done within seconds of starting: flagged short, still billed on the nominal time.
    assert a["short_visits"] == 3 and all(v["short"] for v in a["visits"])
    assert sorted(v["amount_cents"] for v in a["visits"]) == [1500, 3000, 3000]
    assert all(v["completed_at"].startswith(month) and v["off_site"] is False and v["photos"] == 0
               and v["confirmed"] is False for v in a["visits"])
    o = by[odd["id"]]
    assert o["amount_cents"] == 1500 and o["subsidy_cents"] == 0 and o["family_cents"] == 1500
    t = rep["totals"]
    assert t["residents"] == 2 and t["visits_done"] == 4 and t["nominal_minutes"] == 150
    assert (t["amount_cents"], t["subsidy_cents"], t["family_cents"]) == (9000, 4000, 5000)
    # Every total is the sum of the residents' lines, to the cent.
    for k in SUMS:
        assert t[k] == sum(x[k] for x in rep["residents"]), k
    # Nothing of it in this month.
    assert coord.ok("GET", "/v1/reports/settlement?month=%s" % this_month())["residents"] == []

    # CSV: a BOM, CRLF, and the resident named =1+1 cannot run as a formula.
    head, rows = csv_rows(coord.get("/v1/reports/settlement?month=%s" % month,
                                    headers={"Accept": "text/csv"}))
    assert head == ["month", "region_id", "site_id", "resident_id", "name", "scheme"] + SUMS
    names = [row[4] for row in rows]
    assert "'=1+1" in names and "=1+1" not in names
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for row in rows for cell in row)
    total = rows[-1]
    assert total[3] == "TOTAL"
    col = {k: 6 + i for i, k in enumerate(SUMS)}
    for k in SUMS:
        assert int(total[col[k]]) == sum(int(r[col[k]]) for r in rows[:-1]) == t[k], k
    for r in rows:
        assert int(r[col["subsidy_cents"]]) + int(r[col["family_cents"]]) == int(r[col["amount_cents"]])

    # Bad input and scope.
    assert coord.get("/v1/reports/settlement?month=2026-13").status_code == 400
    assert coord.get("/v1/reports/settlement").status_code == 400
    assert api.get("/v1/reports/settlement?month=%s" % month).status_code == 400  # admin: which site?
    assert carer.get("/v1/reports/settlement?month=%s" % month).status_code == 403
    assert site.login(fay).get("/v1/reports/settlement?month=%s" % month).status_code == 403
    other = Site(api, shifts=False, prefix="o")
    oc = other.login(other.coordinator)
    assert oc.get("/v1/reports/settlement?month=%s&site_id=%s" % (month, site.id)).status_code == 404

    # Closing: admin only, a month that has ended; then its report is kept
    # and its records are frozen (409).
    assert coord.post("/v1/settlements/%s/close" % month, {"site_id": site.id}).status_code == 403
    assert api.post("/v1/settlements/2026-13/close", {"site_id": site.id}).status_code == 400
    assert api.post("/v1/settlements/%s/close" % month, {"site_id": "nope"}).status_code == 400
    r = api.post("/v1/settlements/%s/close" % this_month(), {"site_id": site.id})
    assert r.status_code == 409 and "not ended" in r.text
    c = api.ok("POST", "/v1/settlements/%s/close" % month, {"site_id": site.id})
    assert c["month"] == month and c["closed_by"] and c["totals"]["amount_cents"] == 9000
    assert api.post("/v1/settlements/%s/close" % month, {"site_id": site.id}).status_code == 409
    rid = done[0]["id"]
    r = carer.post("/v1/requests/%s/photos" % rid, raw=JPEG, headers={"Content-Type": "image/jpeg"})
    assert r.status_code == 409 and "closed" in r.text
    assert site.login(fay).post("/v1/requests/%s/confirm" % rid).status_code == 409

    # Whatever changes afterwards, the closed month answers as it was closed.
    api.ok("PATCH", "/v1/residents/" + ann["id"], {"name": "Ann Wang",
                                                   "subsidy": {"scheme": "x", "monthly_cents": 100000}})
    api.ok("PATCH", "/v1/services/" + meal["id"], {"price_cents": 1})
    again = coord.ok("GET", "/v1/reports/settlement?month=%s" % month)
    assert again["closed"] is True and again["closed_by"] == c["closed_by"]
    for k in ("residents", "totals", "month", "site_id"):
        assert again[k] == rep[k], k
    r2 = coord.get("/v1/reports/settlement?month=%s" % month, headers={"Accept": "text/csv"})
    assert csv_rows(r2)[1] == rows
    # Another site's month is still open.
    assert oc.ok("GET", "/v1/reports/settlement?month=%s" % month)["closed"] is False


def test_settlement_adjustments_land_in_the_next_open_month(api, daemon):
    site = Site(api, shifts=False)
    ann = site.resident("Ann Li", subsidy={"scheme": "district-2026", "monthly_cents": 4000})
    bo = site.resident("Bo Wang")
    bath, meal = services(api)
    coord, carer = site.login(site.coordinator), site.login(site.primary)
    old = do_visit(site, coord, carer, ann, meal)
    month, mid = last_month()
    backdate(daemon, [old["id"]], mid)
    now_visit = do_visit(site, coord, carer, ann, meal)
    now = this_month()

    # Who may, and what a line must be.
    adj = {"resident_id": ann["id"], "for_month": month, "amount_cents": -500,
           "reason": "overbilled: lunch not eaten", "request_id": old["id"]}
    assert coord.post("/v1/settlements/adjustments", adj).status_code == 403
    for bad, field in (({"amount_cents": 0}, "amount_cents"), ({"for_month": "2999-01"}, "for_month"),
                       ({"for_month": "2026-13"}, "for_month"), ({"resident_id": "nope"}, "resident_id"),
                       ({"request_id": now_visit["id"]}, "request_id"), ({"resident_id": bo["id"]}, "request_id"),
                       ({"reason": ""}, "reason"), ({"extra": 1}, "extra")):
        b = dict(adj)
        b.update(bad)
        r = api.post("/v1/settlements/adjustments", b)
        assert r.status_code == 400 and field in r.text, (bad, r.text)

    # While last month is open, a correction for it lands in it.
    first = api.ok("POST", "/v1/settlements/adjustments", dict(adj, amount_cents=-100, request_id=None,
                                                               reason="rounding"), status=201)
    assert first["month"] == month and first["for_month"] == month and first["created_by"]
    before = api.ok("GET", "/v1/reports/settlement?month=%s&site_id=%s" % (month, site.id))
    a = before["residents"][0]
    assert (a["visits_cents"], a["adjustments_cents"], a["amount_cents"]) == (1500, -100, 1400)
    assert [x["reason"] for x in a["adjustments"]] == ["rounding"]

    # Closed, it never changes: the next correction lands in this month.
    api.ok("POST", "/v1/settlements/%s/close" % month, {"site_id": site.id})
    line = api.ok("POST", "/v1/settlements/adjustments", adj, status=201)
    assert line["month"] == now and line["for_month"] == month and line["amount_cents"] == -500
    closed = api.ok("GET", "/v1/reports/settlement?month=%s&site_id=%s" % (month, site.id))
    assert closed["residents"] == before["residents"] and closed["totals"] == before["totals"]
    cur = api.ok("GET", "/v1/reports/settlement?month=%s&site_id=%s" % (now, site.id))
    a = cur["residents"][0]
    # This month: one lunch 1500, last month's correction -500 = 1000; the subsidy pays it all.
    assert a["visits_done"] == 1 and a["visits_cents"] == 1500 and a["adjustments_cents"] == -500
    assert (a["amount_cents"], a["subsidy_cents"], a["family_cents"]) == (1000, 1000, 0)
    assert a["adjustments"][0]["for_month"] == month and a["adjustments"][0]["request_id"] == old["id"]
    assert a["adjustments"][0]["created_by"] == line["created_by"]
    # A resident with only a correction this month is on the report too.
    refund = api.ok("POST", "/v1/settlements/adjustments",
                    {"resident_id": bo["id"], "for_month": month, "amount_cents": 700, "reason": "missed bath"},
                    status=201)
    assert refund["month"] == now
    cur = api.ok("GET", "/v1/reports/settlement?month=%s&site_id=%s" % (now, site.id))
    b = {x["resident_id"]: x for x in cur["residents"]}[bo["id"]]
    assert b["visits_done"] == 0 and b["amount_cents"] == 700 and b["family_cents"] == 700
    assert cur["totals"]["adjustments_cents"] == 200 and cur["totals"]["amount_cents"] == 1700
    # The audit log has who made each line.
    rows = daemon.query("SELECT count(*) FROM audit WHERE resource = 'settlement_adjustments'")
    assert rows[0][0] == 3


def test_settlement_bad_prices_and_subsidies_are_400(api):
    site = Site(api, shifts=False)
    for body, field in (({"price_cents": -1}, "price_cents"), ({"unit": "day"}, "unit")):
        b = {"name": "Bathing", "category": "bathing", "provider": "staff", "duration_min": 45}
        b.update(body)
        r = api.post("/v1/services", b)
        assert r.status_code == 400 and field in r.text, r.text
    for sub, field in (({"scheme": "x"}, "monthly_cents"), ({"scheme": "x", "monthly_cents": -5}, "monthly_cents"),
                       ({"monthly_cents": 5}, "scheme"), ({"scheme": "x", "monthly_cents": 5, "y": 1}, "y")):
        r = api.post("/v1/residents", {"site_id": site.id, "name": "Bo", "subsidy": sub})
        assert r.status_code == 400 and field in r.text, (sub, r.text)
