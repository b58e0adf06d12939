"""The holes a validating client found (issue 11): 404s that tell
existence, spec drift, unknown query parameters, charsets, HEAD and
CORS for dashboards on another origin."""
import time

import pytest
import requests

from conftest import Site

DASH = "https://dash.example.org"


@pytest.fixture
def daemon_args():
    return {"http_cors_origins": DASH + ", http://127.0.0.1:9999"}


def two_sites(api):
    a = Site(api, prefix="a")
    b = Site(api, prefix="b")
    ra = a.resident("Ann")
    rb = b.resident("Bo")
    a.device(ra, "pend-a", "sos_button")
    b.device(rb, "pend-b", "sos_button")
    return a, b, ra, rb


def test_a_404_for_another_sites_object_is_byte_identical_to_one_for_no_object(api):
    a, b, ra, rb = two_sites(api)
    carer = a.login(a.coordinator)
    for kind, other in (("residents", rb["id"]), ("devices", "pend-b"), ("staff", b.primary["id"]),
                        ("sites", b.id)):
        hidden = carer.get("/v1/%s/%s" % (kind, other))
        missing = carer.get("/v1/%s/%s" % (kind, "zz-nobody-here"))
        assert hidden.status_code == missing.status_code == 404, (kind, hidden.text, missing.text)
        assert hidden.content == missing.content, kind
    # Alerts: another site's alert and an id that never existed.
    alert = api.ok("POST", "/v1/alerts", {"resident_id": rb["id"], "note": "phoned in"})
    hidden = carer.get("/v1/alerts/%s" % alert["id"])
    missing = carer.get("/v1/alerts/999999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_spec_drift_staff_oncall_and_shifts(api):
    a = Site(api, shifts=False)
    ann = a.primary
    staff = api.ok("GET", "/v1/staff/" + ann["id"])
    assert "resident_ids" not in staff
    listed = api.ok("GET", "/v1/staff?site_id=" + a.id)["items"]
    assert all("resident_ids" not in s for s in listed if s["role"] != "family")
    res = a.resident("Cy")
    fam = a.staff("fam", "family", resident_ids=[res["id"]])
    assert fam["resident_ids"] == [res["id"]]
    # POST /v1/shifts without site_id takes the staff member's site.
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    now = time.time()
    sh = api.ok("POST", "/v1/shifts", {"staff_id": ann["id"], "starts_at": iso(now - 60),
                                       "ends_at": iso(now + 3600), "tier": "primary"})
    assert sh["site_id"] == a.id
    oncall = api.ok("GET", "/v1/oncall?site_id=" + a.id)
    entry, = oncall["primary"]
    for field in ("id", "site_id", "name", "role", "phone", "username", "active", "skills",
                  "starts_at", "ends_at"):
        assert field in entry, field
    assert entry["site_id"] == a.id and entry["active"] is True


def test_unknown_query_parameters_are_400_naming_them(api):
    a, b, ra, rb = two_sites(api)
    r = api.get("/v1/events?device=pend-a")
    assert r.status_code == 400
    assert "device" in r.json()["error"]["message"] and "device_id" in r.json()["error"]["message"]
    assert api.get("/v1/events?device_id=pend-a").status_code == 200
    assert api.get("/v1/alerts?stauts=active").status_code == 400
    assert api.get("/v1/alerts?status=active&limit=5").status_code == 200


def test_only_utf8_json_bodies(api):
    body = b'{"id": "s-latin", "name": "Caf\xe9"}'
    r = api.request("POST", "/v1/sites", raw=body,
                    headers={"Content-Type": "application/json; charset=iso-8859-1"})
    assert r.status_code == 415
    assert api.get("/v1/sites/s-latin").status_code == 404
    r = api.request("POST", "/v1/sites", raw='{"id": "s-utf8", "name": "Café"}'.encode(),
                    headers={"Content-Type": "application/json; charset=UTF-8"})
    assert r.status_code == 201, r.text


def test_a_nul_byte_in_a_body_is_refused_as_over_mqtt(api):
    # jansson alone would read the NUL as whitespace and take the site.
    r = api.request("POST", "/v1/sites", raw=b'{"id": "s-nul",\x00 "name": "Nul"}',
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert "NUL" in r.json()["error"]["message"]
    assert api.get("/v1/sites/s-nul").status_code == 404


def test_head_wherever_get_and_cors_only_for_listed_origins(api, daemon):
    a = Site(api)
    for path in ("/healthz", "/v1/sites", "/v1/sites/" + a.id, "/v1/openapi.json"):
        g = api.get(path)
        h = api.request("HEAD", path)
        assert h.status_code == g.status_code == 200, path
        assert h.content == b""
        assert h.headers["Content-Type"] == g.headers["Content-Type"]
    # An allowed origin: the preflight and the answer carry CORS headers.
    pre = requests.options(daemon.url + "/v1/alerts", timeout=5,
                           headers={"Origin": DASH, "Access-Control-Request-Method": "GET",
                                    "Access-Control-Request-Headers": "authorization"})
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == DASH
    assert "GET" in pre.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in pre.headers["Access-Control-Allow-Headers"]
    got = api.request("GET", "/v1/sites", headers={"Origin": DASH})
    assert got.headers["Access-Control-Allow-Origin"] == DASH and got.headers["Vary"] == "Origin"
    # Another origin: no CORS header at all.
    evil = api.request("GET", "/v1/sites", headers={"Origin": "https://evil.example"})
    assert evil.status_code == 200
    assert not [k for k in evil.headers if k.lower().startswith("access-control-")]
    pre = requests.options(daemon.url + "/v1/alerts", timeout=5,
                           headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert not [k for k in pre.headers if k.lower().startswith("access-control-")]


def test_without_http_cors_origins_no_cors_headers(workdir, broker):
    import os
    from conftest import Daemon, BOOTSTRAP, Api
    os.makedirs(os.path.join(workdir, "plain"))
    d = Daemon(os.path.join(workdir, "plain"), broker, {"mqtt_client_id": "carenetd-plain"})
    try:
        api = Api(d.url, BOOTSTRAP)
        r = api.request("GET", "/v1/sites", headers={"Origin": DASH})
        assert r.status_code == 200
        assert not [k for k in r.headers if k.lower().startswith("access-control-")]
        pre = requests.options(d.url + "/v1/sites", timeout=5,
                               headers={"Origin": DASH, "Access-Control-Request-Method": "GET"})
        assert not [k for k in pre.headers if k.lower().startswith("access-control-")]
    finally:
        d.stop()


def test_response_report_csv_never_starts_a_formula(api):
    # An id may start with '-': "-1-1" would be computed by a spreadsheet.
    api.ok("POST", "/v1/sites", {"id": "-1-1", "name": "Minus site"})
    r = api.get("/v1/reports/response?format=csv&site_id=-1-1")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    import csv
    import io
    rows = dict(csv.reader(io.StringIO(r.text)))
    assert rows["site_id"] == "'-1-1"
    assert rows["alerts"] == "0"
