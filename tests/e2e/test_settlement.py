"""The monthly settlement (issue 19, contract section 8): prices per visit
or per hour, the subsidy capped by the monthly allowance, the family's
share, totals per site, JSON and CSV (UTF-8 with BOM, no cell that a
spreadsheet runs as a formula), and the freeze after a month is closed."""
import csv
import io
import time

from conftest import Site

JPEG = b"\xff\xd8\xff\xe0" + b"j" * 100


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def do_visit(site, coord, carer, resident, service):
    req = coord.ok("POST", "/v1/requests", {"resident_id": resident["id"], "service_id": service["id"]},
                   status=201)
    now = time.time()
    coord.ok("POST", "/v1/requests/%s/assign" % req["id"],
             {"staff_id": site.primary["id"], "window_start": iso(now - 60), "window_end": iso(now + 3600)})
    carer.ok("POST", "/v1/requests/%s/start" % req["id"])
    return carer.ok("POST", "/v1/requests/%s/complete" % req["id"])


def test_settlement_totals_json_csv_and_freeze(api):
    site = Site(api, shifts=False)
    ann = site.resident("Ann Li", subsidy={"scheme": "district-2026", "monthly_cents": 4000})
    odd = site.resident("=1+1", id="t-odd")
    fay = site.staff("fay", "family", resident_ids=[ann["id"]])
    bath = api.ok("POST", "/v1/services", {"name": "Bathing", "category": "bathing", "provider": "staff",
                                           "duration_min": 45, "price_cents": 4000, "unit": "hour"})
    meal = api.ok("POST", "/v1/services", {"name": "Lunch", "category": "meal", "provider": "staff",
                                           "duration_min": 30, "price_cents": 1500})
    assert meal["unit"] == "visit" and bath["unit"] == "hour" and bath["price_cents"] == 4000
    coord, carer = site.login(site.coordinator), site.login(site.primary)
    done = [do_visit(site, coord, carer, ann, bath), do_visit(site, coord, carer, ann, bath),
            do_visit(site, coord, carer, ann, meal), do_visit(site, coord, carer, odd, meal)]
    month = done[0]["completed_at"][:7]

    # A later price change leaves the done visits at the price they were done at.
    api.ok("PATCH", "/v1/services/" + bath["id"], {"price_cents": 99999})

    rep = coord.ok("GET", "/v1/reports/settlement?month=%s" % month)
    assert rep["month"] == month and rep["site_id"] == site.id and rep["closed"] is False
    by = {x["resident_id"]: x for x in rep["residents"]}
    a = by[ann["id"]]
    # 2 x (4000 an hour x 45 min = 3000) + 1500 = 7500; the allowance pays 4000.
    assert a["visits_done"] == 3 and a["nominal_minutes"] == 120
    assert a["amount_cents"] == 7500 and a["subsidy_cents"] == 4000 and a["family_cents"] == 3500
    assert a["scheme"] == "district-2026" and a["allowance_cents"] == 4000
    # Done within seconds of starting: flagged short, still billed on the nominal time.
    assert a["short_visits"] == 3 and all(v["short"] for v in a["visits"])
    assert [v["amount_cents"] for v in a["visits"]] == [3000, 3000, 1500]
    o = by[odd["id"]]
    assert o["amount_cents"] == 1500 and o["subsidy_cents"] == 0 and o["family_cents"] == 1500
    t = rep["totals"]
    assert t == {"residents": 2, "visits_done": 4, "nominal_minutes": 150, "actual_minutes": t["actual_minutes"],
                 "amount_cents": 9000, "subsidy_cents": 4000, "family_cents": 5000}

    # CSV: a BOM, and the resident named =1+1 cannot run as a formula.
    r = coord.get("/v1/reports/settlement?month=%s" % month, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["month", "site_id", "resident_id", "name"]
    names = [row[3] for row in rows[1:]]
    assert "'=1+1" in names and "=1+1" not in names
    assert not any(cell[:1] in ("=", "+", "-", "@") for row in rows for cell in row)
    total = rows[-1]
    assert total[2] == "TOTAL" and total[9:12] == ["9000", "4000", "5000"]

    # Bad input and scope.
    assert coord.get("/v1/reports/settlement?month=2026-13").status_code == 400
    assert coord.get("/v1/reports/settlement").status_code == 400
    assert api.get("/v1/reports/settlement?month=%s" % month).status_code == 400  # admin: which site?
    assert carer.get("/v1/reports/settlement?month=%s" % month).status_code == 403
    assert site.login(fay).get("/v1/reports/settlement?month=%s" % month).status_code == 403
    other = Site(api, shifts=False, prefix="o")
    oc = other.login(other.coordinator)
    assert oc.get("/v1/reports/settlement?month=%s&site_id=%s" % (month, site.id)).status_code == 404

    # Closing: admin only; then the month's records are frozen (409).
    assert coord.post("/v1/settlements/%s/close" % month, {"site_id": site.id}).status_code == 403
    assert api.post("/v1/settlements/2026-13/close", {"site_id": site.id}).status_code == 400
    assert api.post("/v1/settlements/%s/close" % month, {"site_id": "nope"}).status_code == 400
    c = api.ok("POST", "/v1/settlements/%s/close" % month, {"site_id": site.id})
    assert c["month"] == month and c["closed_by"]
    assert api.post("/v1/settlements/%s/close" % month, {"site_id": site.id}).status_code == 409
    rid = done[0]["id"]
    r = carer.post("/v1/requests/%s/photos" % rid, raw=JPEG, headers={"Content-Type": "image/jpeg"})
    assert r.status_code == 409 and "closed" in r.text
    assert site.login(fay).post("/v1/requests/%s/confirm" % rid).status_code == 409
    again = coord.ok("GET", "/v1/reports/settlement?month=%s" % month)
    assert again["closed"] is True and again["totals"]["amount_cents"] == 9000
    # Another site's month is still open.
    assert other.login(other.coordinator).ok("GET", "/v1/reports/settlement?month=%s" % month)["closed"] is False


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
